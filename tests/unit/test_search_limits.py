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
def test_a_second_round_starts_from_the_first_and_never_loses(seed: int) -> None:
    # Without the closing MIP, the first round of both runs is the same work from the same
    # draws, and the second only keeps what is at least as good. (With the MIP after the
    # rounds, both end in a search over different columns, where no order is promised.)
    members = pool(seed, 36)
    one = replace(SearchLimits.for_effort(1, members=36), partition=False, starts=1)
    first, second = (
        solve_pool(
            members,
            RULES,
            limits=replace(one, refine_rounds=rounds),
            rng=random.Random(seed),
            stop=never_stop,
        )
        for rounds in (1, 2)
    )
    assert valid(first.groups) and valid(second.groups)
    assert total(second.groups)[0] >= total(first.groups)[0]
    assert total(second.groups)[1] >= total(first.groups)[1] - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_a_second_start_never_loses_against_the_first(seed: int) -> None:
    # The first start is the same work from the same draws in both runs; the second
    # is kept only when better, so two starts end at least where one does.
    members = pool(seed, 40)
    limits = replace(SearchLimits.for_effort(1, members=40), partition=False)
    first, both = (
        solve_pool(
            members,
            RULES,
            limits=replace(limits, starts=starts),
            rng=random.Random(seed),
            stop=never_stop,
        )
        for starts in (1, 2)
    )
    assert valid(first.groups) and valid(both.groups)
    assert total(both.groups)[0] >= total(first.groups)[0]
    assert total(both.groups)[1] >= total(first.groups)[1] - 1e-9
