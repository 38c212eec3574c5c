"""plan_venues: the entry point, from a run's groups and the venues to a plan with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.grouping.options import GroupingOptions
from engine.venues.capacity import Residual
from engine.venues.errors import DuplicateIdError
from engine.venues.explain import explain_unplaced
from engine.venues.kinds import Kind, Room
from engine.venues.matching import best_matching
from engine.venues.models import Placement, PlanGroup, PlanRequest, PlanTotals, Venue, VenuePlan
from engine.venues.pins import checked_pins, refusal

T = TypeVar("T")
KindKey = tuple[bool, frozenset[str], frozenset[str], int]


@dataclass(frozen=True, slots=True)
class Preference:
    """The organiser's preference between venues: preferred areas first, then price."""

    areas: frozenset[str]
    default_price: int

    @classmethod
    def of(cls, request: PlanRequest) -> Preference:
        # A venue without a price counts as the dearest priced one: no venue wins by
        # leaving its price out.
        prices = [venue.cost for venue in request.venues if venue.cost is not None]
        return cls(frozenset(request.preferred_areas), max(prices, default=0))

    def outside(self, venue: Venue) -> bool:
        return bool(self.areas) and venue.area not in self.areas

    def price(self, venue: Venue) -> int:
        return self.default_price if venue.cost is None else venue.cost


def plan_venues(
    request: PlanRequest,
    *,
    options: GroupingOptions | None = None,
    node_budget: int | None = None,
) -> VenuePlan:
    """Assign each group to at most one venue, optimally, and explain every group left out.

    A kosher group only goes to a kosher venue, every severe allergen of a group is one
    the venue keeps out, and no venue takes more groups or seats than it has. Better is:
    more groups placed, then fewer moderate/mild allergens left to the venues'
    discretion, then fewer groups outside the preferred areas, then a lower total price
    (price per seat times seats). Pins are placed first and the rest planned around
    them. `options` (the run's grouping options) lets explanations suggest moving one
    member to another group; without them, no move is suggested. The same input in any
    order gives the same plan. Raises VenuePlanError subclasses on bad input.
    """
    groups = sorted(request.groups, key=lambda group: (group.number, group.id))
    venues = sorted(request.venues, key=lambda venue: venue.id)
    by_group = _unique({group.id: group for group in groups}, len(groups), "groups")
    by_venue = _unique({venue.id: venue for venue in venues}, len(venues), "venues")
    pinned = checked_pins(request.pins, by_group, by_venue)
    preference = Preference.of(request)
    active = [venue for venue in venues if venue.active]
    residual = {venue.id: Residual(venue.group_capacity, venue.seat_capacity) for venue in active}
    for group_id, venue_id in pinned.items():
        residual[venue_id] = residual[venue_id].minus(by_group[group_id].size)
    rooms = [_room(venue, residual[venue.id], preference) for venue in active]
    free = [group for group in groups if group.id not in pinned]
    kinds, members = _kinds(free)
    matching = best_matching(kinds, rooms, node_budget=node_budget)
    placed = dict(pinned)
    for (k, r), count in sorted(matching.counts.items()):
        for group in members[k][:count]:
            placed[group.id] = active[r].id
            residual[active[r].id] = residual[active[r].id].minus(group.size)
        members[k] = members[k][count:]
    _fill(free, active, placed, residual, preference)
    placements = [
        _placement(group, by_venue[placed[group.id]], group.id in pinned)
        for group in groups
        if group.id in placed
    ]
    unplaced_groups = [group for group in groups if group.id not in placed]
    in_order = {group.id: placed[group.id] for group in groups if group.id in placed}
    unplaced = explain_unplaced(unplaced_groups, venues, residual, in_order, by_group, options)
    return VenuePlan(
        placements=placements,
        unplaced=unplaced,
        totals=_totals(placements, by_group, by_venue, preference, len(groups)),
        optimal=matching.optimal,
    )


def _fill(
    groups: Sequence[PlanGroup],
    venues: Sequence[Venue],
    placed: dict[str, str],
    residual: dict[str, Residual],
    preference: Preference,
) -> None:
    """Each group still out goes to a venue that still takes it, the least left to the
    kitchen, then inside the areas, then the cheapest first. The matching's search can
    stop at its node budget short of the most placed; placing more is better before
    anything else, and an optimal matching leaves no such room (this adds nothing)."""
    # Only venues with a place left (most are full by now), room before the rules.
    open_ = [venue for venue in venues if residual[venue.id].groups > 0]
    for group in groups:
        if group.id in placed:
            continue
        fitting = [
            venue
            for venue in open_
            if residual[venue.id].fits(group.size) and refusal(group, venue) is None
        ]
        if not fitting:
            continue
        venue = min(
            fitting,
            key=lambda v: (
                len(group.discretionary() - set(v.keeps_out)),
                preference.outside(v),
                preference.price(v),
                v.id,
            ),
        )
        placed[group.id] = venue.id
        residual[venue.id] = residual[venue.id].minus(group.size)


def _unique(items: dict[str, T], count: int, field: str) -> dict[str, T]:
    if len(items) != count:
        raise DuplicateIdError(field, "two entries share an id; give each its own")
    return items


def _room(venue: Venue, residual: Residual, preference: Preference) -> Room:
    return Room(
        kosher=venue.kosher,
        keeps_out=frozenset(venue.keeps_out),
        free_groups=residual.groups,
        free_seats=residual.seats,
        outside_area=preference.outside(venue),
        price=preference.price(venue),
    )


def _kinds(groups: Sequence[PlanGroup]) -> tuple[list[Kind], list[list[PlanGroup]]]:
    by_key: dict[KindKey, list[PlanGroup]] = {}
    for group in groups:
        key = (group.kosher, group.severe(), group.discretionary(), group.size)
        by_key.setdefault(key, []).append(group)
    keys = sorted(by_key, key=lambda key: (key[0], sorted(key[1]), sorted(key[2]), key[3]))
    kinds = [Kind(*key, count=len(by_key[key])) for key in keys]
    return kinds, [by_key[key] for key in keys]


def _placement(group: PlanGroup, venue: Venue, pinned: bool) -> Placement:
    left = sorted(group.discretionary() - set(venue.keeps_out))
    return Placement(group_id=group.id, venue_id=venue.id, left_to_venue=left, pinned=pinned)


def _totals(
    placements: Sequence[Placement],
    groups: dict[str, PlanGroup],
    venues: dict[str, Venue],
    preference: Preference,
    count: int,
) -> PlanTotals:
    return PlanTotals(
        groups=count,
        placed=len(placements),
        left_to_venue=sum(len(p.left_to_venue) for p in placements),
        outside_preferred_areas=sum(preference.outside(venues[p.venue_id]) for p in placements),
        cost=sum(
            preference.price(venues[p.venue_id]) * groups[p.group_id].size for p in placements
        ),
    )
