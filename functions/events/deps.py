"""The events store: bound to the caller's transport for routes, or the service role's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from functions.database.deps import TransportDep, service_role_transport
from functions.events.store import EventsStore
from functions.web.settings import Settings


def get_events_store(transport: TransportDep) -> EventsStore:
    return EventsStore(transport)


EventsStoreDep = Annotated[EventsStore, Depends(get_events_store)]


def service_role_events_store(settings: Settings) -> EventsStore:
    """The nightly job's store: the service role, which reads every event."""
    return EventsStore(service_role_transport(settings))
