"""Every route of every function, sent what no client should send, through Mangum on real
PostgreSQL: no answer is a 500 or worse, and no answer carries a traceback, SQL, a driver's
name or (in a refusal) a value the request sent.

Hypothesis draws a route, a token (a valid admin's who also manages the ward, none, or a
forged one: headers of every JSON type, garbage, no signature), path parameters (real ids,
other ids, not ids), a query string, and a body: the route's own valid body with one value
replaced (wrong types, integers outside int64, NUL and unpaired surrogates, deep and wide
JSON), or raw text (malformed JSON, deep nesting, NUL bytes). What every route gets for sure
is sent by the plain tests below: whole-body extremes (10,000 levels, oversized, NUL, huge
integers, 30,000 entries), each extreme in place of each value of the route's own body, and
every forged token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from functions.web.settings import MAX_BODY_BYTES_LIMIT
from tests.functions.events import Answer
from tests.functions.forged_tokens import JSON_VALUES, RAW_HEADERS, hs256
from tests.functions.route_world import (
    MAX_BODY_BYTES,
    Route,
    RouteWorld,
    all_routes,
    http_handlers,
)
from tests.functions.route_world import route_world as route_world
from tests.functions.tokens import JWT_SECRET, hs256_token, unsigned_token, user_claims

pytestmark = pytest.mark.db
ROUTES = all_routes()
SENTINEL = "s3cr3t-peanut"
# What no answer may carry: a traceback, SQL, the driver's or the validator's own words.
LEAKS = re.compile(
    r"Traceback|File \"|psycopg|postgres|SQLSTATE|pydantic|input_value|\bselect\b.+\bfrom\b"
    r"|\binsert into\b|\bsyntax error\b|\x00",
    re.IGNORECASE,
)
DEEP = 10_000


def valid_body(route: Route, world: RouteWorld) -> Any:
    """A body the route accepts (or would, in some state of the ward): what mutations start from."""
    ward = str(world.ward)
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/grouping/policies"): {"name": "Fuzz", "min_group_size": 4, "age_bands": [18]},
        ("PUT", "/grouping/policies/{policy_id}"): {"target_group_size": 6, "name": "Fuzz"},
        ("POST", "/build-groups"): {
            "options": {"seed": 1, "scoring_weights": {"age": 0.5}, "age_bands": [18, 30]},
            "dry_run": True,
            "policy_id": str(world.policy),
            "event_id": str(world.event),
        },
        ("POST", "/events"): {"name": "Fuzz dinner", "event_date": "2026-12-04"},
        # Ids of nobody: the shape is valid, the database refuses the people (422).
        ("POST", "/events/{event_id}/locks"): {
            "participant_id": "00000000-0000-4000-8000-000000000001",
            "whole_group": True,
        },
        ("POST", "/events/{event_id}/apart-pairs"): {
            "participant_ids": [
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000002",
            ]
        },
        # A run's edits: ids of nobody, against the version before any edit.
        ("PATCH", "/runs/{run_id}/groups"): {
            "op": "move",
            "participant_id": "00000000-0000-4000-8000-000000000001",
            "to_group": 1,
            "expected_edit_seq": 0,
        },
        ("POST", "/runs/{run_id}/groups/{kind}"): {"expected_edit_seq": 0},
        ("PUT", "/me/health/sharing"): {"share_with_group": True},
        ("POST", "/venues"): {
            "name": "Fuzz",
            "group_capacity": 2,
            "seat_capacity": 12,
            "keeps_out": ["sesame"],
        },
        ("PUT", "/venues/{venue_id}"): {"cost": 50, "keeps_out": ["peanut"]},
        ("POST", "/runs/{run_id}/venue-plan"): {"dry_run": True, "preferred_areas": ["north"]},
        ("POST", "/events/{event_id}/registrations/import"): [
            {"Email": "fuzz@example.com", "Name": "Fuzz", "Age": "30", "Allergies": "sesame"}
        ],
        ("POST", "/api/ward-members/groups/preview"): {
            "wardBranchId": ward,
            "boundaryIndex": 0,
            "fraction": 0.5,
            "memberOffset": None,
            "boundaries": [2, 4, 5],
        },
        ("POST", "/api/ward-members/groups/{ward_branch_id}/restore"): {
            "auditId": 1,
            "expectedVersion": 0,
        },
        ("POST", "/api/ward-members/groups/bulk-update"): {
            "wardBranchId": ward,
            "assignments": [{"userHash": "adler1", "newGroup": "B", "householdId": None}],
            "expectedVersion": 0,
        },
        ("PUT", "/api/ward-members/roster/{wardBranchId}"): [
            {"userHash": "adler1", "firstName": "Avi", "lastName": "Adler", "householdId": "h1"},
            {"userHash": "baker1", "firstName": "Ben", "lastName": "Baker", "phone": "555-01"},
        ],
    }
    return bodies.get((route.method, route.path))


def deep_array(levels: int) -> str:
    return "[" * levels + "]" * levels


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


# Keys are named back as the field of a refusal (an unknown key is that field): no sentinel.
keys = (
    st.text(
        alphabet=st.characters(codec="utf-8") | st.sampled_from(["\x00", "\ud800", "\udfff"]),
        max_size=30,
    )
    | st.builds(lambda: "x" * 5_000)
    | st.sampled_from(["", " ", "A", "adler1", "h-adler", "name", "seed"])
)
texts = keys | st.sampled_from([SENTINEL + "\x00", SENTINEL + "\ud800"])
integers = st.integers() | st.sampled_from([2**63, -(2**63) - 1, 2**63 - 1, 10**30, -1, 0])
leaves = (
    st.none() | st.booleans() | integers | st.floats(allow_nan=False, allow_infinity=False) | texts
)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
# Raw text bodies: not JSON, half JSON, JSON a parser chokes on, JSON with NUL escapes.
raw_bodies = st.sampled_from(
    [
        "",
        "{",
        "[",
        '{"name":',
        "nul\x00",
        "\x00",
        "null",
        "true",
        "1e999",
        "-",
        "NaN",
        "Infinity",
        '{"name": "\\u0000"}',
        '{"name": "\\ud800"}',
        '[{"userHash": "\\u0000", "firstName": "", "lastName": ""}]',
        '{"auditId": 1e400, "expectedVersion": -1e400}',
        '{"a": 1, "a": [1]}',
        deep_array(DEEP),
        deep_object(DEEP),
        deep_array(900),
        "[" * DEEP,
    ]
) | st.text(alphabet=st.characters(codec="ascii"), max_size=40)


@st.composite
def mutated(draw: st.DrawFn, body: Any) -> Any:
    """`body` with one value (at any depth) replaced, or one key added or removed."""
    if body is None:
        return draw(json_values)
    if isinstance(body, dict) and body:
        key = draw(st.sampled_from(sorted(body)))
        action = draw(st.sampled_from(["replace", "recurse", "drop", "add"]))
        if action == "drop":
            return {k: v for k, v in body.items() if k != key}
        if action == "add":
            return {**body, draw(keys): draw(json_values)}
        inner = draw(mutated(body[key])) if action == "recurse" else draw(json_values)
        return {**body, key: inner}
    if isinstance(body, list) and body:
        index = draw(st.integers(0, len(body) - 1))
        action = draw(st.sampled_from(["replace", "recurse", "repeat"]))
        if action == "repeat":
            return body * draw(st.integers(2, 50))
        inner = draw(mutated(body[index])) if action == "recurse" else draw(json_values)
        return [*body[:index], inner, *body[index + 1 :]]
    return draw(json_values)


def forged_tokens() -> list[str | None]:
    claims = user_claims(admin=True)
    forged: list[str | None] = [
        None,
        "",
        "not-a-token",
        unsigned_token(claims),
        hs256_token(claims, b"not-the-project-secret"),
        hs256_token(user_claims(admin=True, exp=1), JWT_SECRET.encode()),
        hs256_token(user_claims(admin=True, sub=[1]), JWT_SECRET.encode()),
        hs256_token(user_claims(admin=True, role={"a": 1}), JWT_SECRET.encode()),
        hs256(b"{}"),
        *(hs256(raw) for raw in RAW_HEADERS),
    ]
    for field in ("alg", "kid", "typ"):
        forged += [hs256({"alg": "HS256", "typ": "JWT", field: value}) for value in JSON_VALUES]
    return forged


FORGED = forged_tokens()


def assert_no_5xx_and_no_leak(answer: Answer, route: Route) -> None:
    assert answer.status < 500, f"{route}: {answer.status} {answer.text[:500]}"
    assert not LEAKS.search(answer.text), f"{route}: {answer.text[:500]}"
    if answer.status >= 400:
        assert answer.headers["content-type"] == "application/problem+json", route
        assert SENTINEL not in answer.text, f"{route} echoed a value: {answer.text[:500]}"


def path_values(world: RouteWorld) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "00000000-0000-0000-0000-000000000000",
            "not-a-uuid",
            "%00",
            "1" * 300,
            "' or 1=1 --",
            "%F0%9F%98%80",
            "-1",
            "9223372036854775808",
            str(world.policy),
            str(world.run),
            str(world.ward),
            str(world.event),
        ]
    )


queries = st.sampled_from(
    [
        "",
        "include_archived=true",
        "include_archived=maybe",
        "include_archived=%00",
        "by=attendance",
        "by=members",
        "by=%00",
        "by=" + "x" * 2_000,
        "include_archived=1&include_archived=0",
        "status=open",
        "status=closed",
        "status=%00",
        "status=open&status=closed",
    ]
)


# The headers a route reads besides the token: the edit guard and the idempotency key.
header_values = st.sampled_from(
    [
        "2026-11-01T20:00:00+00:00",
        "9999-12-31T23:59:59.999999-23:59",
        "0001-01-01T00:00:00+23:59",
        "1e20",
        "99999999999",
        "\x00",
        "x" * 300,
        "k\u00e9y",
        "",
        "nightly-2026-11-01",
    ]
)
headers = st.dictionaries(st.sampled_from(["if-match", "idempotency-key"]), header_values)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_no_route_answers_5xx_to_anything(route_world: RouteWorld, data: st.DataObject) -> None:
    route = data.draw(st.sampled_from(ROUTES), label="route")
    real = route_world.ids()
    values = {
        name: data.draw(st.sampled_from([real[name]]) | path_values(route_world), label=name)
        for name in route.parameters
    }
    token = data.draw(st.sampled_from([route_world.token]) | st.sampled_from(FORGED), label="token")
    body = data.draw(
        st.one_of(
            mutated(valid_body(route, route_world)).map(json.dumps),
            raw_bodies,
            st.none(),
        ),
        label="body",
    )
    answer = route_world.call(
        route,
        route.with_parameters(values),
        token=token,
        body=body,
        query=data.draw(queries, label="query"),
        headers=data.draw(headers, label="headers"),
    )
    event(f"{answer.status // 100}xx")
    assert_no_5xx_and_no_leak(answer, route)


EXTREMES: dict[str, str] = {
    "deep-array": deep_array(DEEP),
    "deep-object": deep_object(DEEP),
    "unclosed": "[" * DEEP,
    "nul": '{"name": "a\\u0000b", "auditId": 1, "wardBranchId": "\\u0000"}',
    "nul-byte": "\x00" * 10,
    "huge-int": json.dumps({"auditId": 2**70, "expectedVersion": -(2**70), "seed": 10**40}),
    "oversized": json.dumps({"name": "x" * (MAX_BODY_BYTES + 1)}),
    "wide": json.dumps([{"userHash": str(i)} for i in range(30_000)]),
}


def test_the_fuzz_reaches_every_function_and_every_body(route_world: RouteWorld) -> None:
    assert {route.function for route in ROUTES} == set(http_handlers())
    assert {
        "whoami",
        "policies",
        "build_groups",
        "events_api",
        "ward_groups",
        "bulk_update",
    } <= set(http_handlers())
    takes_a_body = [
        r
        for r in ROUTES
        if r.method in ("POST", "PUT") and not r.path.endswith(("/activate", "/close"))
    ]
    assert [str(r) for r in takes_a_body if valid_body(r, route_world) is None] == []


# The export upload takes bodies up to what API Gateway hands a Lambda.
OVERSIZED_FOR = {"events_api": json.dumps({"name": "x" * (MAX_BODY_BYTES_LIMIT + 1)})}


def test_every_route_survives_the_extremes(route_world: RouteWorld) -> None:
    for kind, extreme in EXTREMES.items():
        for route in ROUTES:
            body = OVERSIZED_FOR.get(route.function, extreme) if kind == "oversized" else extreme
            path = route.with_parameters(route_world.ids())
            for token in (route_world.token, None):
                answer = route_world.call(route, path, token=token, body=body)
                assert_no_5xx_and_no_leak(answer, route)
                if kind == "oversized":
                    assert answer.status == 413, route


DEEP_MARK = "__deep__"
# What each value of a valid body is replaced with, one value at a time. The sentinel always
# comes with what the bounds refuse (NUL, a surrogate, a length), since a ward refusal names
# the offending member's `userHash` on purpose.
FIELD_EXTREMES: dict[str, Any] = {
    "nul": SENTINEL + "\x00",
    "surrogate": SENTINEL + "\ud800",
    "long": SENTINEL + "x" * 100_000,
    "int64+1": 2**63,
    "int64-1": -(2**63) - 1,
    "null": None,
    "object": {"key": [SENTINEL + "\x00"]},
    "list": [SENTINEL + "\x00"] * 100,
    "deep": DEEP_MARK,
}


def value_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside `value` (keys and indices), outermost first."""
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            yield (*prefix, key)
            yield from value_paths(child, (*prefix, key))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [*value[:head], replaced(value[head], rest, new), *value[head + 1 :]]


def test_every_value_of_every_body_survives_the_extremes(route_world: RouteWorld) -> None:
    for route in ROUTES:
        body = valid_body(route, route_world)
        path = route.with_parameters(route_world.ids())
        for where in value_paths(body):
            for extreme in FIELD_EXTREMES.values():
                text = json.dumps(replaced(body, where, extreme))
                text = text.replace(f'"{DEEP_MARK}"', deep_array(DEEP))
                assert_no_5xx_and_no_leak(route_world.call(route, path, body=text), route)


def test_every_route_refuses_forged_tokens_with_a_401(route_world: RouteWorld) -> None:
    # Every forged token on each function's first route (its auth dependency is the same for
    # all its routes); every tenth on the others. The fuzz above mixes them with the rest.
    functions_seen: set[str] = set()
    for route in ROUTES:
        first = route.function not in functions_seen
        functions_seen.add(route.function)
        path = route.with_parameters(route_world.ids())
        for token in FORGED if first else FORGED[::10]:
            answer = route_world.call(route, path, token=token, body=valid_body(route, route_world))
            assert_no_5xx_and_no_leak(answer, route)
            assert answer.status == 401, f"{route}: {answer.text}"
