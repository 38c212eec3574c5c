"""The plan is the best valid one: checked against trying every assignment on small events."""

from __future__ import annotations

import itertools

from hypothesis import given, settings

from engine.venues.models import PlanGroup, PlanRequest, Venue, VenuePlan
from engine.venues.planner import plan_venues
from tests.unit.venues.strategies import requests

Score = tuple[int, int, int, int]


def _valid(group: PlanGroup, venue: Venue) -> bool:
    severe = {a for a, s in group.allergens.items() if s == "severe"}
    return venue.active and (venue.kosher or not group.kosher) and severe <= set(venue.keeps_out)


def _score(request: PlanRequest, chosen: dict[str, Venue]) -> Score:
    """(placed, -left to discretion, -outside the areas, -price), bigger is better."""
    prices = [v.cost for v in request.venues if v.cost is not None]
    default = max(prices, default=0)
    groups = {g.id: g for g in request.groups}
    left = outside = price = 0
    for group_id, venue in chosen.items():
        group = groups[group_id]
        left += sum(
            1 for a, s in group.allergens.items() if s != "severe" and a not in venue.keeps_out
        )
        outside += bool(request.preferred_areas) and venue.area not in request.preferred_areas
        price += (default if venue.cost is None else venue.cost) * group.size
    return (len(chosen), -left, -outside, -price)


def brute_force(request: PlanRequest) -> Score:
    options: list[list[Venue | None]] = [
        [None, *(v for v in request.venues if _valid(g, v))] for g in request.groups
    ]
    best: Score = (0, 0, 0, 0)
    for choice in itertools.product(*options):
        chosen = {g.id: v for g, v in zip(request.groups, choice, strict=True) if v is not None}
        ok = all(
            sum(1 for v in chosen.values() if v.id == venue.id) <= venue.group_capacity
            and sum(g.size for g in request.groups if chosen.get(g.id) is venue)
            <= venue.seat_capacity
            for venue in request.venues
        )
        if ok:
            best = max(best, _score(request, chosen))
    return best


def plan_score(request: PlanRequest, plan: VenuePlan) -> Score:
    venues = {v.id: v for v in request.venues}
    return _score(request, {p.group_id: venues[p.venue_id] for p in plan.placements})


@settings(max_examples=300, deadline=None)
@given(requests(max_groups=6, max_venues=3))
def test_the_plan_is_as_good_as_the_best_of_every_assignment(request: PlanRequest) -> None:
    plan = plan_venues(request)
    assert plan.optimal
    assert plan_score(request, plan) == brute_force(request)


def test_seats_decide_between_two_small_groups_and_one_large() -> None:
    # 12 seats, two places: the groups of 4 and 5 fit (9 seats), adding the 7 would not.
    venue = Venue(id="v", name="V", group_capacity=2, seat_capacity=12)
    groups = tuple(
        PlanGroup(id=f"g{n}", number=n, size=size, kosher=False)
        for n, size in ((1, 7), (2, 4), (3, 5))
    )
    plan = plan_venues(PlanRequest(groups=groups, venues=(venue,)))
    assert sorted(p.group_id for p in plan.placements) == ["g2", "g3"]
    assert [u.group_id for u in plan.unplaced] == ["g1"]
