"""The events store: events, their registrations and imports, read and written as the caller.

Written once over a `Transport` (PostgREST in production, psycopg locally and in tests), as
the grouping store is: each method is one request (two where a miss must be told apart:
no such event, or already closed), so Row Level Security applies throughout, and failures
arrive as the taxonomy's errors chosen by database code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from functions.database.transport import Filter, Insert, Select, Transport, Update, eq
from functions.events.errors import MAX_IMPORT_ROWS, ImportTooLargeError
from functions.events.schemas import (
    EventCreate,
    EventPublic,
    EventRegistrations,
    EventStatus,
    ImportCounts,
    ImportedParticipant,
    Registration,
    columns_of,
)
from functions.web.errors import FieldError, InvalidInputError, NotFoundError
from functions.web.problems import invalid_input

EVENTS = "events"
REGISTRANTS = "event_registrants"
_EVENT_COLUMNS = columns_of(EventPublic)
_REGISTRATION_COLUMNS = columns_of(Registration)
# Soonest first; the id last, since PostgREST pages need a unique order.
_EVENT_ORDER = ("event_date", "created_at", "id")
_REGISTRATION_ORDER = ("full_name", "participant_id")
_IMPORTED: TypeAdapter[list[ImportedParticipant]] = TypeAdapter(list[ImportedParticipant])


class SealedPeople(Protocol):
    """An import's people as the sealer readied them (see `AnswerSealer`)."""

    @property
    def ids(self) -> Mapping[str, str]:
        """External id → the participant id their answers were sealed for."""
        ...

    @property
    def clear(self) -> Mapping[str, dict[str, Any]]:
        """External id → the answers stored in clear (the rest is sealed)."""
        ...

    @property
    def health(self) -> dict[str, Any] | None:
        """The sealed rows and their data key, as `import_registrations` takes them."""
        ...


class AnswerSealer(Protocol):
    """What an import needs of the health feature: its people's health answers sealed."""

    def seal(
        self, *, event_id: UUID | None, people: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> SealedPeople: ...


class EventsStore:
    """Events and their registrations, read and written through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _events(self, *filters: Filter) -> list[EventPublic]:
        query = Select(EVENTS, _EVENT_COLUMNS, filters, order=_EVENT_ORDER)
        return [EventPublic.model_validate(row) for row in self._transport.select(query)]

    def create_event(self, *, event: EventCreate) -> EventPublic:
        values = event.model_dump(mode="json")
        row = self._transport.insert(Insert(EVENTS, values, returning=_EVENT_COLUMNS))
        return EventPublic.model_validate(row)

    def list_events(self, *, status: EventStatus | None = None) -> list[EventPublic]:
        """Every event (or those of `status`), soonest first."""
        return self._events(*([] if status is None else [eq("status", status)]))

    def get_event(self, *, event_id: UUID) -> EventPublic:
        found = self._events(eq("id", event_id))
        if not found:
            raise NotFoundError()
        return found[0]

    def close_event(self, *, event_id: UUID) -> EventPublic:
        """Closes an open event; an event already closed is answered as it stands."""
        filters = [eq("id", event_id), eq("status", "open")]
        rows = self._transport.update(Update(EVENTS, {"status": "closed"}, filters, _EVENT_COLUMNS))
        if rows:
            return EventPublic.model_validate(rows[0])
        return self.get_event(event_id=event_id)

    def list_registrations(self, *, event_id: UUID) -> EventRegistrations:
        """The event and the people registered for it, with their answers as stored."""
        event = self.get_event(event_id=event_id)
        query = Select(
            REGISTRANTS, _REGISTRATION_COLUMNS, [eq("event_id", event_id)], _REGISTRATION_ORDER
        )
        rows = self._transport.select(query)
        return EventRegistrations(
            event=event, registrations=[Registration.model_validate(row) for row in rows]
        )

    def import_registrations(
        self,
        *,
        event_id: UUID,
        participants: Sequence[ImportedParticipant | Mapping[str, Any]],
        sealer: AnswerSealer | None = None,
    ) -> ImportCounts:
        """Upserts `participants` by external id and registers them for the event: one RPC,
        all or nothing (sql/migrations/0020).

        `participants` may be a survey reader's participant dicts as they come (`id` is the
        external id). A returning person's answers replace their old ones; a person whose
        answers are as stored is not written. More than `MAX_IMPORT_ROWS` is
        `ImportTooLargeError` (422), a bad row or a repeated external id `InvalidInputError`
        (422 naming `participants.<index>.<field>`), both before any request; an unknown
        event `NotFoundError` (404), a closed one `ClosedEventError` (409).

        With a `sealer`, the health part of each person's answers is sealed (one data key
        for the import) and only the clear part is stored in clear; without one, answers
        go as they are, and the database refuses any health answer among them.
        """
        if len(participants) > MAX_IMPORT_ROWS:
            raise ImportTooLargeError()
        try:
            people = _IMPORTED.validate_python(participants)
        except ValidationError as error:
            raise invalid_input(error, prefix="participants") from None
        _refuse_repeated_ids(people)
        rows = [person.row() for person in people]
        args: dict[str, Any] = {"p_event_id": str(event_id), "p_participants": rows}
        if sealer is not None:
            sealed = sealer.seal(
                event_id=event_id, people=[(p.external_id, p.responses) for p in people]
            )
            for row in rows:
                external_id = row["external_id"]
                row.update(id=sealed.ids[external_id], responses=sealed.clear[external_id])
            if sealed.health is not None:
                args["p_health"] = sealed.health
        return ImportCounts.model_validate(self._transport.rpc("import_registrations", args))


def _refuse_repeated_ids(people: Sequence[ImportedParticipant]) -> None:
    """An external id twice in one import (the survey reader refuses it too) is a 422 naming
    the second one: which answers should win is the organiser's to say."""
    first: dict[str, int] = {}
    for index, person in enumerate(people):
        earlier = first.setdefault(person.external_id, index)
        if earlier != index:
            message = f"repeats the id of participants.{earlier}"
            field = f"participants.{index}.external_id"
            raise InvalidInputError(errors=[FieldError(field, message)])
