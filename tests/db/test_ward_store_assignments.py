"""WardStore's assignments on the real migrated database, as the ward's admins, leaders and
others: reads, audited bulk updates, stale versions, restores, and participation facts."""

from __future__ import annotations

import pytest

from functions.wards.errors import (
    HouseholdSplitError,
    StaleAssignmentsError,
    UnknownWardMemberError,
)
from functions.wards.schemas import AssignmentChange, StoredAssignment
from functions.web.errors import NotFoundError
from tests.db.test_ward_participation_stats import add_schedule, attend
from tests.db.ward_fixtures import Conn, assignment_version, store_groups, stored_groups
from tests.db.ward_store_world import STORED, WardStores
from tests.db.ward_store_world import stores as stores


def test_a_fresh_ward_has_no_assignments_at_version_zero(stores: WardStores) -> None:
    assert stores.leader.get_assignments(ward_id=stores.ward) == ([], 0)


def test_a_bulk_update_returns_the_new_version_and_is_audited(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    assignments, version = stores.admin.get_assignments(ward_id=stores.ward)
    assert version == 1
    # Each stored member carries the household key the database derives from the roster.
    keys = {"cohen-1": "H-cohen", "cohen-2": "H-cohen", "levi-1": "H-levi"}
    assert assignments == [
        StoredAssignment(
            user_hash=h, assigned_group=g, household_id=keys.get(h, "auto:family mizrahi 1")
        )
        for h, g in sorted(STORED.items())
    ]
    changes = [
        AssignmentChange(user_hash="cohen-1", new_group="D"),
        AssignmentChange(user_hash="cohen-2", new_group="D"),
    ]
    new_version = stores.admin.bulk_update(
        ward_id=stores.ward, assignments=changes, expected_version=1
    )
    assert new_version == 2
    assert stored_groups(db, ward=stores.ward) == {**STORED, "cohen-1": "D", "cohen-2": "D"}
    trail = stores.leader.audit_trail(ward_id=stores.ward, limit=2)
    assert [(e.user_hash, e.old_group, e.new_group, e.actor_id) for e in trail] == [
        ("cohen-2", "A", "D", stores.admin_id),
        ("cohen-1", "A", "D", stores.admin_id),
    ]
    assert trail[0].batch_id == trail[1].batch_id


def test_refused_bulk_updates_name_the_offender_and_write_nothing(
    db: Conn, stores: WardStores
) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)

    def update(**groups: str) -> None:
        changes = [AssignmentChange(user_hash=h, new_group=g) for h, g in groups.items()]
        stores.leader.bulk_update(ward_id=stores.ward, assignments=changes, expected_version=1)

    with pytest.raises(UnknownWardMemberError) as unknown:
        update(**{"levi-1": "A", "ghost-1": "B"})
    assert unknown.value.user_hash == "ghost-1"
    with pytest.raises(HouseholdSplitError) as split:
        update(**{"cohen-1": "B"})
    assert split.value.household_id == "H-cohen"
    assert stored_groups(db, ward=stores.ward) == STORED
    assert assignment_version(db, ward=stores.ward) == 1


def test_the_second_of_two_updates_from_one_version_is_stale(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    winner = [AssignmentChange(user_hash="levi-1", new_group="D")]
    loser = [AssignmentChange(user_hash="mizrahi-1", new_group="A")]
    assert stores.admin.bulk_update(ward_id=stores.ward, assignments=winner, expected_version=1)
    with pytest.raises(StaleAssignmentsError) as stale:
        stores.leader.bulk_update(ward_id=stores.ward, assignments=loser, expected_version=1)
    assert stale.value.current_version == 2
    trail = stores.admin.audit_trail(ward_id=stores.ward, limit=100)
    assert [(e.user_hash, e.action) for e in trail if e.action == "update"] == [
        ("levi-1", "update")
    ]


def test_restore_returns_the_exact_earlier_state(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    changes = [AssignmentChange(user_hash="levi-1", new_group="A")]
    version = stores.admin.bulk_update(ward_id=stores.ward, assignments=changes, expected_version=1)
    newest = stores.admin.audit_trail(ward_id=stores.ward, limit=1)[0]
    restored = stores.leader.restore(
        ward_id=stores.ward, audit_id=newest.id, expected_version=version
    )
    assert restored == version + 1
    assignments, read_version = stores.admin.get_assignments(ward_id=stores.ward)
    assert read_version == restored
    assert {a.user_hash: a.assigned_group for a in assignments} == STORED
    assert stores.admin.audit_trail(ward_id=stores.ward, limit=1)[0].restored_from == newest.id
    with pytest.raises(NotFoundError):
        stores.admin.restore(ward_id=stores.ward, audit_id=newest.id + 10**9, expected_version=3)


def test_a_restore_that_would_split_a_household_of_today_is_refused(
    db: Conn, stores: WardStores
) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    changes = [AssignmentChange(user_hash="levi-1", new_group="A")]
    version = stores.admin.bulk_update(ward_id=stores.ward, assignments=changes, expected_version=1)
    newest = stores.admin.audit_trail(ward_id=stores.ward, limit=1)[0]
    # Today levi-1 lives with the Cohens (group A): putting levi-1 back in B would split them.
    db.execute(
        "update public.ward_members set household_id = 'H-cohen'"
        " where ward_branch_id = %s and user_hash = 'levi-1'",
        [stores.ward],
    )
    version = assignment_version(db, ward=stores.ward)  # the household id moved with the roster
    with pytest.raises(HouseholdSplitError) as refusal:
        stores.admin.restore(ward_id=stores.ward, audit_id=newest.id, expected_version=version)
    assert refusal.value.household_id == "H-cohen"
    assert stored_groups(db, ward=stores.ward) == {**STORED, "levi-1": "A"}
    assert assignment_version(db, ward=stores.ward) == version


def test_participation_facts_match_hand_counts(db: Conn, stores: WardStores) -> None:
    ward = stores.ward
    store_groups(db, ward=ward, groups={"cohen-1": "A", "cohen-2": "A", "levi-1": "B"})
    a_day1, a_day2 = add_schedule(db, ward=ward, group="A", session_days=[1, 2])
    (all_day3,) = add_schedule(db, ward=ward, group="All", session_days=[3])
    (b_day4,) = add_schedule(db, ward=ward, group="B", session_days=[4])
    add_schedule(db, ward=ward, group="C", session_days=[])  # a schedule with no session
    attend(db, ward=ward, session=a_day1, who="cohen-1")
    attend(db, ward=ward, session=all_day3, who="cohen-1")
    attend(db, ward=ward, session=a_day2, who="cohen-2", attended=False)
    attend(db, ward=ward, session=a_day1, who="levi-1")  # counted under A: not levi-1's group
    attend(db, ward=ward, session=b_day4, who="levi-1")
    attend(db, ward=ward, session=all_day3, who="visitor-1")
    facts = stores.leader.participation_facts(ward_id=ward)
    assert facts.sessions == {"A": 2, "All": 1, "B": 1}
    assert facts.attended == {
        "cohen-1": {"A": 1, "All": 1},
        "levi-1": {"A": 1, "B": 1},
        "visitor-1": {"All": 1},
    }
    # A linked member sees every session but only their own attendance (RLS): none.
    member_facts = stores.member.participation_facts(ward_id=ward)
    assert (member_facts.sessions, member_facts.attended) == (facts.sessions, {})
    # Someone else's ward: nothing at all.
    other = stores.other_ward_admin.participation_facts(ward_id=ward)
    assert (other.sessions, other.attended) == ({}, {})
