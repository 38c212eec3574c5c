"""WardStore over psycopg (acting as PostgREST) on the real migrated database, as the ward's
admins, leaders and others: the store class production runs."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg
import pytest

from engine.wards.models import WardMember
from functions.database.postgres import DatabaseIdentity, PostgresTransport
from functions.wards.errors import (
    DuplicateWardMemberError,
    HouseholdSplitError,
    MalformedWardPayloadError,
    StaleAssignmentsError,
    UnknownWardMemberError,
)
from functions.wards.schemas import AssignmentChange, RosterSync, StoredAssignment
from functions.wards.store import WardStore
from functions.web.errors import ForbiddenError, NotFoundError
from tests.db.actors import Actor
from tests.db.test_ward_participation_stats import add_schedule, attend
from tests.db.ward_fixtures import (
    Conn,
    RosterEntry,
    assignment_version,
    audit_rows,
    create_ward,
    store_groups,
    stored_groups,
    ward_user,
)

ROSTER = (
    RosterEntry("cohen-1", "H-cohen"),
    RosterEntry("cohen-2", "H-cohen"),
    RosterEntry("levi-1", "H-levi"),
    RosterEntry("mizrahi-1"),
)
STORED = {"cohen-1": "A", "cohen-2": "A", "levi-1": "B", "mizrahi-1": "C"}
HOUSEHOLDS = {"cohen-1": "H-cohen", "cohen-2": "H-cohen", "levi-1": "H-levi", "mizrahi-1": "M"}


@dataclass(frozen=True)
class WardStores:
    ward: UUID
    admin: WardStore
    leader: WardStore
    member: WardStore
    other_ward_admin: WardStore
    admin_id: UUID


def _store(database_url: str, actor: Actor) -> WardStore:
    identity = DatabaseIdentity("authenticated", actor.claims)
    return WardStore(PostgresTransport(lambda: psycopg.connect(database_url), identity=identity))


@pytest.fixture
def stores(db: Conn, database_url: str) -> WardStores:
    ward = create_ward(db, name="Store ward", roster=ROSTER)
    other_ward = create_ward(db, name="Other ward", roster=[RosterEntry("stranger-1")])
    admin = ward_user(db, name="admin", ward=ward, role="admin")
    return WardStores(
        ward=ward,
        admin=_store(database_url, admin),
        leader=_store(database_url, ward_user(db, name="leader", ward=ward, role="leader")),
        member=_store(
            database_url,
            ward_user(db, name="member", ward=ward, role="member", user_hash="mizrahi-1"),
        ),
        other_ward_admin=_store(
            database_url, ward_user(db, name="other", ward=other_ward, role="admin")
        ),
        admin_id=admin.user_id or uuid4(),
    )


def _member(user_hash: str, last_name: str, **extra: str) -> WardMember:
    return WardMember(
        user_hash=user_hash, first_name=user_hash.title(), last_name=last_name, **extra
    )


def test_each_caller_learns_only_their_own_role(stores: WardStores) -> None:
    ward = stores.ward
    assert stores.admin.ward_role(ward_id=ward) == "admin"
    assert stores.leader.ward_role(ward_id=ward) == "leader"
    assert stores.member.ward_role(ward_id=ward) == "member"
    assert stores.other_ward_admin.ward_role(ward_id=ward) is None
    assert stores.admin.ward_role(ward_id=uuid4()) is None


def test_a_sync_makes_the_roster_exactly_the_list_sent(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups={"levi-1": "B"})
    roster = [
        _member("cohen-1", "Cohen", address="1 Herzl St"),
        _member("cohen-2", "Cohen", household_id="H-cohen"),
        _member("peretz-1", "Peretz", phone="050-1234567"),
    ]
    outcome = stores.leader.sync_roster(
        ward_id=stores.ward, members=roster, moves=[], expected_version=None
    )
    # cohen-1 and cohen-2 changed names, peretz-1 is new, levi-1 and mizrahi-1 left.
    assert outcome == RosterSync(added=1, updated=2, removed=2)
    assert stores.admin.get_roster(ward_id=stores.ward).members == roster
    # levi-1's assignment left with them, audited as a delete and moving the version.
    assert stored_groups(db, ward=stores.ward) == {}
    assert [(r.user_hash, r.action) for r in audit_rows(db, ward=stores.ward)][-1] == (
        "levi-1",
        "delete",
    )
    assert assignment_version(db, ward=stores.ward) == 2


def test_a_sync_applies_its_moves_in_the_same_transaction(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    version = assignment_version(db, ward=stores.ward)
    # levi-1 joins the Cohens' household by explicit id; the move takes them to A with it.
    roster = [
        _member("cohen-1", "Cohen", household_id="H-cohen"),
        _member("cohen-2", "Cohen", household_id="H-cohen"),
        _member("levi-1", "Levi", household_id="H-cohen"),
        _member("mizrahi-1", "Mizrahi"),
    ]
    move = AssignmentChange(user_hash="levi-1", new_group="A", household_id="H-cohen")
    stale = version - 1
    with pytest.raises(StaleAssignmentsError):
        stores.admin.sync_roster(
            ward_id=stores.ward, members=roster, moves=[move], expected_version=stale
        )
    # Refused as a whole: neither the roster nor the groups changed.
    assert stores.admin.get_roster(ward_id=stores.ward).members[2].household_id == "H-levi"
    assert stored_groups(db, ward=stores.ward) == STORED
    outcome = stores.admin.sync_roster(
        ward_id=stores.ward, members=roster, moves=[move], expected_version=version
    )
    assert outcome == RosterSync(added=0, updated=4, removed=0, rejoined=1)
    assert stored_groups(db, ward=stores.ward) == {**STORED, "levi-1": "A"}
    assert [(r.user_hash, r.old_group, r.new_group) for r in audit_rows(db, ward=stores.ward)][
        -1
    ] == ("levi-1", "B", "A")


def test_syncing_the_same_roster_again_changes_nothing(stores: WardStores) -> None:
    roster = [_member("cohen-1", "Cohen"), _member("levi-1", "Levi")]
    stores.admin.sync_roster(ward_id=stores.ward, members=roster, moves=[], expected_version=None)
    outcome = stores.admin.sync_roster(
        ward_id=stores.ward, members=roster, moves=[], expected_version=None
    )
    assert outcome == RosterSync(added=0, updated=0, removed=0)


def test_a_roster_with_a_duplicate_hash_is_refused_and_nothing_is_written(
    stores: WardStores,
) -> None:
    before = stores.admin.get_roster(ward_id=stores.ward)
    roster = [_member("new-1", "New"), _member("levi-1", "Levi"), _member("levi-1", "Levy")]
    with pytest.raises(DuplicateWardMemberError) as refusal:
        stores.admin.sync_roster(
            ward_id=stores.ward, members=roster, moves=[], expected_version=None
        )
    assert refusal.value.user_hash == "levi-1"
    assert stores.admin.get_roster(ward_id=stores.ward) == before


@pytest.mark.parametrize("caller", ["member", "other_ward_admin"])
def test_only_the_wards_admins_and_leaders_sync_its_roster(stores: WardStores, caller: str) -> None:
    before = stores.admin.get_roster(ward_id=stores.ward)
    store: WardStore = getattr(stores, caller)
    with pytest.raises(ForbiddenError):
        store.sync_roster(
            ward_id=stores.ward, members=[_member("x-1", "X")], moves=[], expected_version=None
        )
    with pytest.raises(ForbiddenError):
        store.get_assignments(ward_id=stores.ward)
    assert stores.admin.get_roster(ward_id=stores.ward) == before


def test_an_unknown_ward_is_forbidden_like_someone_elses(stores: WardStores) -> None:
    with pytest.raises(ForbiddenError):
        stores.admin.sync_roster(ward_id=uuid4(), members=[], moves=[], expected_version=None)
    with pytest.raises(ForbiddenError):
        stores.admin.get_assignments(ward_id=uuid4())


def test_a_fresh_ward_has_no_assignments_at_version_zero(stores: WardStores) -> None:
    assert stores.leader.get_assignments(ward_id=stores.ward) == ([], 0)


def test_a_bulk_update_returns_the_new_version_and_is_audited(db: Conn, stores: WardStores) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    assignments, version = stores.admin.get_assignments(ward_id=stores.ward)
    assert version == 1
    assert assignments == [
        StoredAssignment(user_hash=h, assigned_group=g) for h, g in sorted(STORED.items())
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
        ward_id=stores.ward, audit_id=newest.id, expected_version=version, households=HOUSEHOLDS
    )
    assert restored == version + 1
    assignments, read_version = stores.admin.get_assignments(ward_id=stores.ward)
    assert read_version == restored
    assert {a.user_hash: a.assigned_group for a in assignments} == STORED
    assert stores.admin.audit_trail(ward_id=stores.ward, limit=1)[0].restored_from == newest.id
    with pytest.raises(NotFoundError):
        stores.admin.restore(
            ward_id=stores.ward,
            audit_id=newest.id + 10**9,
            expected_version=3,
            households=HOUSEHOLDS,
        )


def test_a_restore_that_would_split_a_household_of_today_is_refused(
    db: Conn, stores: WardStores
) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    changes = [AssignmentChange(user_hash="levi-1", new_group="A")]
    version = stores.admin.bulk_update(ward_id=stores.ward, assignments=changes, expected_version=1)
    newest = stores.admin.audit_trail(ward_id=stores.ward, limit=1)[0]
    # Today levi-1 lives with the Cohens (group A): putting levi-1 back in B would split them.
    joined = {**HOUSEHOLDS, "levi-1": "H-cohen"}
    with pytest.raises(HouseholdSplitError) as refusal:
        stores.admin.restore(
            ward_id=stores.ward, audit_id=newest.id, expected_version=version, households=joined
        )
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


def test_the_roster_version_moves_with_every_roster_change(db: Conn, stores: WardStores) -> None:
    ward = stores.ward
    start = stores.admin.versions(ward_id=ward)
    snapshot = stores.admin.get_roster(ward_id=ward)
    assert snapshot.version == start.roster
    assert [m.user_hash for m in snapshot.members] == [entry.user_hash for entry in ROSTER]
    steps = [
        ("insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name)"
         " values (%s, 'peretz-1', 'Avi', 'Peretz')", 1),
        ("update public.ward_members set address = '2 Herzl St'"
         " where ward_branch_id = %s and user_hash = 'peretz-1'", 1),
        # Nothing household detection reads changed: the version stays.
        ("update public.ward_members set updated_at = now() where ward_branch_id = %s", 0),
        ("delete from public.ward_members where ward_branch_id = %s and user_hash = 'peretz-1'", 1),
    ]  # fmt: skip
    expected = start.roster
    for statement, moves_by in steps:
        db.execute(statement, [ward])
        expected += moves_by
        assert stores.leader.versions(ward_id=ward).roster == expected, statement
    assert stores.admin.versions(ward_id=ward).assignments == start.assignments
    assert stores.admin.get_roster(ward_id=ward).version == expected
    with pytest.raises(ForbiddenError):
        stores.member.versions(ward_id=ward)
    with pytest.raises(ForbiddenError):
        stores.other_ward_admin.get_roster(ward_id=ward)


def test_a_malformed_roster_entry_is_refused(stores: WardStores) -> None:
    blank = WardMember.model_construct(user_hash="", first_name="A", last_name="B")
    with pytest.raises(MalformedWardPayloadError) as refusal:
        stores.admin.sync_roster(
            ward_id=stores.ward, members=[blank], moves=[], expected_version=None
        )
    assert not isinstance(refusal.value, DuplicateWardMemberError)
