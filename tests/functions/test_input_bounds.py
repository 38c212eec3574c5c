"""Every request field has a bound, through the functions on real PostgreSQL: integers within
int64, text of bounded length without NUL or unpaired surrogates (PostgreSQL text holds
neither), bounded lists, and build-groups options checked against the engine's fields before
anything else. Each refusal is a 422 naming the field, never echoing the value, and writes
nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.web.bounds import INT64_MAX, INT64_MIN, MAX_ITEMS, MAX_TEXT_LENGTH
from tests.functions.events import Answer
from tests.functions.route_world import Route, RouteWorld, all_routes
from tests.functions.route_world import route_world as route_world

pytestmark = pytest.mark.db
ROUTES = {(route.method, route.path): route for route in all_routes()}
TOO_BIG = [INT64_MAX + 1, INT64_MIN - 1, 2**100]
NUL = "Friday\x00dinner"
LONG = "x" * (MAX_TEXT_LENGTH + 1)
ROSTER_PATH = "/api/ward-members/roster/{wardBranchId}"
BULK_PATH = "/api/ward-members/groups/bulk-update"
RESTORE_PATH = "/api/ward-members/groups/{ward_branch_id}/restore"
PREVIEW_PATH = "/api/ward-members/groups/preview"


def send(world: RouteWorld, method: str, path: str, body: Any, **event: Any) -> Answer:
    route: Route = ROUTES[method, path]
    return world.call(route, route.with_parameters(world.ids()), body=body, **event)


def assert_refused(answer: Answer, field: str, *secrets: str) -> None:
    assert answer.status == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]], answer.text
    for secret in secrets:
        assert secret not in answer.text


def policies(world: RouteWorld) -> list[tuple[Any, ...]]:
    return world.api.db.execute("select id, name from public.grouping_policies").fetchall()


def roster(world: RouteWorld) -> list[tuple[Any, ...]]:
    return world.api.db.execute(
        "select user_hash, first_name, last_name from public.ward_members"
        " where ward_branch_id = %s order by user_hash",
        [world.ward],
    ).fetchall()


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize("field", ["auditId", "expectedVersion"])
def test_a_restore_outside_int64_is_a_422_naming_the_field(
    route_world: RouteWorld, field: str, value: int
) -> None:
    body = {"auditId": 1, "expectedVersion": 0, field: value}
    assert_refused(send(route_world, "POST", RESTORE_PATH, body), field, str(value))


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_bulk_update_version_outside_int64_is_a_422(route_world: RouteWorld, value: int) -> None:
    body = {"wardBranchId": str(route_world.ward), "assignments": [], "expectedVersion": value}
    assert_refused(send(route_world, "POST", BULK_PATH, body), "expectedVersion")


def test_preview_boundaries_outside_int64_are_a_422(route_world: RouteWorld) -> None:
    body = {
        "wardBranchId": str(route_world.ward),
        "boundaryIndex": 0,
        "fraction": 0.5,
        "boundaries": [INT64_MAX + 1, 2, 3],
    }
    assert_refused(send(route_world, "POST", PREVIEW_PATH, body), "boundaries.0")


@pytest.mark.parametrize("name", [NUL, LONG, "\ud800 Friday"], ids=["nul", "long", "surrogate"])
def test_a_policy_name_postgresql_cannot_store_is_a_422(route_world: RouteWorld, name: str) -> None:
    before = policies(route_world)
    created = send(route_world, "POST", "/grouping/policies", {"name": name})
    assert_refused(created, "name", "dinner")
    edited = send(route_world, "PUT", "/grouping/policies/{policy_id}", {"name": name})
    assert_refused(edited, "name", "dinner")
    assert policies(route_world) == before


@pytest.mark.parametrize("field", ["max_allergy_count", "min_group_size"])
def test_policy_integers_outside_int64_are_a_422_naming_the_field(
    route_world: RouteWorld, field: str
) -> None:
    created = send(route_world, "POST", "/grouping/policies", {"name": "Big", field: 2**64})
    assert_refused(created, field)
    edited = send(route_world, "PUT", "/grouping/policies/{policy_id}", {field: 2**64})
    assert_refused(edited, field)


def test_policy_age_bands_outside_int64_are_a_422(route_world: RouteWorld) -> None:
    body = {"name": "Bands", "age_bands": [18, 2**70]}
    assert_refused(send(route_world, "POST", "/grouping/policies", body), "age_bands")


@pytest.mark.parametrize(
    ("field", "value"),
    [("firstName", NUL), ("lastName", LONG), ("address", NUL), ("userHash", "\ud800")],
)
def test_a_roster_entry_postgresql_cannot_store_is_a_422_and_nothing_changes(
    route_world: RouteWorld, field: str, value: str
) -> None:
    before = roster(route_world)
    entry = {"userHash": "new1", "firstName": "Noa", "lastName": "Levi", field: value}
    answer = send(route_world, "PUT", ROSTER_PATH, [entry])
    assert_refused(answer, f"0.{field}", "dinner")
    assert roster(route_world) == before


def test_a_roster_of_more_than_max_items_is_a_422(route_world: RouteWorld) -> None:
    entries = [{"userHash": f"{i}", "firstName": "", "lastName": ""} for i in range(MAX_ITEMS + 1)]
    assert_refused(send(route_world, "PUT", ROSTER_PATH, entries), "body")


@pytest.mark.parametrize(("field", "value"), [("householdId", NUL), ("newGroup", LONG)])
def test_a_bulk_update_entry_out_of_bounds_is_a_422(
    route_world: RouteWorld, field: str, value: str
) -> None:
    change = {"userHash": "adler1", "newGroup": "B", "householdId": None, field: value}
    body = {"wardBranchId": str(route_world.ward), "assignments": [change], "expectedVersion": 0}
    assert_refused(send(route_world, "POST", BULK_PATH, body), f"assignments.0.{field}")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"seed": 2**64}, "options.seed"),
        ({"age_bands": [18, 2**70]}, "options.age_bands"),
        ({"max_allergy_count": INT64_MIN - 1}, "options.max_allergy_count"),
        ({"min_group_size": "four"}, "options.min_group_size"),
        ({"scoring_weights": {"age": [[[[0.5]]]]}}, "options.scoring_weights.age"),
        ({"unknown": {"deep": [[[[[[[[1]]]]]]]]}}, "options.unknown"),
    ],
)
def test_build_groups_options_are_checked_before_anything_runs(
    route_world: RouteWorld, options: dict[str, Any], field: str
) -> None:
    # An archived policy would be a 409, and the run would be claimed or saved: neither
    # happens, since the options are refused first.
    db = route_world.api.db
    db.execute("update public.grouping_policies set archived_at = now(), is_active = false")
    runs = route_world.api.runs()
    body = {"options": options, "policy_id": str(route_world.policy)}
    answer = send(route_world, "POST", "/build-groups", body, headers={"idempotency-key": "k1"})
    assert_refused(answer, field)
    assert route_world.api.runs() == runs
    assert db.execute("select count(*) from public.run_claims").fetchone() == (0,)


def test_valid_build_groups_options_still_run(route_world: RouteWorld) -> None:
    options = {"seed": 7, "scoring_weights": {"age": 1}, "age_bands": [18, 40]}
    answer = send(route_world, "POST", "/build-groups", {"options": options, "dry_run": True})
    assert answer.status == 200, answer.text
    assert answer.json()["options"]["seed"] == 7


@pytest.mark.parametrize("key", ["a\x00b", "x" * 201, "k\u00e9y", ""])
def test_an_idempotency_key_out_of_bounds_is_a_422(route_world: RouteWorld, key: str) -> None:
    route = ROUTES["POST", "/build-groups"]
    answer = route_world.call(route, body={}, headers={"idempotency-key": key})
    assert_refused(answer, "header.Idempotency-Key")


def test_a_refusal_never_echoes_the_value(route_world: RouteWorld) -> None:
    secret = "peanut-allergy-severe"
    body = {"name": secret + "\x00", "max_allergy_count": 2**64}
    answer = send(route_world, "POST", "/grouping/policies", body)
    assert answer.status == 422
    assert secret not in answer.text and str(2**64) not in answer.text
    assert json.loads(answer.text)["errors"]
