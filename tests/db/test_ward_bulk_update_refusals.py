"""ward_bulk_update refusals: whole households (the roster's), bad requests, who may call.

Each refusal changes nothing: no group, no version step, no audit row.
"""

from __future__ import annotations

import pytest

from tests.db import ward_fixtures as wf
from tests.db.actors import ANON, act_as, make_user, user_actor
from tests.db.ward_bulk_case import ROSTER, STORED, WardCase, assert_nothing_changed
from tests.db.ward_bulk_case import case as case


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
