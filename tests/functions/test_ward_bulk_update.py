"""PUT roster and POST bulk-update through Mangum, on real PostgreSQL (spec/wards.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.bulk_update import handler
from tests.db.ward_fixtures import Conn, assignment_version, audit_rows, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.events import Answer
from tests.functions.tokens import SigningKey
from tests.functions.ward_world import (
    MANAGERS,
    OUTSIDERS,
    Call,
    WardCast,
    add_member,
    caller_of,
    make_cast,
)

pytestmark = pytest.mark.db
BULK = "/api/ward-members/groups/bulk-update"
# Households, in the ward's order: Ben-David {b1}, Cohen at 1 Herzl St {c1, c2},
# Levi {l1}, and Mizrahi by explicit id {m1, m2}. Four households of 1, 2, 1, 2 members:
# the only cut whose largest group has 2 members gives each household its own group.
DEFAULT = {"b1": "A", "c1": "B", "c2": "B", "l1": "C", "m1": "D", "m2": "D"}
ROSTER: list[dict[str, Any]] = [
    {"userHash": "b1", "firstName": "Noa", "lastName": "Ben-David"},
    {"userHash": "c1", "firstName": "Avi", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "c2", "firstName": "Dana", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "l1", "firstName": "Moshe", "lastName": "Levi", "address": "2 Jaffa Rd"},
    {"userHash": "m1", "firstName": "Rut", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
    {"userHash": "m2", "firstName": "Tal", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
]
COLUMNS = {
    "userHash": "user_hash",
    "firstName": "first_name",
    "lastName": "last_name",
    "householdId": "household_id",
}


@pytest.fixture
def cast(db: Conn, api_world: ApiWorld, rsa_signer: SigningKey) -> WardCast:
    return make_cast(db, api_world, rsa_signer, name="Bulk")


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    yield from caller_of(handler.app, handler.handler, api_world, verifier)


def seed_roster(db: Conn, ward: UUID) -> None:
    for entry in ROSTER:
        add_member(db, ward, **{COLUMNS.get(key, key): value for key, value in entry.items()})


@pytest.fixture
def ward(db: Conn, cast: WardCast) -> UUID:
    """Ward A with the roster and no stored assignments."""
    seed_roster(db, cast.ward_a)
    return cast.ward_a


@pytest.fixture
def stored_ward(db: Conn, ward: UUID) -> UUID:
    store_groups(db, ward=ward, groups=DEFAULT)
    return ward


def body(ward: UUID, version: int, **groups: str) -> dict[str, Any]:
    moves = [{"userHash": h, "newGroup": g, "householdId": None} for h, g in groups.items()]
    return {"wardBranchId": str(ward), "assignments": moves, "expectedVersion": version}


def ward_state(db: Conn, ward: UUID) -> tuple[object, ...]:
    roster = db.execute(
        "select user_hash, first_name, last_name, address, phone, household_id"
        " from public.ward_members where ward_branch_id = %s order by user_hash",
        [ward],
    ).fetchall()
    return (
        roster,
        stored_groups(db, ward=ward),
        assignment_version(db, ward=ward),
        audit_rows(db, ward=ward),
    )


def roster_names(db: Conn, ward: UUID) -> dict[str, tuple[str, str]]:
    rows = db.execute(
        "select user_hash, first_name, last_name from public.ward_members"
        " where ward_branch_id = %s",
        [ward],
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_roster_sync_adds_updates_and_removes(db: Conn, cast: WardCast, call: Call) -> None:
    path = f"/api/ward-members/roster/{cast.ward_a}"
    token = cast.tokens["a_admin"]
    answer = call("PUT", path, token=token, body=ROSTER)
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 6, "updated": 0, "removed": 0, "rejoined": 0}
    assert roster_names(db, cast.ward_a)["c2"] == ("Dana", "Cohen")

    renamed = {**ROSTER[0], "lastName": "Ben David"}
    answer = call("PUT", path, token=token, body=[renamed, *ROSTER[1:3], *ROSTER[4:]])
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 0, "updated": 1, "removed": 1, "rejoined": 0}
    names = roster_names(db, cast.ward_a)
    assert set(names) == {"b1", "c1", "c2", "m1", "m2"}
    assert names["b1"] == ("Noa", "Ben David")


def test_a_sync_that_joins_a_household_keeps_it_in_one_group(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    audited = len(audit_rows(db, ward=stored_ward))
    # Moshe (Levi, group C) marries into the Cohens at 1 Herzl St (group B, two of them).
    joined = {**ROSTER[3], "lastName": "Cohen", "address": "1 Herzl St"}
    roster = [*ROSTER[:3], joined, *ROSTER[4:]]
    path = f"/api/ward-members/roster/{stored_ward}"
    answer = call("PUT", path, token=cast.tokens["a_leader"], body=roster)
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 0, "updated": 1, "removed": 0, "rejoined": 1}
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, "l1": "B"}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    moved = [r for r in new_rows if r.old_group != r.new_group]
    assert [(r.user_hash, r.old_group, r.new_group, r.actor_id) for r in moved] == [
        ("l1", "C", "B", cast.user_ids["a_leader"])
    ]
    # Every stored member now carries the household key the roster gives them (the
    # fixture stored none), in the same audited batch: Moshe's is the Cohens'.
    assert len({r.batch_id for r in new_rows}) == 1
    keys: dict[str, str] = dict(
        db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [stored_ward],
        ).fetchall()
    )
    assert keys["l1"] == keys["c1"] == keys["c2"]
    assert keys["m1"] == keys["m2"] == "H-mizrahi"
    assert len(set(keys.values())) == 3  # Ben-David, Cohen (with Moshe), Mizrahi


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


def test_first_bulk_update_stores_the_default_plus_the_changes(
    db: Conn, ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=ward)
    answer = call("POST", BULK, token=cast.tokens["a_admin"], body=body(ward, version, l1="D"))
    assert answer.status == 200, answer.text
    new_version = assignment_version(db, ward=ward)
    assert new_version > version
    assert answer.json() == {
        "wardBranchId": str(ward),
        "version": new_version,
        "requested": 1,
        "changed": 1,
        "written": 6,
    }
    assert stored_groups(db, ward=ward) == {**DEFAULT, "l1": "D"}
    audit = audit_rows(db, ward=ward)
    assert {(row.user_hash, row.action, row.old_group, row.new_group) for row in audit} == {
        (h, "insert", None, g) for h, g in {**DEFAULT, "l1": "D"}.items()
    }
    assert {row.actor_id for row in audit} == {cast.user_ids["a_admin"]}
    households: dict[str, str] = dict(
        db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [ward],
        ).fetchall()
    )
    assert households["m1"] == households["m2"] == "H-mizrahi"
    assert households["c1"] == households["c2"] != households["l1"]


def test_first_bulk_update_may_not_split_a_household_of_the_default(
    db: Conn, ward: UUID, cast: WardCast, call: Call
) -> None:
    before = ward_state(db, ward)
    version = assignment_version(db, ward=ward)
    answer = call("POST", BULK, token=cast.tokens["a_leader"], body=body(ward, version, m1="C"))
    assert answer.status == 422, answer.text
    assert answer.json()["householdId"] == "H-mizrahi"
    assert ward_state(db, ward) == before


def test_a_later_bulk_update_writes_only_what_changes(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=stored_ward)
    audited = len(audit_rows(db, ward=stored_ward))
    moves = body(stored_ward, version, m1="C", m2="C", b1="A")  # b1 stays in A
    answer = call("POST", BULK, token=cast.tokens["a_leader"], body=moves)
    assert answer.status == 200, answer.text
    assert answer.json()["requested"] == 3
    assert answer.json()["changed"] == 2
    assert answer.json()["version"] == assignment_version(db, ward=stored_ward)
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, "m1": "C", "m2": "C"}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    assert [(r.user_hash, r.old_group, r.new_group) for r in new_rows] == [
        ("m1", "D", "C"),
        ("m2", "D", "C"),
    ]


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
