"""How hard and how long a search goes: the effort's limits, the stopping rule, the clock.

The stopping rule is passed in, as the random generator is, so that the one thing a run
reads from the outside world, the time, can be replaced: tests drive it with a fake clock
instead of sleeping. A stopping rule is asked "should I stop now?" between steps of the
search, in the style of ALNS's `MaxRuntime`; when it says yes the search keeps what it has,
which is always a valid grouping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

Clock = Callable[[], float]
"""Seconds on a monotonic scale, as `time.perf_counter` gives them."""


# Annealing steps per member of a refined pool at effort e: 100 * (e + 1), 400 by default;
# and at most ANNEAL_RUN_STEPS * (e + 1) in a whole run, shared by its members.
ANNEAL_STEPS_PER_EFFORT = 100
ANNEAL_RUN_STEPS = 15_000
# Rounds of refinement (annealing, regrouping and merging again from the best so far)
# for a run of m members: REFINE_RUN_MEMBERS // m, between 1 and REFINE_ROUNDS, so a
# run of 36-150 spends about what one round of 150 costs; a run of fewer than
# REFINE_FROM_MEMBERS (a small event, to be answered within 100 ms) gets one round and
# no merging of windows (on the small reference set it changed no result).
REFINE_RUN_MEMBERS = 150
REFINE_ROUNDS = 4
REFINE_FROM_MEMBERS = 32
# A run of REFINE_FROM_MEMBERS up to this many members ends each refined pool with the
# set-partitioning MIP over every group seen (search/setpart.py); a larger run's pools
# are many, and the MIP's cost would grow with their number.
PARTITION_RUN_MEMBERS = 200
# A partitioned run of up to STARTS_RUN_MEMBERS members refines each pool from
# REFINE_STARTS independent starts (the same grouping, the walks' draws different),
# each with half the rounds, all their groups feeding one MIP. Measured on the two
# mid-size sets, seeds 0-3 and 0-2: 151 of 168 reached, against 143 with one start
# of all the rounds, in no more time; a larger run cannot afford the second start.
STARTS_RUN_MEMBERS = 100
REFINE_STARTS = 2


@dataclass(frozen=True, slots=True)
class SearchLimits:
    """How hard to search: `window` neighbours per group, at most `passes` sweeps,
    `anneal_steps` steps of the annealing walk per member of a refined pool,
    `refine_rounds` rounds of the refinement from each of `starts` starts, each round
    merging windows when `merge`, and the set-partitioning MIP after them when
    `partition`."""

    window: int
    passes: int
    anneal_steps: int = ANNEAL_STEPS_PER_EFFORT * 4
    refine_rounds: int = 1
    merge: bool = True
    partition: bool = False
    starts: int = 1

    @classmethod
    def for_effort(cls, effort: int, *, members: int = 0) -> SearchLimits:
        """The limits of search effort `effort` (0-10): broader and longer as it grows.

        `members`, the participants of the run, shares the run's annealing budget: an
        event of up to 150 gets the full steps per member, a larger one fewer, so that
        the refinement of its small pools costs about the same whatever its size; and
        the refinement's rounds, more for a smaller run of at least REFINE_FROM_MEMBERS.
        Every limit counts work, never time, so a seed gives one result on any machine.
        """
        steps = ANNEAL_STEPS_PER_EFFORT * (effort + 1)
        budget = ANNEAL_RUN_STEPS * (effort + 1)
        steps = min(steps, budget // max(1, members))
        merge = members >= REFINE_FROM_MEMBERS
        rounds = max(1, min(REFINE_ROUNDS, REFINE_RUN_MEMBERS // members)) if merge else 1
        partition = merge and members <= PARTITION_RUN_MEMBERS
        starts = REFINE_STARTS if partition and members <= STARTS_RUN_MEMBERS else 1
        return cls(
            effort + 1,
            3 * effort,
            steps,
            refine_rounds=-(-rounds // starts),
            merge=merge,
            partition=partition,
            starts=starts,
        )


class StopRule(Protocol):
    """Asked between steps of a search: True when it should stop now."""

    def __call__(self) -> bool: ...


class MaxRuntime:
    """Stops once more than `max_runtime_s` seconds have passed on `clock`.

    The time counts from `started` (a reading of the same clock) when given, else from
    when the rule is made. A limit of zero or less stops at the first question.
    """

    __slots__ = ("_clock", "_deadline")

    def __init__(
        self,
        max_runtime_s: float,
        clock: Clock = time.perf_counter,
        *,
        started: float | None = None,
    ) -> None:
        self._clock = clock
        self._deadline = (clock() if started is None else started) + max_runtime_s

    def __call__(self) -> bool:
        return self._clock() > self._deadline


def never_stop() -> bool:
    """The rule of a search without a time limit: it runs until its passes are done."""
    return False


def first_of(*rules: StopRule) -> StopRule:
    """A rule that fires as soon as any of `rules` does; with none, it never fires."""
    if not rules:
        return never_stop
    if len(rules) == 1:
        return rules[0]
    return lambda: any(rule() for rule in rules)
