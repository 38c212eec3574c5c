"""The sentences of an explanation: "no kosher venue keeps sesame out", "all 3 ... are full"."""

from __future__ import annotations

from collections.abc import Sequence

from engine.grouping.report.reasons_words import allergen_name
from engine.venues.models import Change, PlanGroup, Venue, VenueBlock


def _names(allergens: Sequence[str], last: str) -> str:
    words = [allergen_name(allergen, "en") for allergen in sorted(allergens)]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def summary_sentence(group: PlanGroup, rule: str, counted: Sequence[VenueBlock]) -> str:
    """The group's blocking rule as one sentence about the venues that rule leaves."""
    noun = "kosher venue" if group.kosher else "venue"
    if rule == "no-venue":
        return "no venue is active"
    if rule == "kosher":
        return "the group is kosher and no active venue is kosher"
    severe = sorted(group.severe())
    if rule == "allergen":
        nobody = set(severe)
        for block in counted:
            nobody &= set(block["allergens"])
        if nobody:
            return f"no {noun} keeps {_names(sorted(nobody), 'or')} out"
        return f"no {noun} keeps out all of {_names(severe, 'and')}"
    keeps = f" that keep{{s}} {_names(severe, 'and')} out" if severe else ""
    if len(counted) == 1:
        return f"the only {noun}{keeps.format(s='s')} is full"
    every = "both" if len(counted) == 2 else f"all {len(counted)}"
    return f"{every} {noun}s{keeps.format(s='')} are full"


def change_sentence(change: Change, venues: Sequence[Venue]) -> str:
    """What the organiser could change, naming the venue (and the group to move to)."""
    name = next((venue.name for venue in venues if venue.id == change.venue_id), change.venue_id)
    if change.kind == "add-allergens":
        return f"{name} keeping {_names(change.allergens, 'and')} out would place the group"
    if change.kind == "more-capacity":
        more = []
        if change.more_groups:
            more.append(f"{change.more_groups} more group")
        if change.more_seats:
            more.append(f"{change.more_seats} more seat{'s' if change.more_seats > 1 else ''}")
        return f"{name} taking {' and '.join(more)} would place the group"
    return (
        f"moving the member with allergies to group {change.to_group} would let {name} "
        "take the group"
    )
