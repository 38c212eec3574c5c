"""Pair splits: two groups split again in the best way, any number of members at once.

The local search moves one member or swaps two between a pair of groups, each step
improving on its own, so it misses changes that only pay together (the score has
steps: the age penalty stops growing at a 10-year spread, the majority-allergic
penalty and the most common diet switch at a threshold). `best_split` tries every
split of a pair's members into two groups of allowed sizes, so any number of members
can change sides in one step; `polish_pairs` does so for every pair until none
improves. Windows cut into another number of groups (search/windows.py) are polished
this way before they are judged, because the orderings that cut them put alike
members together, not the best mixes.

Every split keeps the sizes and the severe-allergen limit, and is kept only when the
total is higher.
"""

from __future__ import annotations

from itertools import combinations

from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# A pair is split exhaustively only when its members are at most this many.
SPLIT_LIMIT = 12


def polish_pairs(groups: list[list[MemberFacts]], rules: PoolRules) -> bool:
    """Best splits of every pair of `groups` until none improves; True when one did."""
    any_change = False
    changed = True
    while changed:
        changed = False
        for first in range(len(groups)):
            for second in range(first + 1, len(groups)):
                split = best_split(groups[first], groups[second], rules)
                if split is not None:
                    groups[first], groups[second] = split
                    changed = any_change = True
    return any_change


def best_split(
    one: list[MemberFacts], two: list[MemberFacts], rules: PoolRules
) -> tuple[list[MemberFacts], list[MemberFacts]] | None:
    """The best two groups the members of `one` and `two` can form, when better than now.

    Every split into two groups of allowed sizes is tried once per distinct make-up of
    kinds, so pairs of at most SPLIT_LIMIT members cost a few hundred evaluations.
    """
    members = one + two
    count = len(members)
    if count > SPLIT_LIMIT:
        return None
    value = rules.scorer.value
    limit = rules.severe_limit
    sizes = rules.sizes
    best_value = value(one) + value(two) + IMPROVEMENT_EPSILON
    best: tuple[list[MemberFacts], list[MemberFacts]] | None = None
    first, rest = members[0], members[1:]
    seen: set[tuple[int, ...]] = set()
    for size in sizes:
        if count - size not in sizes:
            continue
        for chosen in combinations(range(count - 1), size - 1):
            side = [first, *(rest[i] for i in chosen)]
            key = tuple(sorted(m.kind for m in side))
            if key in seen:
                continue
            seen.add(key)
            taken = set(chosen)
            other = [m for i, m in enumerate(rest) if i not in taken]
            total = value(side) + value(other)
            if total > best_value and severe_ok(side, limit) and severe_ok(other, limit):
                best_value, best = total, (side, other)
    return best
