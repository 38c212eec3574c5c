"""The hard rules inside one pool, and what solving a pool gives back."""

from __future__ import annotations

from dataclasses import dataclass

from engine.grouping.search.scoring import GroupScorer, MemberFacts


@dataclass(frozen=True, slots=True)
class PoolRules:
    """The hard rules inside one pool (kosher and age band are already equal in it)."""

    scorer: GroupScorer
    sizes: range
    severe_limit: int


@dataclass(slots=True)
class PoolSolution:
    groups: list[list[MemberFacts]]
    left_out: list[MemberFacts]
    stopped_early: bool = False
