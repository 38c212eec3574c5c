"""What every route gets for sure, beside the fuzz (test_fuzz_routes.py): whole-body
extremes (10,000 levels, oversized, NUL, huge integers, 30,000 entries), each extreme in
place of each value of the route's own body, and every forged token. No answer is a 500
or worse, none carries a traceback, SQL, a driver's name or (in a refusal) a value the
request sent, and a forged token is always a 401.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from functions.web.settings import MAX_BODY_BYTES_LIMIT
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
from tests.functions.route_world import MAX_BODY_BYTES, RouteWorld
from tests.functions.route_world import route_world as route_world

pytestmark = pytest.mark.db


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
