"""Set partitioning: the best disjoint set of all the groups seen, by a MIP (HiGHS).

The merging of windows (search/merge.py) covers a run of neighbouring groups at a time;
an optimum that changes ten or twenty groups at once is out of its reach, though often
made of groups the walks formed. Here every column (each valid group seen, the
grouping's own, and each of its groups with one member removed, added or swapped for
one of the SETPART_NEAR nearest in age, while it stays valid) is a 0-1 variable, each
member in at most one chosen column, and the objective is the spec's order in one sum:
a column of n members is worth n * (members + 1) + n * score, so one more placed always
outweighs any difference of totals, then the higher total wins.

The LP relaxation over every column comes first; the MIP is then solved over the
columns whose reduced cost is near zero (a few hundred of thousands), from the grouping
as its start. The new grouping's neighbours are added and it is solved again, up to
SETPART_ROUNDS times while it improves. HiGHS (`highspy`) runs on one thread with a
node limit and no time limit, so a seed gives one result on any machine; it is
imported when a mid-size pool is first partitioned, not when the engine is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.grouping.search.merge import ColumnPool, bits_of, mask_of
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# Solves (each adding the new grouping's neighbours) while the grouping improves.
SETPART_ROUNDS = 2
# Members outside a group, nearest its mean age, that its neighbours add or swap in.
SETPART_NEAR = 10
# Columns whose LP reduced cost is at most this join the MIP (a member is worth ~1).
SETPART_REDUCED = 0.05
# The later rounds' cut: their MIP is mostly the new grouping's neighbours, of low reduced
# cost. On both mid-size sets, seeds 0-3, the same instances reached as with 0.05, and the
# slowest (the fresh set's mid-20) in 0.79 s instead of 0.92 s.
SETPART_REDUCED_AGAIN = 0.04
# At most this many columns (the lowest reduced costs) join the MIP besides the start's.
SETPART_COLUMNS = 600
# Branch-and-bound nodes HiGHS may use; it keeps its best solution past them.
SETPART_NODES = 200
# Cuts HiGHS keeps in its pool (10,000 by default): a small pool makes the root's cut
# rounds 2-4 times quicker with the same solutions on the mid-size set.
SETPART_CUT_POOL = 10
# A change is taken only when better than the start by more than this (rounding).
SETPART_EPSILON = 1e-7
# HiGHS's primal heuristics: the reduced MIPs are near-integral, and they cost the most.
_HEURISTICS_OFF = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_zi_round",
    "mip_heuristic_run_shifting",
)


def partition(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    columns: ColumnPool,
    *,
    reduced_limit: float = SETPART_REDUCED,
    later_limit: float = SETPART_REDUCED_AGAIN,
) -> tuple[list[list[MemberFacts]], list[MemberFacts]]:
    """The best grouping of `columns` (and the neighbours of each grouping found) found.

    It is the start unless better by the spec's order, so it is never worse, and valid:
    every column is a valid group and the MIP chooses disjoint ones. The first round's
    MIP takes the columns of reduced cost up to `reduced_limit`, later rounds' up to
    `later_limit`; with both infinite it is the optimum over the columns (within the
    node limit).
    """
    # Here, not at the top: a cold start of the engine should not load HiGHS.
    import highspy

    members = {m.index: m for g in groups for m in g} | {m.index: m for m in left_out}
    worth = _worth(columns.values, len(members))
    relaxed = _Relaxation(highspy, max(members) + 1)
    for round_ in range(SETPART_ROUNDS):
        limit = reduced_limit if round_ == 0 else later_limit
        columns.add(groups)
        columns.add(neighbours(groups, left_out, columns.rules))
        relaxed.add(columns.values, worth)
        start = {mask_of(g) for g in groups}
        chosen = _solve(highspy, relaxed, start, worth, limit)
        before = (sum(len(g) for g in groups), sum(columns.values[k] for k in start))
        placed = sum(key.bit_count() for key in chosen)
        total = sum(columns.values[key] for key in chosen)
        if (placed, total - SETPART_EPSILON) <= before or not _disjoint(chosen, placed):
            break
        groups = [[members[i] for i in bits_of(key)] for key in chosen]
        covered = mask_of(m for g in groups for m in g)
        left_out = [m for m in members.values() if not covered >> m.index & 1]
    return groups, left_out


def _disjoint(chosen: list[int], placed: int) -> bool:
    """No member in two chosen columns (HiGHS's tolerances should never allow it)."""
    covered = 0
    for key in chosen:
        covered |= key
    return covered.bit_count() == placed


def neighbours(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> list[list[MemberFacts]]:
    """Each group with one member removed, one added, or one swapped, still valid."""
    everyone = [m for g in groups for m in g] + left_out
    low, high = rules.sizes.start, rules.sizes.stop - 1
    found: list[list[MemberFacts]] = []
    for group in groups:
        inside = {m.index for m in group}
        near = _nearest([m for m in everyone if m.index not in inside], group)
        if len(group) > low:
            found.extend([m for m in group if m is not out] for out in group)
        if len(group) < high:
            found.extend([*group, extra] for extra in near)
        for out in group:
            rest = [m for m in group if m is not out]
            found.extend([*rest, extra] for extra in near)
    return [g for g in found if severe_ok(g, rules.severe_limit)]


def _nearest(others: list[MemberFacts], group: list[MemberFacts]) -> list[MemberFacts]:
    """The SETPART_NEAR of `others` nearest the group's mean age (no age: nearest)."""
    ages = [m.age for m in group if m.age is not None]
    centre = sum(ages) / len(ages) if ages else 0.0
    return sorted(
        others, key=lambda m: (abs((m.age if m.age is not None else centre) - centre), m.index)
    )[:SETPART_NEAR]


def _solve(
    highspy: Any,
    relaxed: _Relaxation,
    start: set[int],
    worth: Callable[[int], float],
    reduced_limit: float,
) -> list[int]:
    """The columns HiGHS chooses: the start's when it finds nothing better.

    A column whose reduced cost exceeds the LP bound's lead over the start is in no
    better solution, so the MIP needs only the columns within that lead; past
    `reduced_limit` a few may be dropped that could help (the MIP stays small).
    """
    bound, reduced = relaxed.solve()
    if len(reduced) != len(relaxed.keys):
        return sorted(start)
    lead = bound - sum(worth(k) for k in start)
    if lead <= SETPART_EPSILON:
        return sorted(start)  # the LP bound proves the start optimal among the columns
    limit = min(lead, reduced_limit) + SETPART_EPSILON
    keys = relaxed.keys
    near = sorted((r, i) for i, r in enumerate(reduced) if r <= limit)[:SETPART_COLUMNS]
    kept = sorted(start | {keys[i] for _, i in near})
    lp = _columns(highspy, kept, worth, relaxed.rows)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(kept)
    solver = _highs(highspy)
    solver.passModel(lp)
    solution = highspy.HighsSolution()
    solution.col_value = [1.0 if key in start else 0.0 for key in kept]
    solution.value_valid = True
    solver.setSolution(solution)
    solver.run()
    found = solver.getSolution()
    if not found.value_valid or len(found.col_value) != len(kept):
        return sorted(start)
    return [key for key, x in zip(kept, found.col_value, strict=True) if x > 0.5]


class _Relaxation:
    """The LP relaxation over every column so far, solved again from its last basis as
    columns join (each round adds the new grouping's neighbours)."""

    def __init__(self, highspy: Any, rows: int) -> None:
        self.highspy = highspy
        self.rows = rows
        self.keys: list[int] = []
        self._known: set[int] = set()
        self.solver = _highs(highspy)
        self.solver.passModel(_columns(highspy, [], lambda key: 0.0, rows))

    def add(self, values: dict[int, float], worth: Callable[[int], float]) -> None:
        """Adds the columns of `values` not yet in, in their order."""
        new = [key for key in values if key not in self._known]
        if not new:
            return
        lp = _columns(self.highspy, new, worth, self.rows)
        matrix = lp.a_matrix_
        self.solver.addCols(
            len(new),
            lp.col_cost_,
            lp.col_lower_,
            lp.col_upper_,
            len(matrix.index_),
            matrix.start_[:-1],
            matrix.index_,
            matrix.value_,
        )
        self.keys.extend(new)
        self._known.update(new)

    def solve(self) -> tuple[float, list[float]]:
        """The LP bound (worth) and each column's reduced cost."""
        self.solver.run()
        bound = -self.solver.getInfo().objective_function_value
        return bound, list(self.solver.getSolution().col_dual)


def _worth(values: dict[int, float], members: int) -> Callable[[int], float]:
    """A column's worth in the MIP: more placed first, then the higher total."""
    weight = members + 1
    return lambda key: key.bit_count() * weight + values[key]


def _columns(highspy: Any, keys: list[int], worth: Callable[[int], float], rows: int) -> Any:
    """An LP over the columns `keys` (0 to 1 each): maximise their worth, each member
    (row) at most once."""
    import numpy as np  # highspy's own dependency

    starts, index = [0], []
    for key in keys:
        index.extend(bits_of(key))
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_ = len(keys)
    lp.num_row_ = rows
    # HiGHS minimises: the cost is minus the worth.
    lp.col_cost_ = np.array([-worth(k) for k in keys], dtype=float)
    lp.col_lower_ = np.zeros(len(keys))
    lp.col_upper_ = np.ones(len(keys))
    lp.row_lower_ = np.full(rows, -highspy.kHighsInf)
    lp.row_upper_ = np.ones(rows)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(len(index))
    return lp


def _highs(highspy: Any) -> Any:
    """A silent single-threaded HiGHS with the node limit, exact gaps, no heuristics."""
    # The core class: highspy's Highs wrapper enables its callbacks on creation, which
    # prints HiGHS's banner to stdout before output_flag can be set (the CLI's --json).
    solver = highspy._core._Highs()
    settings: list[tuple[str, object]] = [
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1e-9),
        ("mip_max_nodes", SETPART_NODES),
        # A small cut pool: the root's cut rounds cost the most on these models.
        ("mip_pool_soft_limit", SETPART_CUT_POOL),
        # No restart after the root's presolve: on the mid-size set the same solutions in
        # half the time of the largest MIPs (0.2 s instead of 0.42 s on the slowest).
        ("mip_allow_restart", False),
    ]
    for option, setting in settings + [(name, False) for name in _HEURISTICS_OFF]:
        solver.setOptionValue(option, setting)
    return solver
