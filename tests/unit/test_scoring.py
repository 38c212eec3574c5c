"""The group score against values worked out by hand from the spec."""

from __future__ import annotations

import pytest

from engine.grouping.models import AllergyProfile, Diet, Severity
from engine.grouping.options import GroupingOptions
from engine.grouping.search.scoring import GroupScorer, MemberFactory, MemberFacts, severe_ok
from engine.grouping.survey.profile import ParticipantProfile


def member(
    index: int,
    age: int | None,
    diet: Diet = "omnivore",
    allergies: dict[str, Severity] | None = None,
    factory: MemberFactory | None = None,
) -> MemberFacts:
    severity = allergies or {}
    profile = ParticipantProfile(
        participant_id=f"p{index}",
        age=age,
        kosher=False,
        diet=diet,
        allergies=AllergyProfile(allergies=sorted(severity), severity=severity),
    )
    return (factory or MemberFactory(GroupScorer(GroupingOptions()))).facts(index, profile)


def test_six_alike_without_allergies_score_one() -> None:
    group = [member(i, 30) for i in range(6)]
    assert GroupScorer(GroupingOptions()).score(group) == 1.0


def test_each_penalty_as_the_spec_weighs_it() -> None:
    # 5 members: ages 30..34 -> A = 4/10; diets 3 omnivore of 5 -> D = 0.4;
    # size |5-6|/6; allergens: peanut severe (0.05), milk moderate (0.02);
    # 2 of 5 allergic is not a majority.
    group = [
        member(0, 30, allergies={"peanut": "severe"}),
        member(1, 31, allergies={"peanut": "mild", "milk": "moderate"}),
        member(2, 32),
        member(3, 33, "vegan"),
        member(4, 34, "vegan"),
    ]
    expected = 1 - (0.05 + 0.02) - 0.3 * 0.4 - 0.1 * 0.4 - 0.1 * (1 / 6)
    assert GroupScorer(GroupingOptions()).score(group) == pytest.approx(expected)


def test_majority_of_allergic_members_is_penalised() -> None:
    group = [member(i, 40, allergies={"egg": "mild"}) for i in range(3)]
    group += [member(3, 40)]
    # 3 of 4 allergic: majority 0.1; one mild allergen 0.01; size |4-6|/6 * 0.1.
    expected = 1 - 0.01 - 0.1 - 0.1 * (2 / 6)
    assert GroupScorer(GroupingOptions()).score(group) == pytest.approx(expected)


def test_age_spread_is_capped_and_score_clamped_at_zero() -> None:
    weights = {"age": 10.0}
    group = [member(0, 20), member(1, 70), member(2, None), member(3, 21)]
    assert GroupScorer(GroupingOptions(scoring_weights=weights)).score(group) == 0.0


def test_value_is_size_times_score() -> None:
    scorer = GroupScorer(GroupingOptions())
    factory = MemberFactory(scorer)
    group = [member(i, 30 + i, factory=factory) for i in range(4)]
    assert scorer.value(group) == pytest.approx(4 * scorer.score(group))


def test_two_factories_of_one_scorer_never_confuse_its_cache() -> None:
    # The cache is keyed by kinds; factories of one scorer number kinds together, so
    # the second factory's different people cannot take the first group's value.
    scorer = GroupScorer(GroupingOptions())
    first, second = MemberFactory(scorer), MemberFactory(scorer)
    alike = [member(i, 30, factory=first) for i in range(4)]
    apart = [
        member(i, 30 + 10 * i, "vegan" if i % 2 else "omnivore", factory=second) for i in range(4)
    ]
    assert scorer.value(alike) == pytest.approx(4 * (1 - 0.1 * 2 / 6))  # alike; size 4 of 6
    assert scorer.value(apart) == pytest.approx(4 * scorer.score(apart))
    assert scorer.value(apart) < scorer.value(alike)
    assert member(9, 30, factory=second).kind == alike[0].kind


def test_severe_limit_counts_distinct_severe_allergens_only() -> None:
    group = [
        member(0, 30, allergies={"peanut": "severe", "egg": "severe"}),
        member(1, 30, allergies={"peanut": "severe", "milk": "mild"}),
        member(2, 30, allergies={"fish": "severe"}),
    ]
    assert severe_ok(group, 3)
    assert not severe_ok(group, 2)
