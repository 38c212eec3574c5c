"""Whom a run groups, and their health answers opened beside the clear ones.

Runs and manual edits (editing.py) read people here and nowhere else, so both see the
same people with the same answers. The health answers are sealed in the database and
belong to the health feature, which a feature may not import: a run takes them through
the `HealthAnswers` Protocol, wired by the handlers. Opened answers stay in memory only,
and a person whose sealed answers do not open is not dropped but carries the field as
unreadable, so the engine reports them (`invalid-profile`) and the run goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from engine import Participant
from functions.grouping.store import GroupingStore

# Where a person whose sealed answers do not open is sent: the health part of the answers.
UNREADABLE_FIELD = "responses.dietary_restrictions"
UNREADABLE_PROBLEM = "the stored answers failed their integrity check; import them again"


class HealthAnswers(Protocol):
    """What a run needs of the health feature: everyone's health answers, opened."""

    def for_run(self, *, event_id: UUID | None) -> Mapping[str, Mapping[str, Any] | None]:
        """Participant id → their health answers; None for answers that do not open."""
        ...


def run_participants(
    store: GroupingStore, event_id: UUID | None, health: HealthAnswers | None
) -> list[Participant]:
    """Whom a run of `event_id` groups, with their health answers opened (one audited read)
    when `health` is given: the one place runs and manual edits read people."""
    participants = store.list_active_participants(event_id=event_id)
    if health is None:
        return participants
    return with_health(participants, health.for_run(event_id=event_id))


def with_health(
    participants: list[Participant], opened: Mapping[str, Mapping[str, Any] | None]
) -> list[Participant]:
    """Each participant with their opened health answers beside the clear ones, in memory
    only; one whose sealed answers do not open carries the field as unreadable."""
    merged = []
    for person in participants:
        if person.id not in opened:
            merged.append(person)
            continue
        answers = opened[person.id]
        if answers is None:
            update: dict[str, Any] = {"unreadable": {UNREADABLE_FIELD: UNREADABLE_PROBLEM}}
        else:
            update = {"responses": {**person.responses, **answers}}
        merged.append(person.model_copy(update=update))
    return merged
