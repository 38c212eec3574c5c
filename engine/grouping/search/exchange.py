"""Cyclic exchanges: one member out of every group, all of them put back at once, optimally.

A swap exchanges two members; many improvements need a member to go from group A to
B, B's to C and C's back to A, or longer cycles, none of which pays alone. Choosing
one member of each group and putting the chosen members back, one a group, is an
assignment problem: the best way to do it (every cycle of any length at once) is found
exactly by the Hungarian algorithm over the values of each group with each chosen
member. Putting each member back where it was is one of the ways, so a round never
loses; it changes the grouping only when it gains.
"""

from __future__ import annotations

import random

from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# A value that no assignment would choose: a member a group cannot take.
FORBIDDEN = -1e9
# At most this many groups take part in one round (the algorithm is cubic in them): in
# a larger pool, a window of groups neighbouring in mean age, a new one each round.
CYCLE_GROUPS = 12


def cyclic_exchanges(
    groups: list[list[MemberFacts]], rules: PoolRules, *, rounds: int, rng: random.Random
) -> bool:
    """`rounds` rounds of ejecting one random member per group and reassigning all of them.

    Returns True when any round improved the total. `groups` changes in place (and in
    a pool of more than CYCLE_GROUPS groups, its order does too).
    """
    if len(groups) < 3:
        return False  # two groups: a cycle is a swap, which the local search tries
    value = rules.scorer.value
    limit = rules.severe_limit
    improved = False
    if len(groups) > CYCLE_GROUPS:
        # Neighbours in age first, so that a window of them holds the likely cycles.
        groups.sort(key=lambda g: (sum(m.age or 0 for m in g) / len(g), g[0].index))
    for _ in range(rounds):
        start = (
            int(rng.random() * (len(groups) - CYCLE_GROUPS + 1))
            if len(groups) > CYCLE_GROUPS
            else 0
        )
        window = range(start, min(len(groups), start + CYCLE_GROUPS))
        chosen = [groups[i] for i in window]
        picks = [int(rng.random() * len(g)) for g in chosen]
        ejected = [g[p] for g, p in zip(chosen, picks, strict=True)]
        holes = [[*g[:p], *g[p + 1 :]] for g, p in zip(chosen, picks, strict=True)]
        current = sum(value(g) for g in chosen)
        gains = []
        for hole in holes:
            row = []
            for member in ejected:
                grown = [*hole, member]
                if member.severe and not severe_ok(grown, limit):
                    row.append(FORBIDDEN)
                else:
                    row.append(value(grown))
            gains.append(row)
        assignment = best_assignment(gains)
        total = sum(gains[i][j] for i, j in enumerate(assignment))
        if total > current + IMPROVEMENT_EPSILON:
            for i, j in enumerate(assignment):
                groups[window[i]] = [*holes[i], ejected[j]]
            improved = True
    return improved


def best_assignment(gains: list[list[float]]) -> list[int]:
    """The column of each row that maximises the total gain (a square matrix).

    The Hungarian algorithm with potentials, O(n^3): rows are added one at a time and
    each is placed along a shortest augmenting path of reduced costs (indices are
    1-based inside, as the algorithm is usually written; column 0 is a free start).
    """
    n = len(gains)
    state = _Potentials(n)
    for row in range(1, n + 1):
        state.add_row(row, gains)
    assignment = [0] * n
    for j in range(1, n + 1):
        assignment[state.owner[j] - 1] = j - 1
    return assignment


class _Potentials:
    __slots__ = ("n", "owner", "u", "v", "way")

    def __init__(self, n: int) -> None:
        self.n = n
        self.u = [0.0] * (n + 1)
        self.v = [0.0] * (n + 1)
        self.owner = [0] * (n + 1)  # owner[column]: the row assigned to it
        self.way = [0] * (n + 1)

    def add_row(self, row: int, gains: list[list[float]]) -> None:
        n, u, v, owner, way = self.n, self.u, self.v, self.owner, self.way
        owner[0] = row
        column = 0
        lowest = [float("inf")] * (n + 1)
        used = [False] * (n + 1)
        while owner[column] != 0 or column == 0:
            used[column] = True
            current_row = owner[column]
            delta, next_column = float("inf"), 0
            costs, base = gains[current_row - 1], u[current_row]
            for j in range(1, n + 1):
                if not used[j]:
                    reduced = -costs[j - 1] - base - v[j]
                    if reduced < lowest[j]:
                        lowest[j], way[j] = reduced, column
                    if lowest[j] < delta:
                        delta, next_column = lowest[j], j
            for j in range(n + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    lowest[j] -= delta
            column = next_column
        while column:
            previous = way[column]
            owner[column] = owner[previous]
            column = previous
