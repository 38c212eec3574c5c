"""Reading a participant's age, kosher and diet answers into a profile."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import Participant
from engine.grouping.survey.reader import read_profile

AS_OF = date(2024, 6, 15)


def participant(responses: dict[str, Any] | None = None, **fields: Any) -> Participant:
    return Participant(id="p1", responses=responses or {}, **fields)


def age_of(person: Participant, as_of: date = AS_OF) -> int | None:
    return read_profile(person, as_of=as_of).age


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"age": 34}, 34, id="int"),
        pytest.param({"age": "34"}, 34, id="numeric-string"),
        pytest.param({"age": " 34 "}, 34, id="padded-string"),
        pytest.param({"age": 34.0}, 34, id="integral-float"),
        pytest.param({"age": "34.0"}, 34, id="integral-float-string"),
        pytest.param({"age": 0}, 0, id="zero"),
        pytest.param({"age": 130}, 130, id="oldest"),
        pytest.param({"age": "1990-06-15"}, 34, id="iso-date-in-age-birthday-today"),
        pytest.param({"age": "1990-06-16"}, 33, id="iso-date-in-age-birthday-tomorrow"),
        pytest.param({"birth_date": date(1990, 6, 16)}, 33, id="birth-date"),
        pytest.param({"birth_date": "1990-06-15"}, 34, id="birth-date-string"),
        pytest.param({"birth_date": "1990-06-15T08:30:00"}, 34, id="birth-date-with-time"),
        pytest.param({"responses": {"age": "41"}}, 41, id="responses-age"),
        pytest.param({"responses": {"birth_date": "2000-02-29"}}, 24, id="responses-birth-date"),
        pytest.param({"age": 30, "birth_date": "1990-01-01"}, 30, id="age-before-birth-date"),
        pytest.param({"age": "", "birth_date": "1990-01-01"}, 34, id="blank-age-falls-through"),
        pytest.param({"age": 30, "responses": {"age": 50}}, 30, id="top-level-first"),
        pytest.param(
            {"responses": {"age": None, "birth_date": "1980-01-01"}}, 44, id="responses-order"
        ),
        pytest.param({}, None, id="missing"),
        pytest.param({"age": "  ", "responses": {"age": ""}}, None, id="all-blank"),
    ],
)
def test_age(fields: dict[str, Any], expected: int | None) -> None:
    assert age_of(participant(**fields)) == expected


def test_leap_day_birthday_counts_from_first_of_march() -> None:
    person = participant(birth_date="2000-02-29")
    assert age_of(person, date(2023, 2, 28)) == 22
    assert age_of(person, date(2023, 3, 1)) == 23


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"age": -1}, "age", id="negative"),
        pytest.param({"age": 131}, "age", id="too-old"),
        pytest.param({"age": 34.5}, "age", id="non-integral"),
        pytest.param({"age": "34.5"}, "age", id="non-integral-string"),
        pytest.param({"age": float("nan")}, "age", id="nan"),
        pytest.param({"age": "thirty"}, "age", id="words"),
        pytest.param({"age": "34 years"}, "age", id="number-and-words"),
        pytest.param({"age": "-5"}, "age", id="negative-string"),
        pytest.param({"age": "abc", "birth_date": "1990-01-01"}, "age", id="no-fall-through"),
        pytest.param({"birth_date": "1990-13-01"}, "birth_date", id="bad-month"),
        pytest.param({"birth_date": "2024-06-16"}, "birth_date", id="born-after-as-of"),
        pytest.param({"birth_date": "1850-01-01"}, "birth_date", id="over-130"),
        pytest.param({"birth_date": "34"}, "birth_date", id="birth-date-not-a-date"),
        pytest.param({"responses": {"age": True}}, "responses.age", id="bool"),
        pytest.param({"responses": {"age": [30]}}, "responses.age", id="list"),
        pytest.param({"responses": {"age": {"v": 30}}}, "responses.age", id="dict"),
        pytest.param({"responses": {"birth_date": 1990}}, "responses.birth_date", id="int-date"),
    ],
)
def test_unreadable_age_names_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        age_of(participant(**fields))
    assert caught.value.field == field


def test_top_level_bool_age_is_unreadable() -> None:
    # Participant's own validation would turn True into 1; the reader must still refuse a bool.
    person = Participant.model_construct(id="p1", age=True, birth_date=None, responses={})
    with pytest.raises(InvalidProfileError) as caught:
        age_of(person)
    assert caught.value.field == "age"


def kosher_of(value: Any) -> bool:
    return read_profile(participant({"kosher": value}), as_of=AS_OF).kosher


@pytest.mark.parametrize(
    "value",
    [True, "yes", "Yes!", "TRUE", "כן", "kosher", "Kosher", "כשר", " כָּשֵׁר ", "שומר כשרות",
     "שומרת כשרות", "שומר/ת כשרות"],
)  # fmt: skip
def test_keeps_kosher(value: Any) -> None:
    assert kosher_of(value) is True


@pytest.mark.parametrize(
    "value",
    [False, None, "", "no", "No.", "false", "לא", "not kosher", "Not Kosher", "לא כשר",
     "לא שומר כשרות", "לא שומרת כשרות", "לא שומר/ת כשרות"],
)  # fmt: skip
def test_does_not_keep_kosher(value: Any) -> None:
    assert kosher_of(value) is False


def test_missing_kosher_is_not_kosher() -> None:
    assert read_profile(participant(), as_of=AS_OF).kosher is False


@pytest.mark.parametrize("value", ["maybe", "לפעמים", "kosher-ish", 1, 0, ["yes"], {"yes": 1}])
def test_unreadable_kosher(value: Any) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        kosher_of(value)
    assert caught.value.field == "responses.kosher"


def diet_of(value: Any) -> str:
    return read_profile(participant({"diet": value}), as_of=AS_OF).diet


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("omnivore", "omnivore"),
        ("Vegetarian", "vegetarian"),
        ("VEGAN", "vegan"),
        ("pescatarian", "pescatarian"),
        ("צמחוני", "vegetarian"),
        ("צמחונית", "vegetarian"),
        ("צמחוני/ת", "vegetarian"),
        ("צִמְחוֹנִית", "vegetarian"),
        ("טבעוני", "vegan"),
        ("טבעונית", "vegan"),
        ("פסקטריאני", "pescatarian"),
        ("פסקטריאנית", "pescatarian"),
        ("אוכל הכל", "omnivore"),
        ("אוכלת הכל", "omnivore"),
        ("אוכל/ת הכל", "omnivore"),
        ("וטבעונית", "vegan"),
        (None, "omnivore"),
        ("", "omnivore"),
    ],
)
def test_diet(value: Any, expected: str) -> None:
    assert diet_of(value) == expected


def test_missing_diet_is_omnivore() -> None:
    assert read_profile(participant(), as_of=AS_OF).diet == "omnivore"


@pytest.mark.parametrize("value", ["keto", "carnivore", "vegan vegetarian", 5, True, ["vegan"]])
def test_unreadable_diet(value: Any) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        diet_of(value)
    assert caught.value.field == "responses.diet"


def test_read_profile_reads_every_answer() -> None:
    person = Participant(
        id="p7",
        age="29",
        responses={
            "kosher": "שומרת כשרות",
            "diet": "צמחונית",
            "dietary_restrictions": "אלרגיה חמורה לשומשום, ללא גלוטן",
        },
    )
    profile = read_profile(person, as_of=AS_OF)
    assert (profile.participant_id, profile.age, profile.kosher, profile.diet) == (
        "p7",
        29,
        True,
        "vegetarian",
    )
    assert profile.allergies.severity == {"sesame": "severe"}
    assert profile.restrictions == ("ללא גלוטן",)


def test_first_unreadable_answer_is_named_and_its_value_is_not_echoed() -> None:
    secret = "SECRET-VALUE-42"
    responses: dict[str, Any] = {
        "kosher": secret,
        "diet": secret,
        "dietary_restrictions": {"x": secret},
    }
    with pytest.raises(InvalidProfileError) as caught:
        read_profile(participant(responses, age=secret), as_of=AS_OF)
    assert caught.value.field == "age"
    assert secret not in str(caught.value)
    fields = ["kosher", "diet", "dietary_restrictions"]
    for field in fields:
        with pytest.raises(InvalidProfileError) as caught:
            read_profile(participant(responses), as_of=AS_OF)
        assert caught.value.field == f"responses.{field}"
        assert secret not in str(caught.value)
        responses[field] = None
