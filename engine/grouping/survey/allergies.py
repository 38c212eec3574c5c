"""Reading `dietary_restrictions`: allergies with their severity, and the other answers.

The rules are the spec's (Allergies); items are read one by one (items.py), then:

- an allergy item names its known allergens and an `other:<text>` key for each part that
  names no known one (parts.py, unknown.py); one naming nothing at all is
  `other:unspecified`;
- a continuation, an item without a marker right after an allergy item of the same
  answer that holds only known allergen names, conjunctions and severity words ("Allergic
  to peanuts, sesame"), joins that allergy: its names and severities count as the allergy
  item's own, and a further continuation may follow it;
- the mirror, decided beyond the spec (which is silent on it): such an item right before
  an allergy item of the same answer joins that allergy too ("peanut, sesame allergy",
  "milk/soy allergy"), and such items chain ("milk, soy, peanut allergy"); one between two
  allergy items joins both, so its allergens keep the higher of the two severities;
- an allergy and the items joined to it give every allergen they name the highest
  severity said in any of them (moderate when none is), for the kitchen's safety; the
  same allergen named twice keeps its higher severity;
- every allergy item and item joined to one is kept as written in `raw_items`, the other
  readable answers are returned as written, and "there is none" answers are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import SEVERITY_RANK, AllergyProfile, Participant, Severity
from engine.grouping.options import GroupingOptions
from engine.grouping.survey.items import ItemReading, read_item
from engine.grouping.survey.text import split_items
from engine.grouping.survey.unknown import UNSPECIFIED

FIELD = "responses.dietary_restrictions"


def _add_allergy(statement: list[ItemReading], severity: dict[str, Severity]) -> None:
    """Fold one allergy item and the items joined to it into `severity`."""
    keys = set().union(*(reading.known for reading in statement))
    keys.update(key for reading in statement for key in reading.unknown)
    levels = [level for reading in statement for level in reading.levels]
    level: Severity = max(levels, key=SEVERITY_RANK.__getitem__, default="moderate")
    for allergen in keys or (UNSPECIFIED,):
        known = severity.get(allergen)
        if known is None or SEVERITY_RANK[level] > SEVERITY_RANK[known]:
            severity[allergen] = level


def _statement(readings: list[ItemReading], at: int) -> range:
    """The allergy item at `at` with the items joined to it, before and after, in one answer."""
    start = at
    while start > 0 and readings[start - 1].continues:
        start -= 1
    end = at + 1
    while end < len(readings) and readings[end].continues:
        end += 1
    return range(start, end)


# Bounded: a cached profile with its answer takes a few kilobytes.
@lru_cache(maxsize=4096)
def _read_answers(answers: tuple[str, ...]) -> tuple[AllergyProfile, tuple[str, ...]]:
    severity: dict[str, Severity] = {}
    raw: list[str] = []
    kept: list[str] = []
    for answer in answers:  # items join an allergy of their own answer only
        items = split_items(answer)
        readings = [read_item(item) for item in items]
        joined: set[int] = set()
        for at, reading in enumerate(readings):
            if reading.kind == "allergy":
                statement = _statement(readings, at)
                _add_allergy([readings[index] for index in statement], severity)
                joined.update(statement)
        for index, item in enumerate(items):
            if index in joined:
                raw.append(item)
            elif readings[index].kind == "restriction":
                kept.append(item)
    allergens = sorted(severity)
    profile = AllergyProfile(
        allergies=allergens,
        severity={allergen: severity[allergen] for allergen in allergens},
        raw_items=raw,
    )
    return profile, tuple(kept)


def _answers_of(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        if all(isinstance(element, str) or element is None for element in value):
            return tuple(element for element in value if element is not None)
        raise InvalidProfileError(FIELD, "every entry of the list must be text")
    raise InvalidProfileError(FIELD, "expected a list of answers or one text answer")


def read_restrictions(value: object) -> tuple[AllergyProfile, tuple[str, ...]]:
    """Read a `dietary_restrictions` answer: the allergy profile and the other answers as written.

    Raises InvalidProfileError(field="responses.dietary_restrictions") when `value` is
    neither text nor a list of texts. "There is none" answers are dropped. Equal answers
    share one frozen profile object (answers repeat a lot): treat it as read-only.
    """
    return _read_answers(_answers_of(value))


def extract_allergy_profile(participant: Participant) -> AllergyProfile:
    """The participant's allergies by canonical allergen, each at its highest severity.

    Raises InvalidProfileError(field="responses.dietary_restrictions") when the answer
    cannot be read.
    """
    return read_restrictions(participant.responses.get("dietary_restrictions"))[0]


def group_allergy_ok(participants: Iterable[Participant], options: GroupingOptions) -> bool:
    """Whether these participants together hold at most `max_allergy_count` severe allergens."""
    severe: set[str] = set()
    for participant in participants:
        severe |= extract_allergy_profile(participant).severe_allergens()
    return len(severe) <= options.max_allergy_count
