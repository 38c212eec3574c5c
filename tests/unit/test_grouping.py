"""run_grouping end to end on small populations whose answer is known by hand."""

from __future__ import annotations

import random
from datetime import date

import pytest

from engine.grouping.errors import DuplicateParticipantError, InvalidSearchEffortError
from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from tests.unit.factories import Person


def run(people: list[Person], **options: object) -> GroupingResult:
    return run_grouping([p.as_input() for p in people], GroupingOptions.model_validate(options))


def reasons(result: GroupingResult) -> dict[str, str]:
    return {entry.participant_id: entry.reason for entry in result.unassigned}


def test_an_empty_list_gives_an_empty_result() -> None:
    result = run([])
    assert result.groups == [] and result.unassigned == []
    assert result.diagnostics.counts.participants == 0
    assert result.diagnostics.scores.mean == 0.0


def test_duplicate_ids_are_refused_up_front() -> None:
    with pytest.raises(DuplicateParticipantError) as caught:
        run([Person("a"), Person("b"), Person("a")])
    assert caught.value.participant_ids == ["a"]


def test_effort_outside_the_range_is_refused() -> None:
    with pytest.raises(InvalidSearchEffortError):
        run_grouping([], effort=11)


def test_an_unreadable_answer_leaves_the_rest_grouped() -> None:
    people = [Person(f"p{i}") for i in range(6)]
    raw = [p.as_input() for p in people]
    raw[2]["responses"]["diet"] = "carnivore-ish"
    raw.append({"id": "broken", "responses": "not an object"})
    result = run_grouping(raw)
    entries = {e.participant_id: e for e in result.unassigned}
    assert entries["p2"].reason == "invalid-profile"
    assert entries["p2"].details["field"] == "responses.diet"
    assert entries["broken"].details["field"] == "responses"
    assert sorted(m for g in result.groups for m in g.members) == ["p0", "p1", "p3", "p4", "p5"]


def test_age_reasons_under_banded_and_none_under_loose() -> None:
    people = [Person(f"p{i}", age=40) for i in range(4)]
    people += [Person("no-age", age=None), Person("young", age=16)]
    assert reasons(run(people)) == {"no-age": "missing-age", "young": "age-out-of-range"}
    loose = run(people, age_policy="loose")
    assert loose.unassigned == []
    assert sorted(g.size for g in loose.groups) == [6]


def test_missing_age_comes_before_the_allergy_limit() -> None:
    allergic = {"peanut": "severe", "egg": "severe", "milk": "severe", "soy": "severe"}
    people = [Person(f"p{i}") for i in range(4)]
    people += [Person("both", age=None, allergies=allergic), Person("solo", allergies=allergic)]
    result = run(people)
    assert reasons(result) == {"both": "missing-age", "solo": "allergy-limit-exceeded"}
    assert result.unassigned[1].details["severe_allergens"] == sorted(allergic)


def test_seven_alike_place_six_and_say_why_one_is_out() -> None:
    people = [Person(f"p{i}", age=30 + (i == 6) * 5) for i in range(7)]
    result = run(people, age_policy="loose")
    assert [g.size for g in result.groups] == [6]
    # The outlier in age is the one left out: six of age 30 score 1.0.
    assert reasons(result) == {"p6": "insufficient-compatible-participants"}
    details = result.unassigned[0].details
    assert details["pool_size"] == 7 and details["more_participants_needed_for_a_group"] == 3
    assert result.diagnostics.engine.upper_bound == 6
    assert result.groups[0].score == 1.0


def test_kosher_only_never_mixes_and_marks_kosher_groups() -> None:
    people = [Person(f"k{i}", kosher=True) for i in range(5)]
    people += [Person(f"n{i}", kosher=False) for i in range(5)]
    mixed = run(people)
    assert sorted(g.size for g in mixed.groups) == [4, 6]
    for group in mixed.groups:
        assert group.kosher == any(m.startswith("k") for m in group.members)
    separate = run(people, kosher_only=True)
    for group in separate.groups:
        assert len({m[0] for m in group.members}) == 1
        assert group.kosher == group.members[0].startswith("k")


def test_a_small_band_is_insufficient_with_a_useful_hint() -> None:
    people = [Person(f"a{i}", age=30) for i in range(6)] + [Person("old", age=70)]
    result = run(people)
    entry = result.unassigned[0]
    assert entry.reason == "insufficient-compatible-participants"
    assert entry.details["pool"] == {"kosher": None, "age_band": "60+"}
    assert entry.details["more_participants_needed_for_a_group"] == 3


def test_birth_dates_turn_into_ages_on_as_of() -> None:
    raw = [Person(f"p{i}").as_input() for i in range(4)]
    for item in raw:
        item.pop("age")
        item["birth_date"] = "2000-06-15"
    options = GroupingOptions(as_of=date(2025, 6, 14))
    result = run_grouping(raw, options)
    assert result.groups[0].age_range is not None
    assert result.groups[0].age_range.min == 24
    assert result.groups[0].age_band == "18-24"


def test_same_seed_same_result_whatever_the_input_order() -> None:
    rng = random.Random(3)
    people = [
        Person(f"p{i}", age=rng.randint(20, 60), diet=rng.choice(["vegan", "omnivore"]))
        for i in range(60)
    ]
    first = run(people, seed=5).model_dump(mode="json")
    shuffled = people[:]
    random.Random(9).shuffle(shuffled)
    second = run(shuffled, seed=5).model_dump(mode="json")
    for result in (first, second):
        result["diagnostics"]["engine"].pop("elapsed_ms")
    assert first == second


def test_diagnostics_count_what_happened() -> None:
    people = [Person(f"v{i}", age=30, diet="vegan", kosher=True) for i in range(4)]
    people += [Person("e1", age=31, allergies={"egg": "severe"})]
    people += [Person("e2", age=31, allergies={"egg": "mild", "soy": "moderate"})]
    people += [Person("none", age=None)]
    d = run(people).diagnostics
    assert d.counts.participants == 7 and d.counts.assigned == 6
    assert d.counts.unassigned_by_reason["missing-age"] == 1
    assert d.kosher.participants == 4 and d.kosher.groups == 1
    assert d.diets == {"omnivore": 3, "pescatarian": 0, "vegetarian": 0, "vegan": 4}
    assert d.allergies.by_allergen == {
        "egg": {"mild": 1, "moderate": 0, "severe": 1},
        "soy": {"mild": 0, "moderate": 1, "severe": 0},
    }
    assert d.allergies.unique_allergens == 2 and d.allergies.groups_with_allergies == 1
    assert d.ages.by_band == {"30-34": 6} and d.ages.missing == 1
    assert d.ages.max_spread == 1
    assert d.counts.group_sizes == {"6": 1}


def test_a_boolean_age_is_an_invalid_profile_not_age_one() -> None:
    raw = [Person(f"p{i}").as_input() for i in range(4)]
    raw[0]["age"] = True
    result = run_grouping(
        raw, GroupingOptions(age_policy="loose", min_group_size=2, fallback_group_size=2)
    )
    assert reasons(result) == {"p0": "invalid-profile"}
    assert result.unassigned[0].details["field"] == "age"
