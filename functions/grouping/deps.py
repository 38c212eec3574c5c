"""The grouping store: bound to the caller's transport for routes, or the service role's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from functions.database.deps import TransportDep, service_role_transport
from functions.grouping.store import GroupingStore
from functions.web.settings import Settings


def get_store(transport: TransportDep) -> GroupingStore:
    return GroupingStore(transport)


StoreDep = Annotated[GroupingStore, Depends(get_store)]


def service_role_store(settings: Settings) -> GroupingStore:
    """The nightly job's store: the service role, which RLS lets write grouping runs."""
    return GroupingStore(service_role_transport(settings))
