"""Every route of every function, sent what no client should send, through Mangum on real
PostgreSQL: no answer is a 500 or worse, and no answer carries a traceback, SQL, a driver's
name or (in a refusal) a value the request sent.

Hypothesis draws a route, a token (a valid admin's who also manages the ward, none, or a
forged one: headers of every JSON type, garbage, no signature), path parameters (real ids,
other ids, not ids), a query string, and a body: the route's own valid body with one value
replaced (wrong types, integers outside int64, NUL and unpaired surrogates, deep and wide
JSON), or raw text (malformed JSON, deep nesting, NUL bytes). What every route gets for sure
is sent by the plain tests of test_fuzz_extremes.py: whole-body extremes (10,000 levels,
oversized, NUL, huge integers, 30,000 entries), each extreme in place of each value of the
route's own body, and every forged token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.functions.fuzz_inputs import (
    DEEP,
    FORGED,
    ROUTES,
    SENTINEL,
    assert_no_5xx_and_no_leak,
    deep_array,
    deep_object,
    valid_body,
)
from tests.functions.route_world import RouteWorld, http_handlers
from tests.functions.route_world import route_world as route_world

pytestmark = pytest.mark.db


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
