"""Why a group found no venue: the rule each venue breaks, a sentence, the smallest fix.

Per venue, the first rule it breaks, in this order: inactive, kosher, allergen (the
group's severe allergens it does not keep out), full (no group place or too few seats
left after the plan). The plan is optimal, so every active venue breaks one. The
changes offered each place the group while every other placement stays as it is: a
venue with room adding the fewest allergens, a venue that already fits the rules
taking the least extra capacity, or (see moves.py) one member moving to another group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.grouping.options import GroupingOptions
from engine.venues.capacity import Residual
from engine.venues.models import (
    CANONICAL_ALLERGENS,
    BlockRule,
    Change,
    PlanGroup,
    Unplaced,
    UnplacedRule,
    Venue,
    VenueBlock,
)
from engine.venues.moves import member_move
from engine.venues.pins import refusal
from engine.venues.wording import change_sentence, summary_sentence


def explain_unplaced(
    groups: Sequence[PlanGroup],
    venues: Sequence[Venue],
    residual: Mapping[str, Residual],
    placed: Mapping[str, str],
    by_group: Mapping[str, PlanGroup],
    options: GroupingOptions | None,
) -> list[Unplaced]:
    """One entry per group left out, in the order given."""
    return [_explain(group, venues, residual, placed, by_group, options) for group in groups]


def _explain(
    group: PlanGroup,
    venues: Sequence[Venue],
    residual: Mapping[str, Residual],
    placed: Mapping[str, str],
    by_group: Mapping[str, PlanGroup],
    options: GroupingOptions | None,
) -> Unplaced:
    blocks = [_block(group, venue, residual) for venue in venues]
    rule, counted = _rule(group, blocks)
    changes = [
        change
        for change in (
            _add_allergens(group, venues, residual),
            _more_capacity(group, venues, residual),
            member_move(group, venues, residual, placed, by_group, options),
        )
        if change is not None
    ]
    changes.sort(key=lambda change: (_extent(change), _KINDS.index(change.kind)))
    sentence = summary_sentence(group, rule, counted)
    # Every value is made here: built without validation, as thousands are per plan.
    return Unplaced.model_construct(
        group_id=group.id, rule=rule, sentence=sentence, venues=blocks, changes=changes
    )


_KINDS = ("add-allergens", "more-capacity", "move-member")


def _extent(change: Change) -> int:
    return len(change.allergens) if change.kind == "add-allergens" else 1


def _block(group: PlanGroup, venue: Venue, residual: Mapping[str, Residual]) -> VenueBlock:
    left = residual.get(venue.id, Residual(0, 0))
    rule: BlockRule
    missing: list[str] = []
    if not venue.active:
        rule = "inactive"
    elif group.kosher and not venue.kosher:
        rule = "kosher"
    else:
        missing = sorted(group.severe() - venue.kept)
        rule = "allergen" if missing else "full"
    return {
        "venue_id": venue.id,
        "rule": rule,
        "allergens": missing,
        "free_groups": max(left.groups, 0),
        "free_seats": max(left.seats, 0),
    }


def _rule(group: PlanGroup, blocks: Sequence[VenueBlock]) -> tuple[UnplacedRule, list[VenueBlock]]:
    """The group's blocking rule, and the venues the sentence speaks of."""
    active = [block for block in blocks if block["rule"] != "inactive"]
    if not active:
        return "no-venue", []
    kosher = [block for block in active if block["rule"] != "kosher"]
    if not kosher:
        return "kosher", active
    fitting = [block for block in kosher if block["rule"] != "allergen"]
    if not fitting:
        return "allergen", kosher
    return "full", fitting


def _add_allergens(
    group: PlanGroup, venues: Sequence[Venue], residual: Mapping[str, Residual]
) -> Change | None:
    best: tuple[int, str, list[str]] | None = None
    for venue in venues:
        if not venue.active or (group.kosher and not venue.kosher):
            continue
        if not residual[venue.id].fits(group.size):
            continue
        missing = sorted(group.severe() - venue.kept)
        # An allergen outside the vocabulary (other:...) is one no kitchen can declare.
        if not missing or not set(missing) <= set(CANONICAL_ALLERGENS):
            continue
        if best is None or (len(missing), venue.id) < (best[0], best[1]):
            best = (len(missing), venue.id, missing)
    if best is None:
        return None
    change = Change(kind="add-allergens", venue_id=best[1], allergens=best[2], sentence="")
    return change.model_copy(update={"sentence": change_sentence(change, venues)})


def _more_capacity(
    group: PlanGroup, venues: Sequence[Venue], residual: Mapping[str, Residual]
) -> Change | None:
    best: tuple[int, int, str] | None = None
    for venue in venues:
        if refusal(group, venue) is not None:
            continue
        left = residual[venue.id]
        more = (max(0, 1 - left.groups), max(0, group.size - left.seats))
        if more == (0, 0):
            continue
        if best is None or (*more, venue.id) < best:
            best = (*more, venue.id)
    if best is None:
        return None
    change = Change(
        kind="more-capacity", venue_id=best[2], more_groups=best[0], more_seats=best[1], sentence=""
    )
    return change.model_copy(update={"sentence": change_sentence(change, venues)})
