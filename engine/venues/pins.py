"""Pins: an admin's placements, checked against the same rules as the plan's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.venues.errors import PinRefusedError
from engine.venues.models import Pin, PlanGroup, Venue


def refusal(group: PlanGroup, venue: Venue) -> str | None:
    """The first venue rule that stops `venue` feeding `group`, capacity aside."""
    if not venue.active:
        return "the venue is not active"
    if group.kosher and not venue.kosher:
        return "the group is kosher and the venue is not"
    missing = sorted(group.severe() - venue.kept)
    if missing:
        return f"the venue does not keep out the group's severe allergen(s) {', '.join(missing)}"
    return None


def checked_pins(
    pins: Sequence[Pin], groups: Mapping[str, PlanGroup], venues: Mapping[str, Venue]
) -> dict[str, str]:
    """group id -> venue id for every pin, or PinRefusedError naming the pin at fault."""
    placed: dict[str, str] = {}
    taken: dict[str, tuple[int, int]] = {}
    for index, pin in enumerate(pins):
        field = f"pins[{index}]"
        group, venue = groups.get(pin.group_id), venues.get(pin.venue_id)
        if group is None:
            raise PinRefusedError(f"{field}.group_id", "no such group in this run")
        if venue is None:
            raise PinRefusedError(f"{field}.venue_id", "no such venue")
        if pin.group_id in placed:
            raise PinRefusedError(f"{field}.group_id", "the group is pinned twice")
        problem = refusal(group, venue)
        if problem is not None:
            raise PinRefusedError(field, f"{problem}; pin it elsewhere")
        count, seats = taken.get(venue.id, (0, 0))
        count, seats = count + 1, seats + group.size
        if count > venue.group_capacity or seats > venue.seat_capacity:
            raise PinRefusedError(field, "the venue has no room left for the group; pin fewer")
        taken[venue.id] = (count, seats)
        placed[group.id] = venue.id
    return placed
