"""run_grouping: the engine's entry point, from raw participants to a scored grouping.

How the search works: participants are read and sorted by id (so input order never
matters), early reasons are given (unreadable answers, age rules, one person over the
severe-allergy limit), and the rest are split into pools that may share a group (same
kosher class under `kosher_only`, same age band under `banded`). Each pool is solved on
its own: pools of up to ten exactly; larger ones by a dynamic programme that cuts two
orderings of the pool (age then diet, and diet then age) into groups optimally for that
ordering, a repair that places whom the cut left out, and a local search of swaps and
moves between neighbouring groups, whose breadth is the `effort`. Pools of up to 300
are then refined (search/solver.py): an annealing walk with the number of groups free,
windows of groups and the whole sequence cut again, cyclic exchanges solved exactly,
pair splits; every step counts its own work, so the seed alone decides the result.

Choices where the spec is silent:
- A left-out participant is `allergy-limit-exceeded` when they have a severe allergy
  and no group of their pool could take them without breaking rule 3; otherwise
  `insufficient-compatible-participants`, with the pool and how many more compatible
  participants would let a group form.
- Diagnostics describe the whole readable population for ages, kosher and diets, and
  the assigned participants for allergies ("among the assigned", as the spec says).
- The upper bound counts, per pool, the most people groups of allowed sizes can hold,
  ignoring allergies: it is a bound, reached in practice but not always reachable.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import __version__
from engine.grouping.errors import InvalidSearchEffortError
from engine.grouping.models import EngineDiagnostics, GroupingResult, Participant
from engine.grouping.options import GroupingOptions
from engine.grouping.report.assembly import PoolOutcome, assemble_groups, left_out_entries
from engine.grouping.report.diagnostics import RunFacts, build_diagnostics
from engine.grouping.search.limits import Clock, MaxRuntime, SearchLimits, StopRule, first_of
from engine.grouping.search.pools import Triage, placeable, triage
from engine.grouping.search.rules import PoolRules, PoolSolver
from engine.grouping.search.scoring import GroupScorer, MemberFactory
from engine.grouping.search.solver import solve_pool
from engine.grouping.survey.intake import validated_participants

DEFAULT_EFFORT = 3
MAX_EFFORT = 10
Progress = Callable[[int, int], None]


def run_grouping(
    participants: Sequence[Participant | Mapping[str, Any]],
    options: GroupingOptions | None = None,
    *,
    effort: int = DEFAULT_EFFORT,
    rng: random.Random | None = None,
    run_date: date | None = None,
    time_limit_s: float | None = None,
    progress: Progress | None = None,
    solver: PoolSolver = solve_pool,
    stop: StopRule | None = None,
    clock: Clock = time.perf_counter,
) -> GroupingResult:
    """Split participants into valid, scored dinner groups and explain everyone left out.

    The same participants (in any order), options and seed give the same result.
    `effort` (0-10) sets how hard the search works; `time_limit_s` is only a safety
    net: hitting it stops the search early and diagnostics say so. `rng` defaults to
    `random.Random(options.seed)`; `run_date` (default: today) turns birth dates into
    ages when `options.as_of` is not set. Raises DuplicateParticipantError when two
    participants share an id; a participant whose answers cannot be read is not an
    error but lands in the unassigned queue as `invalid-profile`.

    `solver` solves each pool (default: the engine's search; `naive_pool_solver` is the
    benchmark's baseline). `clock` (default `time.perf_counter`) measures `time_limit_s`
    and `elapsed_ms`; `stop`, when given, is asked along with the time limit between
    search steps and stops the search the same way. Both let a test drive the run
    without waiting.
    """
    started = clock()
    if not 0 <= effort <= MAX_EFFORT:
        raise InvalidSearchEffortError(effort, MAX_EFFORT)
    options = options or GroupingOptions()
    rng = rng or random.Random(options.seed)
    people, invalid = validated_participants(participants)
    sorted_people = sorted(people, key=lambda person: person.id)
    as_of = options.as_of or run_date or date.today()
    triaged = triage(sorted_people, options, as_of=as_of)
    triaged.unassigned.extend(invalid)
    # The time limit counts from the start of the run, reading included.
    stops = [] if stop is None else [stop]
    if time_limit_s is not None:
        stops.append(MaxRuntime(time_limit_s, clock, started=started))
    members = sum(len(pool) for pool in triaged.pools.values())
    limits = SearchLimits.for_effort(effort, members=members)
    outcomes, stopped = _solve_pools(
        triaged, options, solver, limits, rng, first_of(*stops), progress
    )
    return finish_run(
        RunTally(participants=len(participants), effort=effort, started=started, stopped=stopped),
        triaged,
        outcomes,
        options,
        clock,
    )


@dataclass(frozen=True, slots=True)
class RunTally:
    """What a run counted on its way: its input, effort, start time and early stop."""

    participants: int
    effort: int
    started: float
    stopped: bool


def finish_run(
    tally: RunTally,
    triaged: Triage,
    outcomes: list[PoolOutcome],
    options: GroupingOptions,
    clock: Clock,
) -> GroupingResult:
    """Solved pools into the public result: numbered groups, reasons and diagnostics."""
    groups = assemble_groups(outcomes, options)
    unassigned = triaged.unassigned + left_out_entries(outcomes, options)
    unassigned.sort(key=lambda entry: entry.participant_id)
    engine = EngineDiagnostics(
        version=__version__,
        seed=options.seed,
        effort=tally.effort,
        options=options.model_dump(mode="json"),
        elapsed_ms=round((clock() - tally.started) * 1000, 1),
        upper_bound=sum(placeable(len(pool), options) for pool in triaged.pools.values()),
        stopped_early=tally.stopped,
    )
    facts = RunFacts(options, tally.participants, triaged.profiles, groups, unassigned, engine)
    return GroupingResult(
        groups=groups, unassigned=unassigned, diagnostics=build_diagnostics(facts)
    )


def _solve_pools(
    triaged: Triage,
    options: GroupingOptions,
    solver: PoolSolver,
    limits: SearchLimits,
    rng: random.Random,
    stop: StopRule,
    progress: Progress | None,
) -> tuple[list[PoolOutcome], bool]:
    rules = PoolRules(
        scorer=GroupScorer(options),
        sizes=range(options.min_group_size, options.target_group_size + 1),
        severe_limit=options.max_allergy_count,
    )
    total = sum(len(pool) for pool in triaged.pools.values())
    done = 0
    outcomes = []
    stopped = False
    factory = MemberFactory(rules.scorer)
    for key in sorted(triaged.pools, key=pool_order):
        profiles = triaged.pools[key]
        members = [factory.facts(index, profile) for index, profile in enumerate(profiles)]
        solution = solver(members, rules, limits=limits, rng=rng, stop=stop)
        stopped = stopped or solution.stopped_early
        outcomes.append(PoolOutcome(key, profiles, solution, rules))
        done += len(profiles)
        if progress is not None:
            progress(done, total)
    return outcomes, stopped


def pool_order(key: tuple[bool | None, int | None]) -> tuple[int, int]:
    kosher, band = key
    return (-1 if band is None else band, -1 if kosher is None else int(kosher))
