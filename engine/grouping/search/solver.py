"""Solve one compatible pool: exactly when small, else construct, repair, improve."""

from __future__ import annotations

import random

from engine.grouping.search.construct import cut_ordering, pool_orderings
from engine.grouping.search.exact import EXACT_POOL_LIMIT, solve_exactly
from engine.grouping.search.limits import SearchLimits, StopRule
from engine.grouping.search.local_search import improve
from engine.grouping.search.repair import exchange_with_left_out, place_left_out
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import MemberFacts

# Pools up to this size are solved to optimality rather than searched.
EXACT_POOL_SIZE = EXACT_POOL_LIMIT


def solve_pool(
    members: list[MemberFacts],
    rules: PoolRules,
    *,
    limits: SearchLimits,
    rng: random.Random,
    stop: StopRule,
) -> PoolSolution:
    """The best grouping the search finds for one pool, always valid.

    Only the local search asks `stop`: construction and repair are what make the
    grouping valid and place everyone they can, so they always run to the end.
    """
    if len(members) <= EXACT_POOL_SIZE:
        groups, left_out = solve_exactly(members, rules)
        return PoolSolution(groups, left_out)
    cuts = [cut_ordering(order, rules) for order in pool_orderings(members)]
    _, groups, left_out = max(cuts, key=lambda cut: cut[0])
    left_out = place_left_out(groups, left_out, rules)
    stopped = improve(groups, rules, limits=limits, rng=rng, stop=stop)
    left_out = place_left_out(groups, left_out, rules)
    exchange_with_left_out(groups, left_out, rules)
    return PoolSolution(groups, left_out, stopped)
