"""The exact matching: a min-cost flow relaxation, seats kept by branch and bound.

Kinds the flow cannot tell apart (same size, same kitchens at the same discretion
cost) are merged into one supply node. The relaxation (relaxation.py) is a min-cost
flow whose least cost places the most groups and then orders plans by the rest of the
objective (see `Weights`); it keeps seats only as far as a flow can (at most
seats // s groups of size s or more at a venue). Seats make the problem a multiple
knapsack (NP-hard in general), so they are kept by branch and bound: a venue over its
seats in a relaxed plan holds x groups of some size s, and every plan that keeps its
seats has, for some size there, at most x - 1 of them, so branching on "at most x - 1
of size s here" for each size loses no valid plan. A branch whose relaxed value is no
better than the best valid plan found is cut, and each branch is re-solved from its
parent's flow. The first valid plan comes from a dive (`_dive`): fewer of the largest
groups where seats run over, until none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from engine.venues.kinds import Kind, Kitchen, Room, Weights, kitchens
from engine.venues.relaxation import Counts, Problem, Relaxation

Objective = tuple[int, int]  # (-groups placed, cost): smaller is better


@dataclass(slots=True)
class Matching:
    counts: Counts
    objective: Objective
    optimal: bool = True


def best_matching(
    kinds: Sequence[Kind], rooms: Sequence[Room], *, node_budget: int | None = None
) -> Matching:
    """The best valid plan: most groups placed, then least cost, seats kept.

    `node_budget` bounds the branch and bound (branches solved); when it runs out the
    best valid plan found is returned with `optimal` false. By default it is
    `default_node_budget` of the problem's size.
    """
    layout = kitchens(rooms)
    merged, members = _merged(kinds, layout)
    if node_budget is None:
        node_budget = default_node_budget(len(merged), len(rooms))
    found = _search(merged, rooms, layout, node_budget)
    return Matching(_split(found.counts, kinds, members), found.objective, found.optimal)


# Branches the search may solve: NODE_WORK over the flow's edges (kinds x venues), at
# least NODE_BUDGET_MIN. The 2,000-group benchmark gets the minimum, as before, and stays
# under 1 s; a small plan (a handful of groups and venues, where identical venues make
# many equal branches) gets thousands, each a flow of a few edges, and is proven optimal:
# 24 in all left a plan of 6 groups in 2 like venues unproven.
NODE_BUDGET_MIN = 24
NODE_WORK = 100_000


def default_node_budget(kinds: int, rooms: int) -> int:
    """The branches a plan of `kinds` kinds of group and `rooms` venues may solve."""
    return max(NODE_BUDGET_MIN, NODE_WORK // max(1, kinds * rooms))


def _merged(kinds: Sequence[Kind], layout: Sequence[Kitchen]) -> tuple[list[Kind], list[list[int]]]:
    """Kinds the flow cannot tell apart (same size, same kitchens at the same discretion
    cost) as one: the plan is the same, the network far smaller."""
    by_sign: dict[tuple[object, ...], list[int]] = {}
    for k, kind in enumerate(kinds):
        # Weights do not matter here: equal counts give equal costs at any scale.
        sign = tuple(
            len(kind.discretionary - kitchen.keeps_out) if kitchen.feeds(kind) else None
            for kitchen in layout
        )
        by_sign.setdefault((kind.size, *sign), []).append(k)
    groups = list(by_sign.values())
    merged = [replace(kinds[ks[0]], count=sum(kinds[k].count for k in ks)) for ks in groups]
    return merged, groups


def _split(counts: Counts, kinds: Sequence[Kind], members: list[list[int]]) -> Counts:
    """A merged plan back on the kinds: each merged kind's groups dealt out in kind order."""
    left = {k: kinds[k].count for ks in members for k in ks}
    split: Counts = {}
    for (m, r), count in sorted(counts.items()):
        for k in members[m]:
            take = min(count, left[k])
            if take:
                split[(k, r)] = split.get((k, r), 0) + take
                left[k] -= take
                count -= take
    return split


def _search(
    kinds: Sequence[Kind], rooms: Sequence[Room], layout: Sequence[Kitchen], node_budget: int
) -> Matching:
    weights = Weights.for_problem(kinds, rooms)
    problem = Problem(kinds, rooms, layout, weights)
    root = problem.solve()
    best = _dive(root, rooms)
    stack = [root]
    explored = 0
    while stack:
        node = stack.pop()
        if node.objective >= best.objective:
            continue
        over = _over(node, rooms)
        if not over:
            best = Matching(node.counts(), node.objective)
            continue
        room, used = over[0]
        # Largest size last on the stack, so searched first: it frees the most seats.
        for size in sorted(used):
            explored += 1
            if explored > node_budget:
                best.optimal = False
                return best
            child = node.branch((room, size, node.edge_flow(room, size) - 1))
            if child.objective < best.objective:
                stack.append(child)
    return best


def _over(node: Relaxation, rooms: Sequence[Room]) -> list[tuple[int, dict[int, int]]]:
    """Venues over their seats in a relaxed plan, with their groups by size."""
    used = node.used
    return [(r, used[r]) for r in sorted(used) if _seats(used[r]) > rooms[r].free_seats]


def _dive(root: Relaxation, rooms: Sequence[Room]) -> Matching:
    """A first valid plan: at every venue over its seats, allow fewer of its largest groups
    (as many fewer as the seats over need) and re-solve, until no venue is over."""
    node = root
    while over := _over(node, rooms):
        cuts = []
        for room, used in over:
            size = max(used)
            excess = _seats(used) - rooms[room].free_seats
            cuts.append((room, size, max(0, node.edge_flow(room, size) - -(-excess // size))))
        node = node.branch(*cuts)
    return Matching(node.counts(), node.objective)


def _seats(by_size: dict[int, int]) -> int:
    return sum(size * count for size, count in by_size.items())
