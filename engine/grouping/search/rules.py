"""The contract of solving one pool: its hard rules, what a solver gives back, the solver."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from engine.grouping.search.limits import SearchLimits, StopRule
from engine.grouping.search.scoring import GroupScorer, MemberFacts


@dataclass(frozen=True, slots=True)
class PoolRules:
    """The hard rules inside one pool (kosher and age band are already equal in it)."""

    scorer: GroupScorer
    sizes: range
    severe_limit: int


@dataclass(slots=True)
class PoolSolution:
    """One pool solved: valid groups, whom they leave out, and whether a stop cut it short."""

    groups: list[list[MemberFacts]]
    left_out: list[MemberFacts]
    stopped_early: bool = False


class PoolSolver(Protocol):
    """Splits one pool's members into groups that keep `rules`; the rest are left out.

    `limits` and `rng` steer a search and `stop` is asked between its steps; a solver
    that does not search may ignore all three. `solve_pool` is the engine's solver,
    `naive_pool_solver` the baseline's.
    """

    def __call__(
        self,
        members: list[MemberFacts],
        rules: PoolRules,
        *,
        limits: SearchLimits,
        rng: random.Random,
        stop: StopRule,
    ) -> PoolSolution: ...
