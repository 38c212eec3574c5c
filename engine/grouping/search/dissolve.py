"""Dissolving a group into the others: one group fewer, where that raises the total.

No step of the local search changes how many groups there are, and a group that would
be better spread among its neighbours (a short group of members who each fit better
elsewhere) stays until one step removes it whole. This is that step: every member of
the group goes to the group with room where it adds the most, and the change is kept
only when the total is higher.

The moves keep the largest allowed size and the severe-allergen limit, so the grouping
stays valid.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok


def dissolve_groups(groups: list[list[MemberFacts]], rules: PoolRules) -> bool:
    """Dissolve a group into the others wherever that raises the total (one group fewer).

    Each member of the dissolved group goes, in turn, to the group with room where it
    adds the most (keeping the severe-allergen limit); the change is kept only when the
    total is higher. Returns True when a group was dissolved.
    """
    value = rules.scorer.value
    largest, limit = rules.sizes.stop - 1, rules.severe_limit
    dissolved = False
    position = 0
    while position < len(groups):
        moved = _dissolve(groups, position, value, largest, limit)
        if moved is None:
            position += 1
            continue
        groups[:] = moved
        dissolved = True
    return dissolved


def _dissolve(
    groups: list[list[MemberFacts]],
    position: int,
    value: Callable[[list[MemberFacts]], float],
    largest: int,
    limit: int,
) -> list[list[MemberFacts]] | None:
    others = [list(g) for i, g in enumerate(groups) if i != position]
    if sum(largest - len(g) for g in others) < len(groups[position]):
        return None
    before = sum(value(g) for g in groups)
    for member in groups[position]:
        best_gain, best_index = float("-inf"), -1
        for index, group in enumerate(others):
            if len(group) >= largest:
                continue
            grown = [*group, member]
            if member.severe and not severe_ok(grown, limit):
                continue
            gain = value(grown) - value(group)
            if gain > best_gain:
                best_gain, best_index = gain, index
        if best_index < 0:
            return None
        others[best_index].append(member)
    if sum(value(g) for g in others) > before + IMPROVEMENT_EPSILON:
        return others
    return None
