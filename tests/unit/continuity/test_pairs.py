"""Together and apart requests: valid on every result, and the optimum on small instances."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.grouping.continuity.requests import PairRequests
from engine.grouping.continuity.stable import run_stable
from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from tests.unit.continuity.pair_reference import Pair, binding, keeps_pairs, result_groups
from tests.unit.factories import Person, people
from tests.unit.reference import group_is_valid, objective, reference_score
from tests.unit.test_optimality import option_sets


@st.composite
def requests(
    draw: st.DrawFn, population: list[Person], most: int = 4
) -> tuple[list[Pair], list[Pair]]:
    ids = [p.id for p in population]
    if len(ids) < 2:
        return [], []
    pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True).map(
        lambda two: (two[0], two[1])
    )
    return draw(st.lists(pair, max_size=most)), draw(st.lists(pair, max_size=most))


def best_with_pairs(
    population: list[Person], bind: list[set[str]], apart: list[Pair], options: GroupingOptions
) -> tuple[int, float]:
    """Every split of the population into valid groups and the left out, by brute force."""
    best = (0, 0.0)

    def search(rest: tuple[Person, ...], groups: list[list[Person]]) -> None:
        nonlocal best
        if not rest:
            ids = [[p.id for p in g] for g in groups]
            if keeps_pairs(ids, bind, apart):
                best = max(best, objective(groups, options))
            return
        first, others = rest[0], rest[1:]
        search(others, groups)
        for size in range(options.min_group_size, options.target_group_size + 1):
            for mates in combinations(range(len(others)), size - 1):
                group = [first, *(others[i] for i in mates)]
                if group_is_valid(group, options):
                    remaining = tuple(p for i, p in enumerate(others) if i not in mates)
                    search(remaining, [*groups, group])

    search(tuple(population), [])
    return best


def _run(
    population: list[Person], pairs: tuple[list[Pair], list[Pair]], options: GroupingOptions
) -> GroupingResult:
    together, apart = pairs
    return run_stable(
        [p.as_input() for p in population],
        options,
        pairs=PairRequests(tuple(together), tuple(apart)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), population=people(min_size=2, max_size=8), options=option_sets)
def test_small_instances_with_pairs_reach_the_exhaustive_optimum(
    data: st.DataObject, population: list[Person], options: GroupingOptions
) -> None:
    together, apart = data.draw(requests(population))
    result = _run(population, (together, apart), options)
    bind = binding(population, together, apart, options)
    best = best_with_pairs(population, bind, apart, options)
    by_id = {p.id: p for p in population}
    found = objective([[by_id[m] for m in g.members] for g in result.groups], options)
    assert found[0] == best[0]
    assert abs(found[1] - best[1]) < 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), population=people(min_size=2, max_size=45), options=option_sets)
def test_every_result_keeps_the_rules_and_the_pairs(
    data: st.DataObject, population: list[Person], options: GroupingOptions
) -> None:
    together, apart = data.draw(requests(population, most=8))
    result = _run(population, (together, apart), options)
    by_id = {p.id: p for p in population}
    groups = result_groups(result)
    for group in groups:
        assert group_is_valid([by_id[m] for m in group], options)
    seen = [m for g in groups for m in g] + [u.participant_id for u in result.unassigned]
    assert sorted(seen) == sorted(by_id)
    assert keeps_pairs(groups, binding(population, together, apart, options), apart)
    for scored in result.groups:
        expected = reference_score([by_id[m] for m in scored.members], options)
        assert abs(scored.score - expected) < 1e-9


def test_an_unmeetable_together_pair_is_reported_with_its_reason() -> None:
    couple = [Person("a", age=30), Person("b", age=70)]
    others = [Person(f"o{i}", age=30 + i % 3) for i in range(6)]
    result = _run([*couple, *others], ([("a", "b")], []), GroupingOptions())
    continuity = result.diagnostics.continuity
    assert continuity is not None
    assert continuity.together_unmet == [{"people": ["a", "b"], "reason": "different-pools"}]


def test_a_pair_naming_someone_unknown_is_reported() -> None:
    group = [Person(f"o{i}", age=30) for i in range(4)]
    result = _run(group, ([("o1", "nobody")], [("o2", "ghost")]), GroupingOptions())
    continuity = result.diagnostics.continuity
    assert continuity is not None
    assert sorted(continuity.pairs_unknown) == [["o1", "nobody"], ["o2", "ghost"]]


def test_apart_splits_what_the_score_would_join() -> None:
    # Two groups of four: twins of age 30 would sit together on the score alone.
    population = [Person(f"a{i}", age=30) for i in range(4)] + [
        Person(f"b{i}", age=45) for i in range(4)
    ]
    alone = _run(population, ([], []), GroupingOptions())
    assert any({"a0", "a1"} <= set(g.members) for g in alone.groups)
    result = _run(population, ([], [("a0", "a1")]), GroupingOptions())
    assert not any({"a0", "a1"} <= set(g.members) for g in result.groups)
