"""Events: create, list (by status), close, and the people registered. Admins only.

An event is the unit an organiser works in: a dinner with a date, open while it takes
registrations; closing it ends imports and grouping for it (409 after). Registrations come
from imports (`EventsStore.import_registrations`); this function only shows them.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from functions.auth.deps import AdminDep
from functions.events.deps import EventsStoreDep
from functions.events.schemas import EventCreate, EventPublic, EventRegistrations, EventStatus
from functions.web.app import create_app, mangum_handler

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


app = create_app("events_api", router)
handler = mangum_handler(app)
