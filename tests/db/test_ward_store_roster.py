"""WardStore's roster on the real migrated database, as the ward's admins, leaders and others:
each caller's role, roster syncs (and the moves the database makes with them), and the roster
version."""

from __future__ import annotations

from uuid import uuid4

import pytest

from engine.wards.models import WardMember
from functions.wards.errors import (
    DuplicateWardMemberError,
    MalformedWardPayloadError,
)
from functions.wards.schemas import RosterSync
from functions.wards.store import WardStore
from functions.web.errors import ForbiddenError
from tests.db.ward_fixtures import (
    Conn,
    assignment_version,
    audit_rows,
    store_groups,
    stored_groups,
)
from tests.db.ward_store_world import ROSTER, STORED, WardStores
from tests.db.ward_store_world import member as _member
from tests.db.ward_store_world import stores as stores


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
    outcome = stores.leader.sync_roster(ward_id=stores.ward, members=roster)
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


def test_a_sync_moves_a_household_it_joins_in_the_same_transaction(
    db: Conn, stores: WardStores
) -> None:
    store_groups(db, ward=stores.ward, groups=STORED)
    # levi-1 joins the Cohens' household by explicit id; the database takes them to A with it.
    roster = [
        _member("cohen-1", "Cohen", household_id="H-cohen"),
        _member("cohen-2", "Cohen", household_id="H-cohen"),
        _member("levi-1", "Levi", household_id="H-cohen"),
        _member("mizrahi-1", "Mizrahi"),
    ]
    # Refused as a whole (a member named twice): neither the roster nor the groups changed.
    with pytest.raises(DuplicateWardMemberError):
        stores.admin.sync_roster(ward_id=stores.ward, members=[*roster, roster[2]])
    assert stores.admin.get_roster(ward_id=stores.ward).members[2].household_id == "H-levi"
    assert stored_groups(db, ward=stores.ward) == STORED
    outcome = stores.admin.sync_roster(ward_id=stores.ward, members=roster)
    assert outcome == RosterSync(added=0, updated=4, removed=0, rejoined=1)
    assert stored_groups(db, ward=stores.ward) == {**STORED, "levi-1": "A"}
    trail = audit_rows(db, ward=stores.ward)
    assert [(r.user_hash, r.old_group, r.new_group) for r in trail][-1] == ("levi-1", "B", "A")
    # The sync is one audited batch: levi-1's new household key and their move alike.
    assert len({r.batch_id for r in trail[-2:]}) == 1


def test_syncing_the_same_roster_again_changes_nothing(stores: WardStores) -> None:
    roster = [_member("cohen-1", "Cohen"), _member("levi-1", "Levi")]
    stores.admin.sync_roster(ward_id=stores.ward, members=roster)
    outcome = stores.admin.sync_roster(ward_id=stores.ward, members=roster)
    assert outcome == RosterSync(added=0, updated=0, removed=0)


def test_a_roster_with_a_duplicate_hash_is_refused_and_nothing_is_written(
    stores: WardStores,
) -> None:
    before = stores.admin.get_roster(ward_id=stores.ward)
    roster = [_member("new-1", "New"), _member("levi-1", "Levi"), _member("levi-1", "Levy")]
    with pytest.raises(DuplicateWardMemberError) as refusal:
        stores.admin.sync_roster(ward_id=stores.ward, members=roster)
    assert refusal.value.user_hash == "levi-1"
    assert stores.admin.get_roster(ward_id=stores.ward) == before


@pytest.mark.parametrize("caller", ["member", "other_ward_admin"])
def test_only_the_wards_admins_and_leaders_sync_its_roster(stores: WardStores, caller: str) -> None:
    before = stores.admin.get_roster(ward_id=stores.ward)
    store: WardStore = getattr(stores, caller)
    with pytest.raises(ForbiddenError):
        store.sync_roster(ward_id=stores.ward, members=[_member("x-1", "X")])
    with pytest.raises(ForbiddenError):
        store.get_assignments(ward_id=stores.ward)
    assert stores.admin.get_roster(ward_id=stores.ward) == before


def test_an_unknown_ward_is_forbidden_like_someone_elses(stores: WardStores) -> None:
    with pytest.raises(ForbiddenError):
        stores.admin.sync_roster(ward_id=uuid4(), members=[])
    with pytest.raises(ForbiddenError):
        stores.admin.get_assignments(ward_id=uuid4())


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
        stores.admin.sync_roster(ward_id=stores.ward, members=[blank])
    assert not isinstance(refusal.value, DuplicateWardMemberError)
