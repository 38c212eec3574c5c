"""The sample-data generator: deterministic, Participant-shaped, and as mixed as designed.

The proportions are checked with a classifier written here from the survey's
vocabulary, not with the generator's own tables, and with bounds loose enough for
sampling noise on 5,000 rows (a few standard deviations) but tight enough to catch a
wrong weight.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from engine.grouping.models import Participant
from engine.grouping.run import run_grouping
from engine.grouping.survey.allergies import extract_allergy_profile
from infra.sample_data import REFERENCE_DATE, generate_participants

ROWS = 5_000
KOSHER_YES = {True, "yes", "Yes", "kosher", "Kosher", "כן", "כשר", "שומר כשרות", "שומרת כשרות"}
KOSHER_NO = {False, "no", "No", "not kosher", "לא", "לא כשר"}
DIET_WORDS = {
    "omnivore": ("omnivore", "אוכל הכל", "אוכלת הכל"),
    "vegetarian": ("vegetarian", "צמחוני", "צמחונית"),
    "vegan": ("vegan", "טבעוני", "טבעונית"),
    "pescatarian": ("pescatarian", "פסקטריאני", "פסקטריאנית"),
}
ALLERGY_MARK = re.compile(r"allerg|אלרג|anaphyla|epipen|אפיפן", re.IGNORECASE)
SEVERE_MARK = re.compile(r"severe|life-threatening|anaphyla|epipen|חמורה|מסכנת חיים|אפיפן", re.I)
NOTHING = {"none", "no allergies", "אין", "אין אלרגיות"}
HEBREW = re.compile(r"[\u0590-\u05FF]")


@pytest.fixture(scope="module")
def people() -> list[dict[str, Any]]:
    return generate_participants(ROWS, rng=random.Random(7))


def share(count: int) -> float:
    return count / ROWS


def is_allergy(item: str) -> bool:
    return item.strip().lower() not in NOTHING and bool(ALLERGY_MARK.search(item))


def restriction_items(person: dict[str, Any]) -> list[str]:
    answer = person["responses"].get("dietary_restrictions")
    if answer is None:
        return []
    if isinstance(answer, list):
        return answer
    return [item for item in re.split(r"[,;|/\n]", answer) if item.strip()]


def age_of(person: dict[str, Any]) -> int | str | None:
    if "birth_date" in person:
        born = date.fromisoformat(person["birth_date"])
        before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day)
        return REFERENCE_DATE.year - born.year - before_birthday
    age = person.get("age")
    if isinstance(age, str):
        return int(age) if age.isdigit() else age
    return age


def diet_of(person: dict[str, Any]) -> str | None:
    answer = person["responses"].get("diet")
    if answer is None:
        return "omnivore"
    for diet, words in DIET_WORDS.items():
        if answer.lower() in words:
            return diet
    return None


def test_the_same_seed_gives_the_same_people_and_another_seed_does_not() -> None:
    first = generate_participants(200, rng=random.Random(42))
    assert first == generate_participants(200, rng=random.Random(42))
    assert first != generate_participants(200, rng=random.Random(43))


def test_every_row_is_a_participant_with_a_unique_id(people: list[dict[str, Any]]) -> None:
    parsed = [Participant.model_validate(person) for person in people]
    assert len({participant.id for participant in parsed}) == ROWS
    assert all(
        set(person["responses"]) <= {"kosher", "diet", "dietary_restrictions"} for person in people
    )


def test_names_mix_hebrew_and_english(people: list[dict[str, Any]]) -> None:
    names = [person["full_name"] for person in people if person.get("full_name")]
    hebrew = sum(1 for name in names if HEBREW.search(name))
    assert 0.5 < hebrew / len(names) < 0.7
    assert len(names) > 0.97 * ROWS


def test_ages_are_mostly_adults_with_a_few_missing_or_minors(
    people: list[dict[str, Any]],
) -> None:
    ages = [age_of(person) for person in people]
    numbers = [age for age in ages if isinstance(age, int)]
    assert 0.01 < share(ages.count(None)) < 0.035
    assert 0.01 < share(sum(1 for age in numbers if age < 18)) < 0.035
    assert 0.04 < share(sum(1 for age in numbers if age > 70)) < 0.12
    assert share(sum(1 for age in numbers if 20 <= age <= 70)) > 0.8
    forms = Counter(
        "birth_date" if "birth_date" in p else type(p.get("age")).__name__ for p in people
    )
    assert {"birth_date", "int", "str"} <= set(forms)


def test_about_a_third_keep_kosher_in_mixed_forms(people: list[dict[str, Any]]) -> None:
    answers = [person["responses"].get("kosher") for person in people]
    assert 0.31 < share(sum(1 for a in answers if a in KOSHER_YES)) < 0.39
    readable = KOSHER_YES | KOSHER_NO | {None}
    assert share(sum(1 for a in answers if a not in readable)) < 0.01
    assert len(set(answers) & KOSHER_YES) >= 8
    assert {"לא", "no", False, None} <= set(answers)


def test_diets_follow_the_designed_mix_in_both_languages(people: list[dict[str, Any]]) -> None:
    diets = Counter(diet_of(person) for person in people)
    assert 0.61 < share(diets["omnivore"]) < 0.69
    assert 0.17 < share(diets["vegetarian"]) < 0.23
    assert 0.065 < share(diets["vegan"]) < 0.095
    assert 0.055 < share(diets["pescatarian"]) < 0.085
    answers = {person["responses"].get("diet") for person in people}
    assert {"צמחונית", "צמחוני", "טבעוני", "אוכל הכל", "vegan", "Vegetarian"} <= answers


def test_allergies_come_in_many_phrasings_and_a_few_are_severe(
    people: list[dict[str, Any]],
) -> None:
    items = [restriction_items(person) for person in people]
    allergic = [
        person_items for person_items in items if any(is_allergy(item) for item in person_items)
    ]
    severe = [
        person_items
        for person_items in allergic
        if any(SEVERE_MARK.search(item) for item in person_items)
    ]
    assert 0.17 < share(len(allergic)) < 0.23
    assert 0.02 < share(len(severe)) < 0.045
    phrasings = {item for person_items in allergic for item in person_items}
    assert len(phrasings) > 100
    assert any(HEBREW.search(item) for item in phrasings)
    assert any(" and " in item or " ול" in item for item in phrasings)


def test_most_restrictions_are_empty_and_some_are_not_allergies(
    people: list[dict[str, Any]],
) -> None:
    items = [restriction_items(person) for person in people]
    empty = sum(
        1 for person_items in items if all(item.strip().lower() in NOTHING for item in person_items)
    )
    assert share(empty) > 0.7
    gluten = sum(
        1
        for person_items in items
        if any(re.search(r"gluten.free|ללא גלוטן", item, re.I) for item in person_items)
    )
    assert 0.01 < share(gluten) < 0.08


def is_unreadable(person: dict[str, Any]) -> bool:
    return (
        isinstance(age_of(person), str)
        or person["responses"].get("kosher") not in KOSHER_YES | KOSHER_NO | {None}
        or diet_of(person) is None
    )


def test_a_sliver_of_answers_is_unreadable(people: list[dict[str, Any]]) -> None:
    assert 0.001 < share(sum(1 for person in people if is_unreadable(person))) < 0.01


def test_the_engine_reads_every_answer_but_the_deliberately_unreadable(
    people: list[dict[str, Any]],
) -> None:
    sample = people[:2_000]
    result = run_grouping(sample, effort=0, run_date=REFERENCE_DATE)
    invalid = {e.participant_id for e in result.unassigned if e.reason == "invalid-profile"}
    assert invalid == {person["id"] for person in sample if is_unreadable(person)}
    assert invalid


def test_the_engine_sees_the_same_severe_allergies_as_the_phrasing_says(
    people: list[dict[str, Any]],
) -> None:
    for person in people[:2_000]:
        items = restriction_items(person)
        said_severe = any(is_allergy(item) and SEVERE_MARK.search(item) for item in items)
        profile = extract_allergy_profile(Participant.model_validate(person))
        assert bool(profile.severe_allergens()) == said_severe, items
