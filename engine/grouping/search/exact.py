"""Exact search for small pools: every way to split them, by dynamic programming over subsets."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# 3^10 subset steps at most: a few milliseconds, so small pools are solved to optimality.
EXACT_POOL_LIMIT = 10


def solve_exactly(
    members: Sequence[MemberFacts], rules: PoolRules
) -> tuple[list[list[MemberFacts]], list[MemberFacts]]:
    """The optimal grouping of a pool of at most EXACT_POOL_LIMIT members.

    Optimal as the spec orders groupings: most members placed, then the highest
    total of n*score(g). Ties go to the first split found, which is deterministic.
    """
    count = len(members)
    if count > EXACT_POOL_LIMIT:
        raise ValueError(f"exact search is limited to {EXACT_POOL_LIMIT} members")
    sizes = rules.sizes

    def group_of(mask: int) -> list[MemberFacts]:
        return [members[i] for i in range(count) if mask >> i & 1]

    @cache
    def best(mask: int) -> tuple[int, float, tuple[int, ...]]:
        if mask == 0:
            return (0, 0.0, ())
        lowest = mask & -mask
        rest = mask ^ lowest
        placed, total, chosen = best(rest)
        answer = (placed, total, chosen)
        subset = rest
        while True:
            group = subset | lowest
            if group.bit_count() in sizes:
                answer = _better(answer, group, best(mask ^ group), group_of(group), rules)
            if subset == 0:
                break
            subset = (subset - 1) & rest
        return answer

    _, _, chosen = best((1 << count) - 1)
    placed_mask = 0
    for mask in chosen:
        placed_mask |= mask
    left_out = [members[i] for i in range(count) if not placed_mask >> i & 1]
    return [group_of(mask) for mask in sorted(chosen)], left_out


def _better(
    current: tuple[int, float, tuple[int, ...]],
    group: int,
    remainder: tuple[int, float, tuple[int, ...]],
    group_members: list[MemberFacts],
    rules: PoolRules,
) -> tuple[int, float, tuple[int, ...]]:
    if not severe_ok(group_members, rules.severe_limit):
        return current
    placed = remainder[0] + len(group_members)
    total = remainder[1] + rules.scorer.value(group_members)
    if (placed, total) > (current[0], current[1] + 1e-12):
        return (placed, total, (*remainder[2], group))
    return current
