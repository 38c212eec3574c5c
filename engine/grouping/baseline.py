"""The naive baseline the benchmark compares against.

Sort each compatible pool by age and cut it into target-size groups, repairing only
what breaks a hard rule: a short last group borrows from the groups before it (only
members it can take within the allergy limit), and a member who would break the allergy
limit moves to a later group that can take them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from engine.grouping.models import GroupingResult, Participant
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from engine.grouping.search.limits import SearchLimits, StopRule
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import MemberFacts, severe_ok


def naive_grouping(
    participants: Sequence[Participant | Mapping[str, Any]],
    options: GroupingOptions | None = None,
    *,
    run_date: date | None = None,
) -> GroupingResult:
    """Group by the naive rule; same validation, reasons and diagnostics as run_grouping."""
    return run_grouping(participants, options, run_date=run_date, solver=naive_pool_solver)


def naive_pool_solver(
    members: list[MemberFacts],
    rules: PoolRules,
    *,
    limits: SearchLimits,
    rng: random.Random,
    stop: StopRule,
) -> PoolSolution:
    """The naive rule for one pool, as a PoolSolver.

    It does not search, so `limits`, `rng` and `stop` are taken only to fit the protocol.
    """
    ordered = sorted(members, key=lambda m: (m.age if m.age is not None else 1_000, m.index))
    largest, smallest = rules.sizes.stop - 1, rules.sizes.start
    groups = [ordered[i : i + largest] for i in range(0, len(ordered), largest)]
    spilled: list[MemberFacts] = []
    for group in groups:
        while not severe_ok(group, rules.severe_limit):
            spilled.append(group.pop(max(i for i, m in enumerate(group) if m.severe)))
    for member in spilled:
        home = next(
            (g for g in groups if len(g) < largest and severe_ok([*g, member], rules.severe_limit)),
            None,
        )
        if home is None:
            groups.append([member])
        else:
            home.append(member)
    return _borrow_for_short_groups(groups, smallest, rules.severe_limit)


def _borrow_for_short_groups(
    groups: list[list[MemberFacts]], smallest: int, limit: int
) -> PoolSolution:
    """Short groups borrow from the groups before them, never past the severe limit.

    A donor gives its last member that the short group can take without holding more
    than `limit` severe allergens (giving one away never breaks the rule); a group still
    short after every donor is left out.
    """
    kept: list[list[MemberFacts]] = []
    left_out: list[MemberFacts] = []
    for group in groups:
        for donor in reversed(kept):
            while len(group) < smallest and len(donor) > smallest:
                lender = next(
                    (
                        position
                        for position in range(len(donor) - 1, -1, -1)
                        if severe_ok([donor[position], *group], limit)
                    ),
                    None,
                )
                if lender is None:
                    break
                group.insert(0, donor.pop(lender))
        if len(group) >= smallest:
            kept.append(group)
        else:
            left_out.extend(group)
    return PoolSolution(kept, left_out)
