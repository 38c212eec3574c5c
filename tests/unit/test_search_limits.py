"""The search's limits: rounds of refinement by the run's size, and more rounds never lose."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from engine.grouping.search.limits import SearchLimits, never_stop
from engine.grouping.search.solver import solve_pool
from tests.unit.test_regroup import RULES, pool, total, valid


@pytest.mark.parametrize(
    ("members", "starts", "rounds"),
    [
        (0, 1, 1),
        (10, 1, 1),
        (31, 1, 1),
        (32, 2, 2),
        (36, 2, 2),
        (40, 2, 2),
        (50, 2, 2),
        (60, 2, 1),
        (75, 2, 1),
        (76, 2, 1),
        (100, 2, 1),
        (101, 1, 1),
        (150, 1, 1),
        (200, 1, 1),
        (10_000, 1, 1),
    ],
)
def test_refinement_follows_the_run_size(members: int, starts: int, rounds: int) -> None:
    # Runs under 32 get one round (small events answer in well under 100 ms); from 32,
    # 150 // members rounds, at most 4 and at least 1, each merging windows; up to 100,
    # two starts sharing those rounds (rounded up), e.g. 40: 3 rounds -> 2 starts of 2.
    limits = SearchLimits.for_effort(3, members=members)
    assert (limits.starts, limits.refine_rounds) == (starts, rounds)
    assert limits.merge == (members >= 32)
    assert limits.partition == (32 <= members <= 200)


def test_the_effort_still_sets_the_breadth() -> None:
    limits = SearchLimits.for_effort(5, members=100)
    assert (limits.window, limits.passes, limits.anneal_steps) == (6, 15, 600)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("field", ["refine_rounds", "starts"])
def test_a_second_round_or_start_never_loses_against_the_first(seed: int, field: str) -> None:
    # Without the closing MIP (whose columns differ between the runs, so no order is
    # promised), the first round, or start, of both runs is the same work from the same
    # draws; the second round starts from the first's best, and a second start is kept
    # only when better, so two end at least where one does.
    members = pool(seed, 40)
    limits = replace(
        SearchLimits.for_effort(1, members=40), partition=False, refine_rounds=1, starts=1
    )
    two = (
        replace(limits, refine_rounds=2) if field == "refine_rounds" else replace(limits, starts=2)
    )
    first, second = (
        solve_pool(members, RULES, limits=chosen, rng=random.Random(seed), stop=never_stop)
        for chosen in (limits, two)
    )
    assert valid(first.groups) and valid(second.groups)
    assert total(second.groups)[0] >= total(first.groups)[0]
    assert total(second.groups)[1] >= total(first.groups)[1] - 1e-9
