"""The venues store, bound to the caller's transport."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from functions.database.deps import TransportDep
from functions.venues.plans import VenuePlanStore
from functions.venues.store import VenuesStore


def get_venues_store(transport: TransportDep) -> VenuesStore:
    return VenuesStore(transport)


VenuesStoreDep = Annotated[VenuesStore, Depends(get_venues_store)]


def get_venue_plan_store(transport: TransportDep) -> VenuePlanStore:
    return VenuePlanStore(transport)


VenuePlanStoreDep = Annotated[VenuePlanStore, Depends(get_venue_plan_store)]
