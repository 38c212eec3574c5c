"""run_stable: a grouping run that keeps to an earlier grouping and to pair requests.

Without a starting grouping and without requests it is `run_grouping` itself. With
`stability_weight` 0 and no locks the starting grouping is not used at all, so the result
is the fresh run's (with its continuity diagnostics added). Otherwise, pool by pool:

- from an earlier grouping: its groups are kept as they are, and only the changes the
  new, withdrawn and changed people force are made (settle.py); then moves and swaps
  around the changed groups that pay for the people they move, within `move_budget`;
- without one (requests only): a pool of up to EXACT_LIMIT people is solved exactly under
  the requests; a larger one is solved by the engine's search, then settled and improved
  the same way (the requests change only the groups they concern).

Choices where the issue is silent: a person counts as moved only when the group they
now sit in does not continue their earlier one (account.py); new groups get the
engine's usual numbers, the diagnostics say which earlier group each person came from;
a locked person whose pool changed, or who would break a hard rule, leaves their group
and the break is reported with the rule.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from engine.grouping.continuity.account import Accounting, account
from engine.grouping.continuity.board import Board, Seat
from engine.grouping.continuity.exact import EXACT_LIMIT, solve_units
from engine.grouping.continuity.improve import DEFAULT_MOVE_BUDGET, improve
from engine.grouping.continuity.pairs import PairPlan, plan_pairs
from engine.grouping.continuity.requests import PairRequests, StartingGrouping
from engine.grouping.continuity.settle import Ledger, settle
from engine.grouping.models import GroupingResult, Participant
from engine.grouping.options import GroupingOptions
from engine.grouping.report.assembly import PoolOutcome
from engine.grouping.run import DEFAULT_EFFORT, RunTally, finish_run, pool_order, run_grouping
from engine.grouping.search.limits import Clock, SearchLimits, never_stop
from engine.grouping.search.pools import PoolKey, triage
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import GroupScorer, MemberFactory
from engine.grouping.search.solver import solve_pool
from engine.grouping.survey.intake import validated_participants

EMPTY = StartingGrouping({})
NO_PAIRS = PairRequests()


def run_stable(
    participants: Sequence[Participant | Mapping[str, Any]],
    options: GroupingOptions | None = None,
    *,
    start: StartingGrouping | None = None,
    pairs: PairRequests = NO_PAIRS,
    effort: int = DEFAULT_EFFORT,
    rng: random.Random | None = None,
    run_date: date | None = None,
    move_budget: int = DEFAULT_MOVE_BUDGET,
    clock: Clock = time.perf_counter,
) -> GroupingResult:
    """Group `participants` keeping to `start` (its locks as hard as the rules allow) and
    to `pairs`; diagnostics.continuity says who moved and why, and what could not be kept.
    """
    options = options or GroupingOptions()
    locked = start is not None and bool(start.locked_people or start.locked_groups)
    used = start if (start is not None and (options.stability_weight > 0 or locked)) else None
    if used is None and not pairs:
        result = run_grouping(
            participants, options, effort=effort, rng=rng, run_date=run_date, clock=clock
        )
        if start is None:
            return result
        ids = frozenset(Participant.model_validate(p).id for p in participants)
        facts = Accounting(ids, options.stability_weight, 0, default_reason="regrouped")
        return _with(result, account(start, result.groups, facts))
    started = clock()
    rng = rng or random.Random(options.seed)
    people, invalid = validated_participants(participants)
    people = sorted(people, key=lambda person: person.id)
    triaged = triage(people, options, as_of=options.as_of or run_date or date.today())
    triaged.unassigned.extend(invalid)
    rules = PoolRules(
        scorer=GroupScorer(options),
        sizes=range(options.min_group_size, options.target_group_size + 1),
        severe_limit=options.max_allergy_count,
    )
    pools = {p.participant_id: key for key, pool in triaged.pools.items() for p in pool}
    profiles = {p.participant_id: p for p in triaged.profiles}
    ids = frozenset(person.id for person in people)
    plan = plan_pairs(
        pairs,
        set(ids),
        pools,
        profiles,
        largest=options.target_group_size,
        severe_limit=options.max_allergy_count,
    )
    ledger = Ledger()
    planner = _Planner(used, plan, rules, options, ledger, move_budget)
    limits = SearchLimits.for_effort(effort, members=len(pools))
    outcomes = []
    origins: dict[frozenset[str], int] = {}
    factory = MemberFactory(rules.scorer)
    for key in sorted(triaged.pools, key=pool_order):
        pool = triaged.pools[key]
        members = {p.participant_id: factory.facts(i, p) for i, p in enumerate(pool)}
        board = planner.board(key, members, pools)
        planner.solve(board, limits, rng)
        for seat in board.seats:
            if seat.members and seat.origin is not None:
                origins[frozenset(seat.members)] = seat.origin
        outcomes.append(PoolOutcome(key, pool, board.solution(), rules))
    planner.note_lost(ids, pools)
    tally = RunTally(len(participants), effort, started, stopped=False)
    result = finish_run(tally, triaged, outcomes, options, clock)
    accounting = Accounting(
        ids,
        options.stability_weight,
        move_budget,
        reasons=ledger.reasons,
        locks_broken=ledger.locks_broken,
        together_unmet=plan.unmet,
        pairs_unknown=plan.unknown,
        origins=origins if used is not None else None,
    )
    return _with(result, account(used or EMPTY, result.groups, accounting))


def _with(result: GroupingResult, continuity: Any) -> GroupingResult:
    diagnostics = result.diagnostics.model_copy(update={"continuity": continuity})
    return result.model_copy(update={"diagnostics": diagnostics})


class _Planner:
    """Builds each pool's board from the starting grouping, and solves it."""

    def __init__(
        self,
        start: StartingGrouping | None,
        plan: PairPlan,
        rules: PoolRules,
        options: GroupingOptions,
        ledger: Ledger,
        budget: int,
    ) -> None:
        self.start, self.plan, self.rules, self.ledger = start, plan, rules, ledger
        self.options, self.budget = options, budget
        self.previous = start.group_of() if start is not None else {}

    def board(self, key: PoolKey, facts: dict[str, Any], pools: Mapping[str, PoolKey]) -> Board:
        start = self.start
        pinned: frozenset[str] = frozenset()
        if start is not None:
            whole = {m for n in start.locked_groups for m in start.groups.get(n, ())}
            pinned = frozenset((start.locked_people | whole) & set(facts))
        previous = {m: g for m, g in self.previous.items() if m in facts}
        board = Board(facts, self.rules, self.plan, previous, pinned, self.options.stability_weight)
        if start is None:
            board.out = sorted(facts)
            return board
        seated: set[str] = set()
        for number in sorted(start.groups):
            members = [m for m in start.groups[number] if self.previous.get(m) == number]
            home = Counter(pools[m] for m in members if m in pools).most_common()
            if not home or min((k for k, c in home if c == home[0][1]), key=pool_order) != key:
                continue
            kept = [m for m in members if m in facts]
            if len(kept) < len(members):
                self.ledger.touched.add(len(board.seats))
            if any(m not in pools for m in members):
                self.ledger.withdrawn_from.add(len(board.seats))
            board.seats.append(Seat(kept, number, number in start.locked_groups))
            seated.update(kept)
        board.out = sorted(set(facts) - seated)
        moved = [m for m in board.out if m in self.previous]
        self.ledger.note(moved, "changed-profile")
        broken = [{"participant_id": m, "rule": "changed-profile"} for m in moved if m in pinned]
        self.ledger.locks_broken.extend(broken)
        return board

    def solve(self, board: Board, limits: SearchLimits, rng: random.Random) -> None:
        if self.start is not None:
            settle(board, self.ledger)
            focus = {i for i in self.ledger.touched if i < len(board.seats)}
            improve(board, focus, budget=self.budget, rng=rng)
            self.ledger.touched.clear()
            self.ledger.withdrawn_from.clear()
            return
        if len(board.out) <= EXACT_LIMIT:
            groups, board.out = solve_units(board, board.out)
            board.seats = [Seat(group) for group in groups]
            return
        members = [board.facts[m] for m in board.out]
        by_index = {f.index: m for m, f in board.facts.items()}
        solution = solve_pool(members, self.rules, limits=limits, rng=rng, stop=never_stop)
        board.seats = [Seat([by_index[f.index] for f in g]) for g in solution.groups]
        board.out = [by_index[f.index] for f in solution.left_out]
        settle(board, self.ledger)
        focus = {i for i in self.ledger.touched if i < len(board.seats)}
        improve(board, focus, budget=10 * self.budget, rng=rng)
        self.ledger.touched.clear()

    def note_lost(self, ids: frozenset[str], pools: Mapping[str, PoolKey]) -> None:
        """Locked people who withdrew or can no longer be placed: their locks are broken."""
        if self.start is None:
            return
        gone = [m for m in self.previous if m in ids and m not in pools]
        self.ledger.note(gone, "changed-profile")
        for person in sorted(self.start.locked_people):
            if person not in pools:
                rule = "withdrawn" if person not in ids else "not-placeable"
                self.ledger.locks_broken.append({"participant_id": person, "rule": rule})
