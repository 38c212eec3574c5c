"""The mid-size reference search: a sorted grouping improved a few groups at a time.

One exact model is too large for a loose pool of 36 (about 430,000 candidate groups), so
such a pool starts from the best contiguous cut of its people sorted by age and diet,
and CP-SAT (partition.py) re-optimises neighbourhoods of 2-5 groups together with some
of the people left out, the number of groups free, until the time is up.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from engine.grouping.options import GroupingOptions
from tests.reference.partition import Solved, count_candidates, kinds_of, solve_partition
from tests.unit.factories import Person
from tests.unit.reference import group_is_valid, objective, reference_score

# Neighbourhoods of the mid-size search stay below this many candidate groups.
NEIGHBOURHOOD_CANDIDATES = 60_000


def sorted_grouping(pool: Sequence[Person], options: GroupingOptions) -> list[list[Person]]:
    """The best contiguous cut of the pool sorted by (age, diet): the search's start."""
    order = sorted(pool, key=lambda p: (p.age if p.age is not None else -1, p.diet, p.id))
    low, high = options.min_group_size, options.target_group_size
    best: list[tuple[int, float]] = [(0, 0.0)] * (len(order) + 1)
    cut = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        best[end], cut[end] = best[end - 1], 0
        for size in range(low, min(high, end) + 1):
            group = order[end - size : end]
            if not group_is_valid(group, options):
                continue
            placed, total = best[end - size]
            trial = (placed + size, total + size * reference_score(group, options))
            if trial > best[end]:
                best[end], cut[end] = trial, size
    groups = []
    end = len(order)
    while end > 0:
        if cut[end]:
            groups.append(order[end - cut[end] : end])
            end -= cut[end]
        else:
            end -= 1
    return groups


def improve_by_neighbourhoods(
    pool: Sequence[Person],
    options: GroupingOptions,
    *,
    seconds: float,
    workers: int,
    rng: random.Random,
) -> Solved:
    """CP-SAT re-optimising 2-5 groups and the left-out at a time, until the time is up."""
    started = time.perf_counter()
    deadline = started + seconds
    groups = sorted_grouping(pool, options)
    tries = improved = 0
    while time.perf_counter() < deadline - 0.05:
        tries += 1
        placed_ids = {p.id for g in groups for p in g}
        left_out = [p for p in pool if p.id not in placed_ids]
        chosen = _neighbourhood(groups, left_out, options, rng)
        members = [p for i in chosen for p in groups[i]]
        outsiders = rng.sample(left_out, min(len(left_out), 8))
        sub_pool = members + outsiders
        if count_candidates(kinds_of(sub_pool), options) > NEIGHBOURHOOD_CANDIDATES:
            continue
        current = [groups[i] for i in chosen]
        left = max(0.05, min(10.0, deadline - time.perf_counter()))
        solved = solve_partition(sub_pool, options, seconds=left, workers=workers, hint=current)
        if objective(solved.groups, options) > objective(current, options):
            improved += 1
            groups = [g for i, g in enumerate(groups) if i not in chosen] + solved.groups
        elif objective(solved.groups, options) == objective(current, options):
            # Equal value: take it anyway, so later neighbourhoods see new groups.
            groups = [g for i, g in enumerate(groups) if i not in chosen] + solved.groups
    status = f"FEASIBLE (neighbourhoods: {tries} tried, {improved} improved)"
    return Solved(groups, status, time.perf_counter() - started)


def _neighbourhood(
    groups: Sequence[Sequence[Person]],
    left_out: Sequence[Person],
    options: GroupingOptions,
    rng: random.Random,
) -> list[int]:
    """2-5 groups: a random one and those nearest to it in mean age (or random ones)."""
    if len(groups) <= 2:
        return list(range(len(groups)))
    want = min(len(groups), rng.choice((2, 2, 3, 3, 4, 5)))
    first = rng.randrange(len(groups))
    if rng.random() < 0.3:
        others = rng.sample([i for i in range(len(groups)) if i != first], want - 1)
        return [first, *others]

    def mean_age(group: Sequence[Person]) -> float:
        ages = [p.age for p in group if p.age is not None]
        return sum(ages) / len(ages) if ages else 0.0

    centre = mean_age(groups[first])
    nearest = sorted(range(len(groups)), key=lambda i: (abs(mean_age(groups[i]) - centre), i))
    return nearest[:want]
