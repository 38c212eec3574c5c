"""Venues: list, read, create and change (an inactive venue is never planned). Admins only.

Validation names the field (a 422); an allergen outside the spec's vocabulary is refused
here and by the database.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from functions.auth.deps import AdminDep
from functions.venues.deps import VenuesStoreDep
from functions.venues.schemas import VenueCreate, VenuePublic, VenueUpdate
from functions.web.app import create_app, mangum_handler

router = APIRouter(prefix="/venues")


@router.get("")
def list_venues(
    caller: AdminDep, store: VenuesStoreDep, include_inactive: bool = True
) -> list[VenuePublic]:
    return store.list_venues(include_inactive=include_inactive)


@router.post("", status_code=201)
def create_venue(caller: AdminDep, store: VenuesStoreDep, venue: VenueCreate) -> VenuePublic:
    return store.create_venue(venue=venue)


@router.get("/{venue_id}")
def get_venue(caller: AdminDep, store: VenuesStoreDep, venue_id: UUID) -> VenuePublic:
    return store.get_venue(venue_id=venue_id)


@router.put("/{venue_id}")
def update_venue(
    caller: AdminDep, store: VenuesStoreDep, venue_id: UUID, changes: VenueUpdate
) -> VenuePublic:
    return store.update_venue(venue_id=venue_id, changes=changes)


app = create_app("venues", router)
handler = mangum_handler(app)
