"""What the reader read from each row, as the grouping engine itself reads it.

The check reports the engine's own reading (`read_profile`, and the field readers when an
answer is unreadable), so what it shows is exactly what grouping will use: the age, the
kosher choice, the diet, each allergy at its severity, the other restrictions, the answers
left blank (read as their defaults: no age, not kosher, omnivore) and, for each answer the
engine cannot read, the field and why, never the answer itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import Diet, Participant, Severity
from engine.grouping.survey.allergies import read_restrictions
from engine.grouping.survey.reader import read_age, read_diet, read_kosher, read_profile
from engine.intake.rows import IdSource, PersonRow, is_empty

T = TypeVar("T")
_RESPONSES = "responses."


@dataclass(frozen=True, slots=True)
class NotRead:
    """An answer grouping cannot use: its field ("age", "kosher", "diet", ...) and why."""

    field: str
    problem: str


@dataclass(frozen=True, slots=True)
class RowReport:
    """One row as grouping will read it.

    `row` is the spreadsheet row (the header is 1). A field that could not be read is None
    (or empty) and has its `not_read` entry; `unanswered` lists the fields left blank.
    """

    row: int
    participant_id: str
    id_from: IdSource
    full_name: str | None
    age: int | None
    kosher: bool | None
    diet: Diet | None
    allergies: dict[str, Severity] = field(default_factory=dict)
    restrictions: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    not_read: tuple[NotRead, ...] = ()

    @property
    def display_name(self) -> str:
        """The person's name, or their id when they gave none."""
        return self.full_name or self.participant_id


def row_report(person: PersonRow, *, as_of: date) -> RowReport:
    participant = Participant.model_validate(person.participant)
    responses = participant.responses
    not_read = [NotRead(name, problem) for name, problem in person.not_read]
    try:
        profile = read_profile(participant, as_of=as_of)
    except InvalidProfileError:
        age = _read(lambda: read_age(participant, as_of=as_of), not_read)
        kosher = _read(lambda: read_kosher(responses.get("kosher")), not_read)
        diet = _read(lambda: read_diet(responses.get("diet")), not_read)
        restrictions = _read(
            lambda: read_restrictions(responses.get("dietary_restrictions")), not_read
        )
        allergies = dict(restrictions[0].severity) if restrictions else {}
        kept = restrictions[1] if restrictions else ()
    else:
        age, kosher, diet = profile.age, profile.kosher, profile.diet
        allergies, kept = dict(profile.allergies.severity), profile.restrictions
    return RowReport(
        row=person.number,
        participant_id=participant.id,
        id_from=person.id_from,
        full_name=participant.full_name,
        age=age,
        kosher=kosher,
        diet=diet,
        allergies=allergies,
        restrictions=tuple(kept),
        unanswered=_unanswered(person.participant, responses),
        not_read=tuple(not_read),
    )


def _read(reader: Callable[[], T], not_read: list[NotRead]) -> T | None:
    try:
        return reader()
    except InvalidProfileError as error:
        not_read.append(NotRead(error.field.removeprefix(_RESPONSES), error.problem))
        return None


def _unanswered(person: Mapping[str, Any], responses: Mapping[str, Any]) -> tuple[str, ...]:
    ages = (person.get("age"), person.get("birth_date"), responses.get("age"))
    blank = (
        ["age"] if all(is_empty(value) for value in (*ages, responses.get("birth_date"))) else []
    )
    blank += [name for name in ("kosher", "diet") if is_empty(responses.get(name))]
    return tuple(blank)
