"""ward_bulk_update: all or nothing, whole households, optimistic version, audit per change."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from uuid import UUID

import psycopg
import pytest

from tests.db import ward_fixtures as wf
from tests.db.actors import ANON, Actor, act_as, make_user, user_actor

ROSTER = (
    wf.RosterEntry("cohen-1", "H-cohen"),
    wf.RosterEntry("cohen-2", "H-cohen"),
    wf.RosterEntry("levi-1", "H-levi"),
    wf.RosterEntry("levi-2", "H-levi"),
    wf.RosterEntry("mizrahi-1"),
    wf.RosterEntry("peretz-1", "H-peretz"),
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
def case(db: wf.Conn) -> WardCase:
    ward = wf.create_ward(db, name="Bulk ward", roster=ROSTER)
    other_ward = wf.create_ward(db, name="Other ward", roster=[wf.RosterEntry("stranger-1")])
    wf.store_groups(db, ward=ward, groups=STORED)
    return WardCase(
        ward=ward,
        admin=wf.ward_user(db, name="ward admin", ward=ward, role="admin"),
        leader=wf.ward_user(db, name="ward leader", ward=ward, role="leader"),
        member=wf.ward_user(
            db, name="ward member", ward=ward, role="member", user_hash="mizrahi-1"
        ),
        other_ward_admin=wf.ward_user(db, name="other admin", ward=other_ward, role="admin"),
        # all six stored by one statement: one version step from 0
        version=wf.assignment_version(db, ward=ward),
    )


def test_a_ward_starts_at_version_zero_and_one_statement_moves_it_once(db: wf.Conn) -> None:
    ward = wf.create_ward(db, name="Fresh", roster=ROSTER[:2])
    assert wf.assignment_version(db, ward=ward) == 0
    db.execute(
        "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
        " values (%s, 'cohen-1', 'A'), (%s, 'cohen-2', 'A')",
        [ward, ward],
    )
    assert wf.assignment_version(db, ward=ward) == 1


def test_moving_households_writes_groups_stamps_the_actor_and_bumps_the_version(
    db: wf.Conn, case: WardCase
) -> None:
    request = wf.moves(**{"levi-1": "C", "levi-2": "C", "cohen-1": "A", "cohen-2": "A"})
    with act_as(db, case.admin, commit=True):
        new_version = wf.bulk_update(
            db, ward=case.ward, assignments=request, expected_version=case.version
        )
    assert new_version == case.version + 1
    assert wf.assignment_version(db, ward=case.ward) == new_version
    assert wf.stored_groups(db, ward=case.ward) == {**STORED, "levi-1": "C", "levi-2": "C"}
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
    db: wf.Conn, case: WardCase
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    request = wf.moves(**{"levi-1": "C", "levi-2": "C", "peretz-1": "D", "mizrahi-1": "A"})
    with act_as(db, case.leader, commit=True):
        wf.bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    new_rows = wf.audit_rows(db, ward=case.ward)[before:]
    changed = {(row.user_hash, row.old_group, row.new_group) for row in new_rows}
    # peretz-1 was already in D: named in the request but not changed, so not audited
    assert changed == {("levi-1", "B", "C"), ("levi-2", "B", "C"), ("mizrahi-1", "C", "A")}
    assert len(new_rows) == 3
    assert {row.action for row in new_rows} == {"update"}
    assert {row.actor_id for row in new_rows} == {case.leader.user_id}
    assert len({row.batch_id for row in new_rows}) == 1


def test_a_request_that_changes_nothing_keeps_the_version_and_writes_no_audit(
    db: wf.Conn, case: WardCase
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    with act_as(db, case.admin, commit=True):
        version = wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"peretz-1": "D"}),
            expected_version=case.version,
        )
    assert version == case.version
    assert len(wf.audit_rows(db, ward=case.ward)) == before


def assert_nothing_changed(db: wf.Conn, case: WardCase, audit_count: int) -> None:
    assert wf.stored_groups(db, ward=case.ward) == STORED
    assert wf.assignment_version(db, ward=case.ward) == case.version
    assert len(wf.audit_rows(db, ward=case.ward)) == audit_count


def test_a_household_split_is_refused_naming_it_and_nothing_changes(
    db: wf.Conn, case: WardCase
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    # mizrahi-1 is a valid move; levi-2 stays in B (stored), so H-levi would be split
    request = wf.moves(**{"mizrahi-1": "D", "levi-1": "C"})
    with act_as(db, case.admin, commit=True), wf.refused(db, "WB003") as info:
        wf.bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    assert wf.refusal_detail(info) == {"household_id": "H-levi"}
    assert_nothing_changed(db, case, before)


def test_the_rosters_household_wins_over_the_requests(db: wf.Conn, case: WardCase) -> None:
    # The request claims cohen-1 lives alone; the roster's explicit household says otherwise.
    request = [{"userHash": "cohen-1", "newGroup": "B", "householdId": "H-alone"}]
    with act_as(db, case.admin), wf.refused(db, "WB003") as info:
        wf.bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    assert wf.refusal_detail(info) == {"household_id": "H-cohen"}


def test_a_household_named_in_a_request_is_neither_stored_nor_binding(db: wf.Conn) -> None:
    ward = wf.create_ward(
        db, name="Derived households", roster=[wf.RosterEntry("x"), wf.RosterEntry("y")]
    )
    wf.store_groups(db, ward=ward, groups={"x": "A", "y": "A"})
    admin = wf.ward_user(db, name="admin", ward=ward, role="admin")
    together = [
        {"userHash": "x", "newGroup": "B", "householdId": "H-xy"},
        {"userHash": "y", "newGroup": "B", "householdId": "H-xy"},
    ]
    with act_as(db, admin, commit=True):
        version = wf.bulk_update(db, ward=ward, assignments=together, expected_version=1)
    # The roster's households are the truth: x and y each live alone, whatever a request says.
    stored = db.execute(
        "select user_hash, household_id from public.ward_member_groups where ward_branch_id = %s",
        [ward],
    ).fetchall()
    assert dict(stored) == {"x": "auto:family x", "y": "auto:family y"}
    with act_as(db, admin, commit=True):
        wf.bulk_update(db, ward=ward, assignments=wf.moves(y="C"), expected_version=version)
    assert wf.stored_groups(db, ward=ward) == {"x": "B", "y": "C"}


def test_a_household_half_stored_is_whole_and_its_stored_half_binds(db: wf.Conn) -> None:
    ward = wf.create_ward(db, name="Nothing stored yet", roster=ROSTER)
    admin = wf.ward_user(db, name="admin", ward=ward, role="admin")
    # levi-2, stored nowhere, follows their household to A (as the API counts them).
    with act_as(db, admin, commit=True):
        version = wf.bulk_update(
            db, ward=ward, assignments=wf.moves(**{"levi-1": "A"}), expected_version=0
        )
    assert wf.stored_groups(db, ward=ward) == {"levi-1": "A"}
    with act_as(db, admin), wf.refused(db, "WB003") as info:
        wf.bulk_update(
            db, ward=ward, assignments=wf.moves(**{"levi-2": "B"}), expected_version=version
        )
    assert wf.refusal_detail(info) == {"household_id": "H-levi"}
    with act_as(db, admin, commit=True):
        wf.bulk_update(db, ward=ward, assignments=wf.moves(**STORED), expected_version=version)
    assert wf.stored_groups(db, ward=ward) == STORED


def test_a_stale_version_is_a_conflict_and_nothing_changes(db: wf.Conn, case: WardCase) -> None:
    with act_as(db, case.admin, commit=True):
        current = wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"peretz-1": "A"}),
            expected_version=case.version,
        )
    snapshot = wf.stored_groups(db, ward=case.ward)
    audit_count = len(wf.audit_rows(db, ward=case.ward))
    # the leader still holds the version read before the admin's change
    with act_as(db, case.leader, commit=True), wf.refused(db, "WB004") as info:
        wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"mizrahi-1": "B"}),
            expected_version=case.version,
        )
    assert wf.refusal_detail(info) == {"current_version": current}
    assert wf.stored_groups(db, ward=case.ward) == snapshot
    assert wf.assignment_version(db, ward=case.ward) == current
    assert len(wf.audit_rows(db, ward=case.ward)) == audit_count


@pytest.mark.parametrize(
    ("request_body", "sqlstate", "detail"),
    [
        (wf.moves(**{"stranger-1": "A"}), "WB001", {"user_hash": "stranger-1"}),
        (wf.moves(**{"mizrahi-1": "A", "nobody": "B"}), "WB001", {"user_hash": "nobody"}),
        (wf.moves(**{"mizrahi-1": "E"}), "WB002", {"user_hash": "mizrahi-1", "group": "E"}),
        (wf.moves(**{"mizrahi-1": "All"}), "WB002", {"user_hash": "mizrahi-1", "group": "All"}),
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
    db: wf.Conn, case: WardCase, request_body: object, sqlstate: str, detail: dict[str, str] | None
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    with act_as(db, case.admin, commit=True), wf.refused(db, sqlstate) as info:
        wf.bulk_update(db, ward=case.ward, assignments=request_body, expected_version=case.version)
    if detail is None:
        assert info.value.diag.message_detail is None
    else:
        assert wf.refusal_detail(info).items() >= detail.items()
    assert_nothing_changed(db, case, before)


def test_only_the_wards_admins_and_leaders_may_bulk_update(db: wf.Conn, case: WardCase) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    outsiders = [
        case.member,
        case.other_ward_admin,
        user_actor("grouping admin", make_user(db, app_role="admin"), app_role="admin"),
        user_actor("someone", make_user(db)),
    ]
    for outsider in outsiders:
        with act_as(db, outsider, commit=True), wf.refused(db, "42501"):
            wf.bulk_update(
                db, ward=case.ward, assignments=wf.moves(**{"mizrahi-1": "A"}), expected_version=1
            )
    assert_nothing_changed(db, case, before)


def test_anon_cannot_call_the_rpc(db: wf.Conn, case: WardCase) -> None:
    with act_as(db, ANON), wf.refused(db, "42501"):
        wf.bulk_update(db, ward=case.ward, assignments=[], expected_version=case.version)


def test_concurrent_updates_from_one_version_let_exactly_one_through(
    db: wf.Conn, database_url: str, case: WardCase
) -> None:
    outcome: dict[str, str] = {}
    with psycopg.connect(database_url) as first, psycopg.connect(database_url) as second:
        with act_as(first, case.admin, commit=True):
            wf.bulk_update(
                first,
                ward=case.ward,
                assignments=wf.moves(**{"mizrahi-1": "A"}),
                expected_version=case.version,
            )

            def race() -> None:
                # blocks on the ward's version lock until `first` commits, then sees it moved
                try:
                    with act_as(second, case.leader, commit=True):
                        wf.bulk_update(
                            second,
                            ward=case.ward,
                            assignments=wf.moves(**{"mizrahi-1": "B"}),
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
    assert wf.stored_groups(db, ward=case.ward)["mizrahi-1"] == "A"
    assert wf.assignment_version(db, ward=case.ward) == case.version + 1
