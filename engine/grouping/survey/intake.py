"""Participants as models: each one's shape checked and duplicate ids refused, before reading."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from engine.grouping.errors import DuplicateParticipantError
from engine.grouping.models import Participant, UnassignedParticipant

# One validation call for the whole list is several times faster than one per item.
_PARTICIPANTS = TypeAdapter(list[Participant])


def validated_participants(
    items: Sequence[Participant | Mapping[str, Any]],
) -> tuple[list[Participant], list[UnassignedParticipant]]:
    """Participants as models; one whose shape is unreadable goes to the queue if it has an id.

    Raises DuplicateParticipantError when two share an id, and the ValidationError itself
    when an item has no usable id (then no reason could name it).
    """
    try:
        people = _PARTICIPANTS.validate_python(items)
    except ValidationError:
        people, invalid = _validated_one_by_one(items)
    else:
        invalid = []
    ids = [person.id for person in people] + [entry.participant_id for entry in invalid]
    duplicates = sorted(pid for pid, count in Counter(ids).items() if count > 1)
    if duplicates:
        raise DuplicateParticipantError(duplicates)
    return people, invalid


def _validated_one_by_one(
    items: Sequence[Participant | Mapping[str, Any]],
) -> tuple[list[Participant], list[UnassignedParticipant]]:
    people: list[Participant] = []
    invalid: list[UnassignedParticipant] = []
    for item in items:
        if isinstance(item, Participant):
            people.append(item)
            continue
        try:
            people.append(Participant.model_validate(item))
        except ValidationError as error:
            invalid.append(_unreadable(item, error))
    return people, invalid


def _unreadable(item: Mapping[str, Any], error: ValidationError) -> UnassignedParticipant:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "participant"
    raw_id = item.get("id") if isinstance(item, Mapping) else None
    if field == "id" or raw_id is None or isinstance(raw_id, bool):
        raise error
    return UnassignedParticipant(
        participant_id=str(raw_id),
        reason="invalid-profile",
        details={"field": field, "problem": first["msg"]},
    )
