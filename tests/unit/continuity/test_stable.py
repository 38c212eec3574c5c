"""A run from an earlier grouping: only forced changes, reasons, locks, and stability 0."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.grouping.continuity.requests import PairRequests, StartingGrouping
from engine.grouping.continuity.stable import run_stable
from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from tests.unit.continuity.pair_reference import binding, keeps_pairs, result_groups
from tests.unit.factories import Person, people
from tests.unit.reference import group_is_valid

LOOSE = GroupingOptions(age_policy="loose")


def crowd(count: int, seed: int = 1) -> list[Person]:
    rng = random.Random(seed)
    return [
        Person(f"p{i:03d}", age=rng.randint(25, 60), diet=rng.choice(["omnivore", "vegan"]))
        for i in range(count)
    ]


def inputs(population: list[Person]) -> list[dict[str, object]]:
    return [p.as_input() for p in population]


def start_of(
    result: GroupingResult, *, locked_people: Sequence[str] = (), locked_groups: Sequence[int] = ()
) -> StartingGrouping:
    groups = [g.model_dump() for g in result.groups]
    return StartingGrouping.from_result(
        groups, locked_people=locked_people, locked_groups=locked_groups
    )


def comparable(result: GroupingResult) -> tuple[object, object]:
    return result_groups(result), [u.model_dump() for u in result.unassigned]


def test_the_same_people_again_keep_every_group() -> None:
    population = crowd(40)
    fresh = run_grouping(inputs(population), LOOSE)
    again = run_stable(inputs(population), LOOSE, start=start_of(fresh))
    continuity = again.diagnostics.continuity
    assert continuity is not None
    assert (continuity.moved, continuity.groups_touched) == (0, 0)
    assert continuity.groups_kept == len(fresh.groups)
    assert sorted(map(sorted, result_groups(again))) == sorted(map(sorted, result_groups(fresh)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    population=people(min_size=4, max_size=30), seed=st.integers(0, 99), with_pairs=st.booleans()
)
def test_stability_zero_is_a_fresh_run(
    population: list[Person], seed: int, with_pairs: bool
) -> None:
    # Any starting grouping at all, even one that breaks every rule.
    rng = random.Random(seed)
    ids = [p.id for p in population]
    rng.shuffle(ids)
    groups = [
        {"number": n + 1, "members": ids[i : i + 3]} for n, i in enumerate(range(0, len(ids), 3))
    ]
    start = StartingGrouping.from_result(groups)
    pairs = PairRequests(((ids[0], ids[1]),), ((ids[2], ids[3]),)) if with_pairs else PairRequests()
    options = GroupingOptions(stability_weight=0)
    regrouped = run_stable(inputs(population), options, start=start, pairs=pairs)
    fresh = run_stable(inputs(population), options, pairs=pairs)
    assert comparable(regrouped) == comparable(fresh)
    if not with_pairs:
        assert comparable(fresh) == comparable(run_grouping(inputs(population), options))


def test_a_withdrawal_below_the_minimum_is_mended_in_at_most_two_groups() -> None:
    population = crowd(41)
    fresh = run_grouping(inputs(population), LOOSE)
    smallest = min(fresh.groups, key=lambda g: g.size)
    assert smallest.size == LOOSE.min_group_size
    gone = smallest.members[0]
    remaining = [p for p in population if p.id != gone]
    result = run_stable(inputs(remaining), LOOSE, start=start_of(fresh))
    continuity = result.diagnostics.continuity
    assert continuity is not None
    assert continuity.withdrawn == 1
    assert continuity.groups_touched <= 2
    by_id = {p.id: p for p in remaining}
    assert all(group_is_valid([by_id[m] for m in g.members], LOOSE) for g in result.groups)
    assert len(result.unassigned) == len(fresh.unassigned)
    assert set(continuity.moved_by_reason) <= {"size", "withdrawn-partner"}


def test_a_new_severe_allergy_moves_its_holder_and_says_why() -> None:
    options = GroupingOptions(age_policy="loose", max_allergy_count=1)
    population = [
        replace(p, allergies={"peanut": "severe"}) if p.id in {"p000", "p001", "p002"} else p
        for p in crowd(30)
    ]
    fresh = run_grouping(inputs(population), options)
    with_peanut = next(g for g in fresh.groups if "p000" in g.members)
    mate = next(m for m in with_peanut.members if m not in {"p000", "p001", "p002"})
    changed = [
        replace(p, allergies={"sesame": "severe"}) if p.id == mate else p for p in population
    ]
    result = run_stable(inputs(changed), options, start=start_of(fresh))
    continuity = result.diagnostics.continuity
    assert continuity is not None
    assert "new-allergy" in {m.reason for m in continuity.moved_people}
    by_id = {p.id: p for p in changed}
    assert all(group_is_valid([by_id[m] for m in g.members], options) for g in result.groups)


def test_a_locked_group_survives_a_stability_of_zero() -> None:
    population = crowd(30)
    fresh = run_grouping(inputs(population), LOOSE)
    locked = fresh.groups[0]
    options = GroupingOptions(age_policy="loose", stability_weight=0)
    result = run_stable(
        inputs(population), options, start=start_of(fresh, locked_groups=[locked.number])
    )
    assert set(locked.members) in [set(g.members) for g in result.groups]


def test_a_locked_person_leaving_for_a_hard_rule_is_reported() -> None:
    options = GroupingOptions(age_policy="loose", max_allergy_count=1)
    population = [
        replace(p, allergies={"peanut": "severe"}) if p.id == "p000" else p for p in crowd(24)
    ]
    fresh = run_grouping(inputs(population), options)
    group = next(g for g in fresh.groups if "p000" in g.members)
    mate = next(m for m in group.members if m != "p000")
    changed = [replace(p, allergies={"fish": "severe"}) if p.id == mate else p for p in population]
    start = start_of(fresh, locked_people=["p000", mate])
    result = run_stable(inputs(changed), options, start=start)
    continuity = result.diagnostics.continuity
    assert continuity is not None
    [broken] = continuity.locks_broken
    assert broken["rule"] == "new-allergy" and broken["participant_id"] in {"p000", mate}
    assert not any({"p000", mate} <= set(g.members) for g in result.groups)


@st.composite
def changes(draw: st.DrawFn) -> tuple[list[Person], list[Person], GroupingOptions]:
    before = draw(people(min_size=8, max_size=30))
    after = [p for p in before if draw(st.integers(0, 9)) > 0]
    after = [
        replace(p, age=draw(st.integers(18, 70))) if draw(st.integers(0, 9)) == 0 else p
        for p in after
    ]
    after += draw(people(max_size=5).map(lambda ps: [replace(p, id="n" + p.id) for p in ps]))
    options = draw(
        st.builds(
            GroupingOptions,
            kosher_only=st.booleans(),
            age_policy=st.sampled_from(["banded", "loose"]),
            max_allergy_count=st.integers(0, 3),
            stability_weight=st.sampled_from([0.0, 0.5, 1.0, 10.0]),
        )
    )
    return before, after, options


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=changes(), data=st.data())
def test_every_stable_run_is_valid_and_keeps_its_locks_and_pairs(
    case: tuple[list[Person], list[Person], GroupingOptions], data: st.DataObject
) -> None:
    before, after, options = case
    fresh = run_grouping(inputs(before), options)
    placed = [m for g in fresh.groups for m in g.members]
    locked = data.draw(st.lists(st.sampled_from(placed), max_size=3)) if placed else []
    ids = st.sampled_from([p.id for p in after] or ["nobody"])
    apart = data.draw(st.lists(st.tuples(ids, ids), max_size=4))
    together = data.draw(st.lists(st.tuples(ids, ids), max_size=3))
    pairs = PairRequests(tuple(together), tuple((a, b) for a, b in apart if a != b))
    result = run_stable(
        inputs(after), options, start=start_of(fresh, locked_people=locked), pairs=pairs
    )
    by_id = {p.id: p for p in after}
    groups = result_groups(result)
    assert all(group_is_valid([by_id[m] for m in g], options) for g in groups)
    seen = [m for g in groups for m in g] + [u.participant_id for u in result.unassigned]
    assert sorted(seen) == sorted(by_id)
    together_real = [(a, b) for a, b in together if a != b]
    assert keeps_pairs(groups, binding(after, together_real, pairs.apart, options), pairs.apart)
    continuity = result.diagnostics.continuity
    assert continuity is not None
    broken = {entry["participant_id"] for entry in continuity.locks_broken}
    moved = {m.participant_id for m in continuity.moved_people}
    assert not (set(locked) & moved) - broken
