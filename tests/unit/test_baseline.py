"""The naive baseline is valid too, where allergies are common and severe ones clash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.baseline import naive_grouping
from engine.grouping.options import GroupingOptions
from tests.unit.factories import ALLERGENS, DIETS, Person
from tests.unit.test_properties import check_valid

SEVERITIES = ("mild", "moderate", "severe")


@st.composite
def allergy_heavy_people(draw: st.DrawFn) -> list[Person]:
    """Up to 80 people, most of them allergic, many severely, to a few allergens."""
    count = draw(st.integers(0, 80))
    allergens = st.sampled_from(ALLERGENS[:5])
    severity = st.sampled_from(SEVERITIES).filter(lambda s: s != "mild") | st.just("severe")
    allergy = st.dictionaries(allergens, severity, min_size=1, max_size=2)
    return [
        Person(
            id=f"p{index:03d}",
            age=draw(st.one_of(st.none(), st.integers(16, 70))),
            kosher=draw(st.booleans()),
            diet=draw(st.sampled_from(DIETS)),
            allergies=draw(allergy) if draw(st.floats(0, 1)) < 0.7 else {},
        )
        for index in range(count)
    ]


options = st.builds(
    lambda kosher, policy, limit, low, extra: GroupingOptions(
        kosher_only=kosher,
        age_policy=policy,
        max_allergy_count=limit,
        min_group_size=low,
        fallback_group_size=low,
        target_group_size=low + extra,
    ),
    st.booleans(),
    st.sampled_from(["banded", "loose"]),
    st.integers(0, 3),
    st.integers(2, 5),
    st.integers(0, 3),
)


@settings(max_examples=80, deadline=None)
@given(population=allergy_heavy_people(), opts=options)
def test_the_baseline_is_valid_on_allergy_heavy_inputs(
    population: list[Person], opts: GroupingOptions
) -> None:
    check_valid(naive_grouping([p.as_input() for p in population], opts), population, opts)


def test_a_short_group_does_not_borrow_past_the_severe_limit() -> None:
    # Sorted by age: [a, b, c] then [d]; d must borrow to reach 2, but c's severe milk
    # and d's severe peanut cannot share a group at a limit of 1: d borrows b instead.
    opts = GroupingOptions(
        age_policy="loose",
        max_allergy_count=1,
        min_group_size=2,
        fallback_group_size=2,
        target_group_size=3,
    )
    population = [
        Person("a", age=20),
        Person("b", age=21),
        Person("c", age=22, allergies={"milk": "severe"}),
        Person("d", age=23, allergies={"peanut": "severe"}),
    ]
    result = naive_grouping([p.as_input() for p in population], opts)
    check_valid(result, population, opts)
    assert sorted(sorted(g.members) for g in result.groups) == [["a", "c"], ["b", "d"]]
