"""Events: create, list (by status), close, import a survey export, and the people
registered. Admins only.

An event is the unit an organiser works in: a dinner with a date, open while it takes
registrations; closing it ends imports and grouping for it (409 after). Registrations come
from imports: `POST /events/{id}/registrations/import` takes the export as exported (CSV,
`Content-Type: text/csv`) or JSON rows (a list of objects), with an optional column
`mapping` (a JSON object, in the query) and `dry_run`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from functions.auth.deps import AdminDep
from functions.events.deps import EventsStoreDep
from functions.events.intake import ImportAnswer, import_export, read
from functions.events.schemas import EventCreate, EventPublic, EventRegistrations, EventStatus
from functions.health.deps import ImportSealerDep
from functions.web.app import create_app, mangum_handler
from functions.web.errors import FieldError, InvalidInputError
from functions.web.settings import MAX_BODY_BYTES_LIMIT

router = APIRouter(prefix="/events")


@router.post("", status_code=201)
def create_event(caller: AdminDep, store: EventsStoreDep, event: EventCreate) -> EventPublic:
    return store.create_event(event=event)


@router.get("")
def list_events(
    caller: AdminDep, store: EventsStoreDep, status: EventStatus | None = None
) -> list[EventPublic]:
    return store.list_events(status=status)


@router.post("/{event_id}/close")
def close_event(caller: AdminDep, store: EventsStoreDep, event_id: UUID) -> EventPublic:
    """Closes the event (closing a closed event answers it as it stands)."""
    return store.close_event(event_id=event_id)


@router.get("/{event_id}/registrations")
def list_registrations(
    caller: AdminDep, store: EventsStoreDep, event_id: UUID, response: Response
) -> EventRegistrations:
    """The people registered, with their answers as stored: for the organiser only, and
    never kept by a cache on the way."""
    response.headers["Cache-Control"] = "no-store"
    return store.list_registrations(event_id=event_id)


@router.post("/{event_id}/registrations/import")
async def import_registrations(
    caller: AdminDep,
    store: EventsStoreDep,
    sealer: ImportSealerDep,
    event_id: UUID,
    request: Request,
    response: Response,
    dry_run: bool = False,
    mapping: Annotated[str | None, Query(max_length=20_000)] = None,
) -> ImportAnswer:
    """Reads the export with the one reader and registers its people (all or nothing);
    importing the same export twice changes nothing. A dry run writes nothing and answers
    each row as grouping will read it, allergies included: no-store."""
    response.headers["Cache-Control"] = "no-store"
    body = await request.body()
    csv, rows = _export_of(request.headers.get("content-type", ""), body)
    columns = _mapping_of(mapping)
    reading = await run_in_threadpool(lambda: read(csv=csv, rows=rows, mapping=columns))
    return await run_in_threadpool(
        lambda: import_export(
            store, event_id=event_id, reading=reading, dry_run=dry_run, sealer=sealer
        )
    )


def _export_of(content_type: str, body: bytes) -> tuple[bytes | None, list[Any] | None]:
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv", "text/plain"):
        return body, None
    if media != "application/json":
        message = "send the export as text/csv, or JSON rows as application/json"
        raise InvalidInputError(errors=[FieldError("body", message)])
    try:
        rows = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidInputError(errors=[FieldError("body", "Malformed JSON")]) from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInputError(errors=[FieldError("body", "must be a list of objects")])
    return None, rows


def _mapping_of(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    try:
        mapping = json.loads(text)
    except (ValueError, RecursionError):
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
    ):
        message = 'must be a JSON object of header to field, e.g. {"Allergies?": "ignore"}'
        raise InvalidInputError(errors=[FieldError("mapping", message)])
    return mapping


# An export may be as large as API Gateway hands a Lambda; the other routes here are small.
app = create_app("events_api", router, max_body_bytes=MAX_BODY_BYTES_LIMIT)
handler = mangum_handler(app)
