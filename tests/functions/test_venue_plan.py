"""POST and GET /runs/{id}/venue-plan through Mangum on real PostgreSQL: a saved run's
groups planned into the venues (valid under the three rules), dry runs not saved, pins
kept and refused by name, admins only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.auth.verifier import TokenVerifier
from functions.venue_plan import handler as plan_handler
from functions.venues_api import handler as venues_handler
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

pytestmark = pytest.mark.db
Plan = Callable[..., Answer]
VENUES = [
    {"name": "Kosher hall", "kosher": True, "group_capacity": 3, "seat_capacity": 18,
     "keeps_out": ["sesame", "peanut"]},
    {"name": "Bistro", "group_capacity": 2, "seat_capacity": 12, "cost": 80},
]  # fmt: skip


@pytest.fixture
def plan(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Plan]:
    undo = [wire(m.app, api_world.settings, verifier) for m in (plan_handler, venues_handler)]
    tokens = {"admin": api_world.admin_token, "member": api_world.member_token}

    def invoke(method: str, path: str, *, token: str = "admin", **event: Any) -> Answer:
        module = venues_handler if path.startswith("/venues") else plan_handler
        return send(module.handler, method, path, token=tokens[token], **event)

    yield invoke
    for done in undo:
        done()
    # The world leaves venues alone: these tests remove what they made.
    api_world.db.execute("delete from public.venue_plans")
    api_world.db.execute("delete from public.venues")


@pytest.fixture
def run_id(api_world: ApiWorld, call: Call) -> str:
    api_world.seed_participants(40)
    api_world.add_policy("Weekly", active=True)
    created = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert created.status == 201, created.text
    return str(created.json()["run_id"])


def groups_of(api_world: ApiWorld, run_id: str) -> dict[str, tuple[bool, int, list[str]]]:
    rows = api_world.db.execute(
        "select id::text, kosher, size, allergy_summary -> 'severe' from public.groups"
        " where run_id = %s",
        [run_id],
    ).fetchall()
    return {row[0]: (row[1], row[2], list(row[3] or [])) for row in rows}


def test_a_run_is_planned_saved_and_read_back(api_world: ApiWorld, plan: Plan, run_id: str) -> None:
    venues = [plan("POST", "/venues", body=v).json() for v in VENUES]
    by_id = {v["id"]: v for v in venues}
    assert plan("GET", f"/runs/{run_id}/venue-plan").status == 404
    dry = plan("POST", f"/runs/{run_id}/venue-plan", body={"dry_run": True})
    assert dry.status == 200, dry.text
    assert dry.json()["saved"] is False
    assert plan("GET", f"/runs/{run_id}/venue-plan").status == 404
    made = plan("POST", f"/runs/{run_id}/venue-plan", body={})
    assert made.status == 200, made.text
    answer = made.json()["plan"]
    groups = groups_of(api_world, run_id)
    placed = answer["placements"]
    assert sorted(
        [p["group_id"] for p in placed] + [u["group_id"] for u in answer["unplaced"]]
    ) == sorted(groups)
    assert placed, "the run's groups fit in five places"
    for venue in venues:
        here = [groups[p["group_id"]][1] for p in placed if p["venue_id"] == venue["id"]]
        assert len(here) <= venue["group_capacity"] and sum(here) <= venue["seat_capacity"]
    for p in placed:
        kosher, _, severe = groups[p["group_id"]]
        venue = by_id[p["venue_id"]]
        assert venue["kosher"] or not kosher
        assert set(severe) <= set(venue["keeps_out"])
    read = plan("GET", f"/runs/{run_id}/venue-plan")
    assert read.status == 200 and read.json()["plan"] == answer
    saved = api_world.db.execute(
        "select count(*) from public.venue_assignments where run_id = %s", [run_id]
    ).fetchone()
    assert saved is not None and saved[0] == len(placed)


def test_a_pin_that_breaks_a_rule_is_a_422_naming_it(
    api_world: ApiWorld, plan: Plan, run_id: str
) -> None:
    venues = [plan("POST", "/venues", body=v).json() for v in VENUES]
    groups = groups_of(api_world, run_id)
    kosher = next((g for g, (k, _, _) in groups.items() if k), None)
    if kosher is None:
        pytest.skip("the seeded run has no kosher group")
    bistro = venues[1]["id"]
    body = {"pins": [{"group_id": kosher, "venue_id": bistro}]}
    answer = plan("POST", f"/runs/{run_id}/venue-plan", body=body)
    assert answer.status == 422, answer.text
    assert "pins[0]" in answer.text and "kosher" in answer.text


def test_a_pin_is_kept_by_the_next_plan(api_world: ApiWorld, plan: Plan, run_id: str) -> None:
    venues = [plan("POST", "/venues", body=v).json() for v in VENUES]
    groups = groups_of(api_world, run_id)
    free = next(g for g, (k, _, severe) in groups.items() if not k and not severe)
    bistro = venues[1]["id"]
    body = {"pins": [{"group_id": free, "venue_id": bistro}]}
    assert plan("POST", f"/runs/{run_id}/venue-plan", body=body).status == 200
    again = plan("POST", f"/runs/{run_id}/venue-plan", body={}).json()["plan"]
    assert {"group_id": free, "venue_id": bistro, "pinned": True} in [
        {k: p[k] for k in ("group_id", "venue_id", "pinned")} for p in again["placements"]
    ]


def test_venue_plans_are_for_admins(plan: Plan, run_id: str) -> None:
    assert plan("POST", f"/runs/{run_id}/venue-plan", token="member", body={}).status == 403
    assert plan("GET", f"/runs/{run_id}/venue-plan", token="member").status == 403


def test_the_run_report_shows_each_groups_venue(
    api_world: ApiWorld, plan: Plan, call: Call, run_id: str
) -> None:
    plan("POST", "/venues", body={**VENUES[1], "name": "Café <Rimon>", "group_capacity": 1})
    before = call("GET", f"/runs/{run_id}/report", token=api_world.admin_token)
    assert before.status == 200 and "Rimon" not in before.text
    made = plan("POST", f"/runs/{run_id}/venue-plan", body={}).json()["plan"]
    assert len(made["placements"]) == 1
    number = api_world.db.execute(
        "select group_number from public.groups where id = %s", [made["placements"][0]["group_id"]]
    ).fetchone()
    assert number is not None
    page = call("GET", f"/runs/{run_id}/report", token=api_world.admin_token).text
    card = page[page.index(f'id="group-{number[0]}"') :]
    card = card[: card.index("</article>")]
    # The venue's name, escaped, on its group's card and nowhere else.
    assert "Café &lt;Rimon&gt;" in card
    assert page.count("Café &lt;Rimon&gt;") == 1
