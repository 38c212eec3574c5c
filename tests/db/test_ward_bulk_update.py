"""ward_bulk_update: all or nothing, whole households, optimistic version, audit per change."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from uuid import UUID

import psycopg
import pytest

from tests.db.actors import ANON, Actor, act_as, make_user, user_actor
from tests.db.ward_fixtures import (
    Conn,
    RosterEntry,
    assignment_version,
    audit_rows,
    bulk_update,
    create_ward,
    moves,
    refusal_detail,
    refused,
    store_groups,
    stored_groups,
    ward_user,
)

ROSTER = (
    RosterEntry("cohen-1", "H-cohen"),
    RosterEntry("cohen-2", "H-cohen"),
    RosterEntry("levi-1", "H-levi"),
    RosterEntry("levi-2", "H-levi"),
    RosterEntry("mizrahi-1"),
    RosterEntry("peretz-1", "H-peretz"),
)
STORED = {
    "cohen-1": "A",
    "cohen-2": "A",
    "levi-1": "B",
    "levi-2": "B",
    "mizrahi-1": "C",
    "peretz-1": "D",
}


@dataclass(frozen=True)
class WardCase:
    ward: UUID
    admin: Actor
    leader: Actor
    member: Actor
    other_ward_admin: Actor
    version: int


@pytest.fixture
def case(db: Conn) -> WardCase:
    ward = create_ward(db, name="Bulk ward", roster=ROSTER)
    other_ward = create_ward(db, name="Other ward", roster=[RosterEntry("stranger-1")])
    store_groups(db, ward=ward, groups=STORED)
    return WardCase(
        ward=ward,
        admin=ward_user(db, name="ward admin", ward=ward, role="admin"),
        leader=ward_user(db, name="ward leader", ward=ward, role="leader"),
        member=ward_user(db, name="ward member", ward=ward, role="member", user_hash="mizrahi-1"),
        other_ward_admin=ward_user(db, name="other admin", ward=other_ward, role="admin"),
        # all six stored by one statement: one version step from 0
        version=assignment_version(db, ward=ward),
    )


def test_a_ward_starts_at_version_zero_and_one_statement_moves_it_once(db: Conn) -> None:
    ward = create_ward(db, name="Fresh", roster=ROSTER[:2])
    assert assignment_version(db, ward=ward) == 0
    db.execute(
        "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
        " values (%s, 'cohen-1', 'A'), (%s, 'cohen-2', 'A')",
        [ward, ward],
    )
    assert assignment_version(db, ward=ward) == 1


def test_moving_households_writes_groups_stamps_the_actor_and_bumps_the_version(
    db: Conn, case: WardCase
) -> None:
    request = moves(**{"levi-1": "C", "levi-2": "C", "cohen-1": "A", "cohen-2": "A"})
    with act_as(db, case.admin, commit=True):
        new_version = bulk_update(
            db, ward=case.ward, assignments=request, expected_version=case.version
        )
    assert new_version == case.version + 1
    assert assignment_version(db, ward=case.ward) == new_version
    assert stored_groups(db, ward=case.ward) == {**STORED, "levi-1": "C", "levi-2": "C"}
    assigned_by: dict[str, UUID | None] = dict(
        db.execute(
            "select user_hash, assigned_by from public.ward_member_groups"
            " where ward_branch_id = %s",
            [case.ward],
        ).fetchall()
    )
    assert assigned_by["levi-1"] == assigned_by["levi-2"] == case.admin.user_id
    # unchanged members keep the owner's original stamp (no caller then)
    assert assigned_by["cohen-1"] is None


def test_each_changed_member_gets_exactly_one_audit_row_with_the_actor(
    db: Conn, case: WardCase
) -> None:
    before = len(audit_rows(db, ward=case.ward))
    request = moves(**{"levi-1": "C", "levi-2": "C", "peretz-1": "D", "mizrahi-1": "A"})
    with act_as(db, case.leader, commit=True):
        bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    new_rows = audit_rows(db, ward=case.ward)[before:]
    changed = {(row.user_hash, row.old_group, row.new_group) for row in new_rows}
    # peretz-1 was already in D: named in the request but not changed, so not audited
    assert changed == {("levi-1", "B", "C"), ("levi-2", "B", "C"), ("mizrahi-1", "C", "A")}
    assert len(new_rows) == 3
    assert {row.action for row in new_rows} == {"update"}
    assert {row.actor_id for row in new_rows} == {case.leader.user_id}
    assert len({row.batch_id for row in new_rows}) == 1


def test_a_request_that_changes_nothing_keeps_the_version_and_writes_no_audit(
    db: Conn, case: WardCase
) -> None:
    before = len(audit_rows(db, ward=case.ward))
    with act_as(db, case.admin, commit=True):
        version = bulk_update(
            db,
            ward=case.ward,
            assignments=moves(**{"peretz-1": "D"}),
            expected_version=case.version,
        )
    assert version == case.version
    assert len(audit_rows(db, ward=case.ward)) == before


def assert_nothing_changed(db: Conn, case: WardCase, audit_count: int) -> None:
    assert stored_groups(db, ward=case.ward) == STORED
    assert assignment_version(db, ward=case.ward) == case.version
    assert len(audit_rows(db, ward=case.ward)) == audit_count


def test_a_household_split_is_refused_naming_it_and_nothing_changes(
    db: Conn, case: WardCase
) -> None:
    before = len(audit_rows(db, ward=case.ward))
    # mizrahi-1 is a valid move; levi-2 stays in B (stored), so H-levi would be split
    request = moves(**{"mizrahi-1": "D", "levi-1": "C"})
    with act_as(db, case.admin, commit=True), refused(db, "WB003") as info:
        bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    assert refusal_detail(info) == {"household_id": "H-levi"}
    assert_nothing_changed(db, case, before)


def test_the_rosters_household_wins_over_the_requests(db: Conn, case: WardCase) -> None:
    # The request claims cohen-1 lives alone; the roster's explicit household says otherwise.
    request = [{"userHash": "cohen-1", "newGroup": "B", "householdId": "H-alone"}]
    with act_as(db, case.admin), refused(db, "WB003") as info:
        bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    assert refusal_detail(info) == {"household_id": "H-cohen"}


def test_a_household_named_in_a_request_is_stored_and_holds_later(db: Conn) -> None:
    ward = create_ward(db, name="Derived households", roster=[RosterEntry("x"), RosterEntry("y")])
    store_groups(db, ward=ward, groups={"x": "A", "y": "A"})
    admin = ward_user(db, name="admin", ward=ward, role="admin")
    together = [
        {"userHash": "x", "newGroup": "B", "householdId": "H-xy"},
        {"userHash": "y", "newGroup": "B", "householdId": "H-xy"},
    ]
    with act_as(db, admin, commit=True):
        version = bulk_update(db, ward=ward, assignments=together, expected_version=1)
    # the roster knows no household for x and y; the one stored with them now binds them
    with act_as(db, admin), refused(db, "WB003") as info:
        bulk_update(db, ward=ward, assignments=moves(y="C"), expected_version=version)
    assert refusal_detail(info) == {"household_id": "H-xy"}


def test_a_household_may_not_be_left_half_assigned(db: Conn) -> None:
    ward = create_ward(db, name="Nothing stored yet", roster=ROSTER)
    admin = ward_user(db, name="admin", ward=ward, role="admin")
    with act_as(db, admin), refused(db, "WB003") as info:
        bulk_update(db, ward=ward, assignments=moves(**{"levi-1": "A"}), expected_version=0)
    assert refusal_detail(info) == {"household_id": "H-levi"}
    with act_as(db, admin, commit=True):
        version = bulk_update(db, ward=ward, assignments=moves(**STORED), expected_version=0)
    assert version == 1
    assert stored_groups(db, ward=ward) == STORED


def test_a_stale_version_is_a_conflict_and_nothing_changes(db: Conn, case: WardCase) -> None:
    with act_as(db, case.admin, commit=True):
        current = bulk_update(
            db,
            ward=case.ward,
            assignments=moves(**{"peretz-1": "A"}),
            expected_version=case.version,
        )
    snapshot = stored_groups(db, ward=case.ward)
    audit_count = len(audit_rows(db, ward=case.ward))
    # the leader still holds the version read before the admin's change
    with act_as(db, case.leader, commit=True), refused(db, "WB004") as info:
        bulk_update(
            db,
            ward=case.ward,
            assignments=moves(**{"mizrahi-1": "B"}),
            expected_version=case.version,
        )
    assert refusal_detail(info) == {"current_version": current}
    assert stored_groups(db, ward=case.ward) == snapshot
    assert assignment_version(db, ward=case.ward) == current
    assert len(audit_rows(db, ward=case.ward)) == audit_count


@pytest.mark.parametrize(
    ("request_body", "sqlstate", "detail"),
    [
        (moves(**{"stranger-1": "A"}), "WB001", {"user_hash": "stranger-1"}),
        (moves(**{"mizrahi-1": "A", "nobody": "B"}), "WB001", {"user_hash": "nobody"}),
        (moves(**{"mizrahi-1": "E"}), "WB002", {"user_hash": "mizrahi-1", "group": "E"}),
        (moves(**{"mizrahi-1": "All"}), "WB002", {"user_hash": "mizrahi-1", "group": "All"}),
        ([{"userHash": "mizrahi-1", "newGroup": None}], "WB002", {"user_hash": "mizrahi-1"}),
        ([{"userHash": "mizrahi-1"}], "WB002", {"user_hash": "mizrahi-1"}),
        (
            [
                {"userHash": "mizrahi-1", "newGroup": "A"},
                {"userHash": "mizrahi-1", "newGroup": "B"},
            ],
            "WB005",
            {"user_hash": "mizrahi-1"},
        ),
        ({"userHash": "mizrahi-1", "newGroup": "A"}, "WB005", None),
        ([{"userHash": 7, "newGroup": "A"}], "WB005", None),
        (["mizrahi-1"], "WB005", None),
    ],
)
def test_bad_requests_are_refused_with_their_own_code_and_change_nothing(
    db: Conn, case: WardCase, request_body: object, sqlstate: str, detail: dict[str, str] | None
) -> None:
    before = len(audit_rows(db, ward=case.ward))
    with act_as(db, case.admin, commit=True), refused(db, sqlstate) as info:
        bulk_update(db, ward=case.ward, assignments=request_body, expected_version=case.version)
    if detail is None:
        assert info.value.diag.message_detail is None
    else:
        assert refusal_detail(info).items() >= detail.items()
    assert_nothing_changed(db, case, before)


def test_only_the_wards_admins_and_leaders_may_bulk_update(db: Conn, case: WardCase) -> None:
    before = len(audit_rows(db, ward=case.ward))
    outsiders = [
        case.member,
        case.other_ward_admin,
        user_actor("grouping admin", make_user(db, app_role="admin"), app_role="admin"),
        user_actor("someone", make_user(db)),
    ]
    for outsider in outsiders:
        with act_as(db, outsider, commit=True), refused(db, "42501"):
            bulk_update(
                db, ward=case.ward, assignments=moves(**{"mizrahi-1": "A"}), expected_version=1
            )
    assert_nothing_changed(db, case, before)


def test_anon_cannot_call_the_rpc(db: Conn, case: WardCase) -> None:
    with act_as(db, ANON), refused(db, "42501"):
        bulk_update(db, ward=case.ward, assignments=[], expected_version=case.version)


def test_concurrent_updates_from_one_version_let_exactly_one_through(
    db: Conn, database_url: str, case: WardCase
) -> None:
    outcome: dict[str, str] = {}
    with psycopg.connect(database_url) as first, psycopg.connect(database_url) as second:
        with act_as(first, case.admin, commit=True):
            bulk_update(
                first,
                ward=case.ward,
                assignments=moves(**{"mizrahi-1": "A"}),
                expected_version=case.version,
            )

            def race() -> None:
                # blocks on the ward's version lock until `first` commits, then sees it moved
                try:
                    with act_as(second, case.leader, commit=True):
                        bulk_update(
                            second,
                            ward=case.ward,
                            assignments=moves(**{"mizrahi-1": "B"}),
                            expected_version=case.version,
                        )
                    outcome["second"] = "written"
                except psycopg.Error as error:
                    outcome["second"] = str(error.sqlstate)

            racer = threading.Thread(target=race)
            racer.start()
            racer.join(timeout=0.5)
            assert racer.is_alive(), "the second update should wait for the first"
        racer.join(timeout=10)
    assert outcome == {"second": "WB004"}
    assert stored_groups(db, ward=case.ward)["mizrahi-1"] == "A"
    assert assignment_version(db, ward=case.ward) == case.version + 1
