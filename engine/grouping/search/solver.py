"""Solve one compatible pool: exactly when small, else construct, repair, improve, refine.

Pools of up to ten are solved exactly. Larger ones are cut by construction (the best
contiguous cut of two orderings), repaired (everyone placed who can be) and improved
by the local search of moves and swaps between neighbouring groups. Pools of up to
ANNEAL_LIMIT members, where that leaves the optimum a few coordinated changes away,
are then refined (`_refine`): an annealing walk from the grouping (moves and swaps
that may lose for a while, the number of groups free), windows of groups cut again,
cyclic exchanges among all groups, the whole sequence cut again, a group dissolved,
windows of groups merged (their best cover by groups the walks formed, search/merge.py),
and the local search and pair splits once more; `limits.refine_rounds` rounds of it,
each from the best so far, with the groups of every round's walk kept for the merging
(one round for a large run, up to four for a run of 36-50), from two starts in a run
of up to a hundred (`limits.starts`, the rounds halved); in a mid-size run, the
best disjoint set of all those groups, by a MIP (search/setpart.py), then its windows
merged once more over every column (the MIP keeps only the cheapest). Larger pools
(the 10,000-participant benchmark's) stop after the local search: their groups are
many and alike, and the refinement would cost more than it gains there.

Every step draws only from the `rng` passed in and counts its own work (no clock), so
a seed gives one result; `stop` is asked by the local search and the annealing walk,
the only steps whose length grows with the effort, and the grouping is valid whenever
it fires.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.grouping.search.anneal import anneal
from engine.grouping.search.construct import cut_ordering, pool_orderings
from engine.grouping.search.dissolve import dissolve_groups
from engine.grouping.search.exact import EXACT_POOL_LIMIT, solve_exactly
from engine.grouping.search.exact_windows import exact_windows
from engine.grouping.search.exchange import cyclic_exchanges
from engine.grouping.search.limits import SearchLimits, StopRule
from engine.grouping.search.local_search import improve
from engine.grouping.search.merge import ColumnPool, merge_windows
from engine.grouping.search.objective import better, objective
from engine.grouping.search.pairs import polish_pairs
from engine.grouping.search.repair import exchange_with_left_out, place_left_out
from engine.grouping.search.resplit import resplit
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import MemberFacts
from engine.grouping.search.setpart import partition
from engine.grouping.search.windows import recreate_windows

# Pools up to this size are solved to optimality rather than searched.
EXACT_POOL_SIZE = EXACT_POOL_LIMIT
# Pools up to this size are refined after the local search.
ANNEAL_LIMIT = 300
# Pairs of groups are all split again in pools up to this size (a pool of 40 has ~28
# pairs of groups of a few hundred splits each); larger pools skip it.
SPLIT_POOL_LIMIT = 40
# Up to this size, cuts of windows into another number of groups have their pairs split.
MID_POOL_LIMIT = 150
WINDOW_ROUNDS = 3
EXCHANGE_ROUNDS = 20


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
    if not stopped and len(members) <= ANNEAL_LIMIT:
        # The groups every round's walk formed, for the merging of all rounds.
        columns = ColumnPool(rules)
        search = _Search(rules, limits, rng, stop, columns)
        best: tuple[tuple[int, float], list[list[MemberFacts]], list[MemberFacts]] | None = None
        for _ in range(limits.starts):
            start = ([list(g) for g in groups], list(left_out))
            found, rest, stopped = _rounds(*start, search)
            score = objective(found, rules)
            if best is None or better(score, best[0]):
                best = (score, found, rest)
            if stopped:
                break
        assert best is not None  # at least one start
        _, groups, left_out = best
        if not stopped and limits.partition:
            groups, left_out = partition(groups, left_out, columns)
            # The MIP takes only columns of small reduced cost; the windows take every
            # column inside them, so they still find what the MIP's cut-off dropped.
            left_out, _ = merge_windows(groups, left_out, columns)
    exchange_with_left_out(groups, left_out, rules)
    return PoolSolution(groups, left_out, stopped)


@dataclass(frozen=True, slots=True)
class _Search:
    """What every round of one pool's refinement shares: its rules, limits, draws, stopping
    rule, and the columns (every group seen) the merging and the MIP choose from."""

    rules: PoolRules
    limits: SearchLimits
    rng: random.Random
    stop: StopRule
    columns: ColumnPool


def _rounds(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], search: _Search
) -> tuple[list[list[MemberFacts]], list[MemberFacts], bool]:
    """`limits.refine_rounds` rounds of refinement, each from the best so far."""
    stopped = False
    limits = search.limits
    for round_ in range(limits.refine_rounds):
        # The partition's MIP covers all the last round's windows would, and more.
        last = round_ == limits.refine_rounds - 1
        merge = limits.merge and not (last and limits.partition)
        groups, left_out, stopped = _refine(groups, left_out, search, merge=merge)
        if stopped:
            break
    return groups, left_out, stopped


def _refine(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    search: _Search,
    *,
    merge: bool,
) -> tuple[list[list[MemberFacts]], list[MemberFacts], bool]:
    """One round of refinement: annealing, the regrouping steps, merging, polishing.

    Every group the walk forms joins `columns`, which the rounds share, so that a
    later round's merging can combine groups of several walks.
    """
    rules, limits, rng, stop, columns = (
        search.rules,
        search.limits,
        search.rng,
        search.stop,
        search.columns,
    )
    members = sum(len(g) for g in groups) + len(left_out)
    steps = limits.anneal_steps * members
    walked = anneal(groups, left_out, rules, steps=steps, rng=rng, stop=stop)
    groups, left_out, stopped = walked.groups, walked.left_out, walked.stopped
    columns.values.update(walked.seen)
    if stopped:
        return groups, place_left_out(groups, left_out, rules), True
    for _ in range(WINDOW_ROUNDS if members <= MID_POOL_LIMIT else 1):
        left_out, improved, stopped = recreate_windows(
            groups,
            left_out,
            rules,
            widths=(2, 3, 4),
            rng=rng,
            stop=stop,
            split_cuts=members <= SPLIT_POOL_LIMIT,
        )
        if stopped or not improved:
            break
    cyclic_exchanges(groups, rules, rounds=EXCHANGE_ROUNDS, rng=rng)
    left_out, _ = exact_windows(groups, left_out, rules, rng)
    while (cut := resplit(groups, left_out, rules)) is not None:
        groups, left_out = cut
        if members <= SPLIT_POOL_LIMIT:
            polish_pairs(groups, rules)
    left_out = place_left_out(groups, left_out, rules)
    if dissolve_groups(groups, rules):
        left_out = place_left_out(groups, left_out, rules)
    if merge:
        left_out, _ = merge_windows(groups, left_out, columns)
    if not stopped:
        stopped = improve(groups, rules, limits=limits, rng=rng, stop=stop)
    if members <= SPLIT_POOL_LIMIT:
        polish_pairs(groups, rules)
    return groups, left_out, stopped
