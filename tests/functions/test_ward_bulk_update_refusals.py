"""PUT roster and POST bulk-update through Mangum, on real PostgreSQL (spec/wards.md): what
they refuse and that a refusal writes nothing. Bad members and groups, split households,
stale versions, two admins racing from one version, and callers who may not manage the ward."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.db.ward_fixtures import Conn, assignment_version, audit_rows, stored_groups
from tests.functions.events import Answer
from tests.functions.ward_bulk_world import BULK, DEFAULT, ROSTER, body, ward_state
from tests.functions.ward_bulk_world import call as call
from tests.functions.ward_bulk_world import cast as cast
from tests.functions.ward_bulk_world import stored_ward as stored_ward
from tests.functions.ward_bulk_world import ward as ward
from tests.functions.ward_world import MANAGERS, OUTSIDERS, Call, WardCast

pytestmark = pytest.mark.db


def test_a_roster_naming_a_member_twice_is_refused_naming_them(
    db: Conn, ward: UUID, cast: WardCast, call: Call
) -> None:
    before = ward_state(db, ward)
    twice = [*ROSTER, {"userHash": "l1", "firstName": "Other", "lastName": "Levi"}]
    answer = call(
        "PUT", f"/api/ward-members/roster/{ward}", token=cast.tokens["a_admin"], body=twice
    )
    assert answer.status == 422, answer.text
    assert answer.json()["userHash"] == "l1"
    assert ward_state(db, ward) == before


def test_first_bulk_update_may_not_split_a_household_of_the_default(
    db: Conn, ward: UUID, cast: WardCast, call: Call
) -> None:
    before = ward_state(db, ward)
    version = assignment_version(db, ward=ward)
    answer = call("POST", BULK, token=cast.tokens["a_leader"], body=body(ward, version, m1="C"))
    assert answer.status == 422, answer.text
    assert answer.json()["householdId"] == "H-mizrahi"
    assert ward_state(db, ward) == before


@pytest.mark.parametrize(
    ("moves", "status", "named", "field"),
    [
        ({"ghost": "A"}, 422, {"userHash": "ghost"}, "userHash"),
        ({"l1": "E"}, 422, {"userHash": "l1"}, "newGroup"),
        ({"b1": "All"}, 422, {"userHash": "b1"}, "newGroup"),
        ({"m1": "A"}, 422, {"householdId": "H-mizrahi"}, "assignments"),
        ({"c2": "C", "l1": "B"}, 422, {"householdId": None}, "assignments"),  # Cohen's, below
    ],
    ids=["unknown-member", "group-E", "group-All", "split-explicit", "split-derived"],
)
def test_bad_bulk_updates_are_refused_naming_the_offender_and_write_nothing(
    db: Conn,
    stored_ward: UUID,
    cast: WardCast,
    call: Call,
    moves: dict[str, str],
    status: int,
    named: dict[str, str | None],
    field: str,
) -> None:
    before = ward_state(db, stored_ward)
    version = assignment_version(db, ward=stored_ward)
    answer = call(
        "POST", BULK, token=cast.tokens["a_admin"], body=body(stored_ward, version, **moves)
    )
    assert answer.status == status, answer.text
    problem = answer.json()
    assert [error["field"] for error in problem["errors"]] == [field]
    for key, value in named.items():
        if value is None:  # a derived household key: the Cohens' at 1 Herzl St
            assert problem[key].startswith("auto:cohen"), problem
        else:
            assert problem[key] == value
    assert ward_state(db, stored_ward) == before


def test_a_member_named_twice_is_refused(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    before = ward_state(db, stored_ward)
    request = body(stored_ward, assignment_version(db, ward=stored_ward), l1="B")
    request["assignments"].append({"userHash": "l1", "newGroup": "D"})
    answer = call("POST", BULK, token=cast.tokens["a_admin"], body=request)
    assert answer.status == 422, answer.text
    assert answer.json()["userHash"] == "l1"
    assert ward_state(db, stored_ward) == before


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_stale_version_is_a_409_with_the_current_version(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call, offset: int
) -> None:
    before = ward_state(db, stored_ward)
    current = assignment_version(db, ward=stored_ward)
    stale = body(stored_ward, current + offset, l1="B")
    answer = call("POST", BULK, token=cast.tokens["a_admin"], body=stale)
    assert answer.status == 409, answer.text
    assert answer.json()["currentVersion"] == current
    assert [error["field"] for error in answer.json()["errors"]] == ["expectedVersion"]
    assert ward_state(db, stored_ward) == before


def test_two_admins_from_one_version_one_wins_and_the_audit_shows_only_its_changes(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=stored_ward)
    audited = len(audit_rows(db, ward=stored_ward))
    first = call(
        "POST", BULK, token=cast.tokens["a_admin"], body=body(stored_ward, version, l1="B")
    )
    second = call(
        "POST", BULK, token=cast.tokens["a_leader"], body=body(stored_ward, version, b1="C")
    )
    assert first.status == 200, first.text
    assert second.status == 409, second.text
    assert second.json()["currentVersion"] == first.json()["version"]
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, "l1": "B"}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    assert [(r.user_hash, r.old_group, r.new_group, r.actor_id) for r in new_rows] == [
        ("l1", "C", "B", cast.user_ids["a_admin"])
    ]


def test_two_admins_at_the_same_time_one_wins(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=stored_ward)
    audited = len(audit_rows(db, ward=stored_ward))
    requests = [("a_admin", {"l1": "B"}), ("a_leader", {"b1": "C"})]

    def update(request: tuple[str, dict[str, str]]) -> Answer:
        # Mangum runs each invocation on the thread's event loop, as Lambda's one thread does.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            who, moves = request
            return call(
                "POST", BULK, token=cast.tokens[who], body=body(stored_ward, version, **moves)
            )
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(update, requests))
    assert sorted(answer.status for answer in answers) == [200, 409], [a.text for a in answers]
    winner = 0 if answers[0].status == 200 else 1
    role, moves = requests[winner]
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, **moves}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    assert [(r.user_hash, r.new_group, r.actor_id) for r in new_rows] == [
        (h, g, cast.user_ids[role]) for h, g in moves.items()
    ]


def without_request_id(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in problem.items() if key != "request_id"}


def test_only_the_wards_admins_and_leaders_may_sync_or_update(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    roster_path = f"/api/ward-members/roster/{stored_ward}"
    refusals = []
    for who in OUTSIDERS:
        before = ward_state(db, stored_ward)
        version = assignment_version(db, ward=stored_ward)
        for method, path, request in [
            ("PUT", roster_path, ROSTER[:2]),
            ("POST", BULK, body(stored_ward, version, l1="B")),
        ]:
            answer = call(method, path, token=cast.tokens[who], body=request)
            assert answer.status == 403, (who, path, answer.text)
            refusals.append(without_request_id(answer.json()))
        assert ward_state(db, stored_ward) == before, who
    unknown = uuid4()
    for method, path, request in [
        ("PUT", f"/api/ward-members/roster/{unknown}", ROSTER[:2]),
        ("POST", BULK, body(unknown, 1, l1="B")),
    ]:
        answer = call(method, path, token=cast.tokens["a_admin"], body=request)
        assert answer.status == 403, answer.text
        refusals.append(without_request_id(answer.json()))
    assert all(refusal == refusals[0] for refusal in refusals), refusals
    for who in MANAGERS:
        answer = call("PUT", roster_path, token=cast.tokens[who], body=ROSTER)
        assert answer.status == 200, (who, answer.text)
        version = assignment_version(db, ward=stored_ward)
        answer = call("POST", BULK, token=cast.tokens[who], body=body(stored_ward, version))
        assert answer.status == 200, (who, answer.text)
        assert answer.json()["version"] == version  # an empty update changes nothing
