"""The third kind of fix: one member moves to another group, under the group rules.

The plan sees groups, not people: a group's summary says which allergens it holds but
not who holds them. Only when one member has all of them (`members_with_allergies` is
1) is it known what moving that member takes away and brings, so only then is a move
offered. The move must keep the grouping's own rules (engine/grouping: the allowed
sizes and the severe-allergen limit, checked by its `severe_ok`; kosher_only and the
age band as its pools split people) and the target group's venue must still feed it;
a member of a kosher group is taken to keep kosher, and the group left behind to stay
kosher. The group, now without allergens, then needs a venue with room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.grouping.options import GroupingOptions
from engine.grouping.search.scoring import MemberFacts, severe_ok
from engine.venues.capacity import Residual
from engine.venues.models import Change, PlanGroup, Venue
from engine.venues.wording import change_sentence


def member_move(
    group: PlanGroup,
    venues: Sequence[Venue],
    residual: Mapping[str, Residual],
    placed: Mapping[str, str],
    by_group: Mapping[str, PlanGroup],
    options: GroupingOptions | None,
) -> Change | None:
    """Moving the one allergic member to a placed group, when the rules and venues allow;
    `placed` (group id -> venue id) in group order, the first fitting group is offered."""
    if options is None or group.members_with_allergies != 1 or not group.severe():
        return None
    sizes = range(options.min_group_size, options.target_group_size + 1)
    if group.size - 1 not in sizes:
        return None
    by_venue = {venue.id: venue for venue in venues}
    mover = _facts(1, group.kosher, group.severe())
    for target_id, venue_id in placed.items():  # in group order (the planner's)
        target = by_group[target_id]
        if target.size + 1 not in sizes or not _same_pool(group, target, options):
            continue
        together = [_facts(0, target.kosher, target.severe()), mover]
        if not severe_ok(together, options.max_allergy_count):
            continue
        venue = by_venue[venue_id]
        severe = target.severe() | group.severe()
        if residual[venue_id].seats < 1 or not _feeds(venue, target.kosher or group.kosher, severe):
            continue
        home = _home(group, venues, residual, venue_id)
        if home is not None:
            change = Change(
                kind="move-member", venue_id=home.id, to_group=str(target.number), sentence=""
            )
            return change.model_copy(update={"sentence": change_sentence(change, venues)})
    return None


def _facts(index: int, kosher: bool, severe: frozenset[str]) -> MemberFacts:
    # Only `severe` matters to rule 3; the rest is neutral.
    return MemberFacts(index, None, 0, kosher, (), severe, index)


def _same_pool(group: PlanGroup, target: PlanGroup, options: GroupingOptions) -> bool:
    if target.id == group.id:
        return False
    if options.kosher_only and target.kosher != group.kosher:
        return False
    return options.age_policy != "banded" or target.age_band == group.age_band


def _feeds(venue: Venue, kosher: bool, severe: frozenset[str]) -> bool:
    return (venue.kosher or not kosher) and severe <= venue.kept


def _home(
    group: PlanGroup, venues: Sequence[Venue], residual: Mapping[str, Residual], target_venue: str
) -> Venue | None:
    """A venue with room for the group once its allergic member has left."""
    for venue in venues:
        if not venue.active or (group.kosher and not venue.kosher):
            continue
        left = residual[venue.id]
        if venue.id == target_venue:
            left = Residual(left.groups, left.seats - 1)
        if left.fits(group.size - 1):
            return venue
    return None
