"""Reading one participant's answers into a `ParticipantProfile`.

Choices where the spec is silent:

- the age comes from the first of `age`, `birth_date`, `responses.age`,
  `responses.birth_date` that is given (not None, not blank); an unreadable one is an
  error, it never falls through to the next;
- an age field takes whole years (int, integral float, numeric text) or an ISO date of
  birth; a `birth_date` field takes only a date (ISO text, optionally with a time);
- ages run from 0 to 130; a birth date after `as_of` is unreadable;
- a blank `kosher` answer counts as missing (not kosher), a blank `diet` as omnivore.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import Diet, Participant
from engine.grouping.survey import vocabulary
from engine.grouping.survey.allergies import read_restrictions
from engine.grouping.survey.profile import ParticipantProfile
from engine.grouping.survey.text import Lexicon, normalise

T = TypeVar("T")
MAX_AGE = 130
_NUMBER = re.compile(r"(\d{1,4})(?:\.(\d+))?")
_KOSHER = Lexicon(vocabulary.KOSHER_ANSWERS)
_DIETS: Lexicon[Diet] = Lexicon(
    {phrase: diet for diet, phrases in vocabulary.DIETS.items() for phrase in phrases}
)
_AGE_PROBLEM = f"expected whole years from 0 to {MAX_AGE} or an ISO date of birth"
_DATE_PROBLEM = f"expected an ISO date (YYYY-MM-DD) giving an age from 0 to {MAX_AGE}"


def read_profile(participant: Participant, *, as_of: date) -> ParticipantProfile:
    """Read `participant`'s age, kosher, diet and dietary restrictions.

    Raises InvalidProfileError naming the field of the first unreadable answer; the
    message never repeats the answer itself.
    """
    for field, problem in participant.unreadable.items():
        raise InvalidProfileError(field, problem)
    responses = participant.responses
    age = read_age(participant, as_of=as_of)
    kosher = read_kosher(responses.get("kosher"))
    diet = read_diet(responses.get("diet"))
    allergies, restrictions = read_restrictions(responses.get("dietary_restrictions"))
    return ParticipantProfile(
        participant_id=participant.id,
        age=age,
        kosher=kosher,
        diet=diet,
        allergies=allergies,
        restrictions=restrictions,
    )


def read_age(participant: Participant, *, as_of: date) -> int | None:
    """Age in whole years on `as_of`, from the first age or birth date given; None if none."""
    if type(participant.age) is int and 0 <= participant.age <= MAX_AGE:
        return participant.age  # the common case, read without the general machinery
    responses = participant.responses
    sources = (
        ("age", participant.age),
        ("birth_date", participant.birth_date),
        ("responses.age", responses.get("age")),
        ("responses.birth_date", responses.get("birth_date")),
    )
    for field, value in sources:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if field.endswith("birth_date"):
            age = _age_from_birth_date(value, as_of)
            problem = _DATE_PROBLEM
        else:
            age = _age_from_age_field(value, as_of)
            problem = _AGE_PROBLEM
        if age is None or not 0 <= age <= MAX_AGE:
            raise InvalidProfileError(field, problem)
        return age
    return None


def _age_from_age_field(value: object, as_of: date) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        years = _whole_years(value)
        return years if years is not None else _age_from_birth_date(value, as_of)
    return None


def _age_from_birth_date(value: object, as_of: date) -> int | None:
    born = _parse_date(value) if isinstance(value, str) else value
    if isinstance(born, datetime):
        born = born.date()
    if not isinstance(born, date):
        return None
    before_birthday = (as_of.month, as_of.day) < (born.month, born.day)
    return as_of.year - born.year - before_birthday


@lru_cache(maxsize=4096)
def _whole_years(text: str) -> int | None:
    match = _NUMBER.fullmatch(text.strip())
    if match is None or (match.group(2) or "0").strip("0"):
        return None
    return int(match.group(1))


@lru_cache(maxsize=65536)
def _parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def read_kosher(value: object) -> bool:
    """Whether the `kosher` answer says the participant keeps kosher; missing means no."""
    if isinstance(value, bool):
        return value
    problem = "expected yes/no, כן/לא, kosher/not kosher or true/false"
    return _read_choice(value, _KOSHER, default=False, field="responses.kosher", problem=problem)


def read_diet(value: object) -> Diet:
    """The diet category of the `diet` answer; missing or blank means omnivore."""
    problem = "expected omnivore, vegetarian, vegan or pescatarian (English or Hebrew)"
    return _read_choice(value, _DIETS, default="omnivore", field="responses.diet", problem=problem)


def _read_choice(value: object, lexicon: Lexicon[T], *, default: T, field: str, problem: str) -> T:
    if value is None:
        return default
    if isinstance(value, str):
        answer = lexicon.whole_text(value)
        if answer is not None:
            return answer
        if not normalise(value):
            return default
    raise InvalidProfileError(field, problem)
