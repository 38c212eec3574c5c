"""Invariants on random participants and options: validity, accounting, order independence."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from tests.unit.factories import Person, people
from tests.unit.reference import band, group_is_valid, objective

options = st.builds(
    lambda kosher, policy, limit, low, extra, weight: GroupingOptions(
        kosher_only=kosher,
        age_policy=policy,
        max_allergy_count=limit,
        min_group_size=low,
        fallback_group_size=low,
        target_group_size=low + extra,
        scoring_weights={"age": weight},
    ),
    st.booleans(),
    st.sampled_from(["banded", "loose"]),
    st.integers(0, 4),
    st.integers(2, 5),
    st.integers(0, 3),
    st.floats(0, 10),
)


def check_valid(result: GroupingResult, population: list[Person], opts: GroupingOptions) -> None:
    by_id = {p.id: p for p in population}
    placed = [m for g in result.groups for m in g.members]
    queued = [e.participant_id for e in result.unassigned]
    assert sorted(placed + queued) == sorted(by_id), "everyone exactly once"
    for group in result.groups:
        members = [by_id[m] for m in group.members]
        assert group_is_valid(members, opts)
        assert group.kosher == any(p.kosher for p in members)
    for entry in result.unassigned:
        person = by_id[entry.participant_id]
        if entry.reason == "missing-age":
            assert opts.age_policy == "banded" and person.age is None
        if entry.reason == "age-out-of-range":
            assert person.age is not None and person.age < opts.age_bands[0]
        if entry.reason == "allergy-limit-exceeded":
            assert person.severe


@settings(max_examples=150, deadline=None)
@given(population=people(max_size=60), opts=options)
def test_every_result_is_valid_and_accounts_for_everyone(
    population: list[Person], opts: GroupingOptions
) -> None:
    result = run_grouping([p.as_input() for p in population], opts)
    check_valid(result, population, opts)
    assert result.diagnostics.counts.assigned <= result.diagnostics.engine.upper_bound


@settings(max_examples=60, deadline=None)
@given(population=people(max_size=60), opts=options, shuffle_seed=st.integers(0, 2**16))
def test_shuffling_the_input_does_not_change_the_objective(
    population: list[Person], opts: GroupingOptions, shuffle_seed: int
) -> None:
    shuffled = population[:]
    random.Random(shuffle_seed).shuffle(shuffled)
    by_id = {p.id: p for p in population}

    def value(items: list[Person]) -> tuple[int, float]:
        result = run_grouping([p.as_input() for p in items], opts)
        return objective([[by_id[m] for m in g.members] for g in result.groups], opts)

    assert value(population) == value(shuffled)


@settings(max_examples=40, deadline=None)
@given(population=people(min_size=40, max_size=120), opts=options)
def test_a_time_limit_of_zero_still_gives_a_valid_grouping(
    population: list[Person], opts: GroupingOptions
) -> None:
    result = run_grouping([p.as_input() for p in population], opts, time_limit_s=0.0)
    check_valid(result, population, opts)


def test_bands_helper_agrees_with_options() -> None:
    opts = GroupingOptions()
    assert [band(age, opts) for age in (18, 29, 30, 61)] == [0, 1, 2, 6]
