"""The venues store: venues read and written as the caller, one request a method.

Written over a `Transport` as the other stores are, so Row Level Security (admins only)
and the database's checks (canonical allergens, capacities) apply to every write.
"""

from __future__ import annotations

from uuid import UUID

from functions.database.transport import Filter, Insert, Select, Transport, Update, eq
from functions.venues.schemas import VenueCreate, VenuePublic, VenueUpdate, venue_columns
from functions.web.errors import NotFoundError

VENUES = "venues"
_COLUMNS = venue_columns()
_ORDER = ("name", "id")


class VenuesStore:
    """Venues, read and written through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _venues(self, *filters: Filter) -> list[VenuePublic]:
        rows = self._transport.select(Select(VENUES, _COLUMNS, filters, order=_ORDER))
        return [VenuePublic.model_validate(row) for row in rows]

    def list_venues(self, *, include_inactive: bool = True) -> list[VenuePublic]:
        """Every venue by name (or only the active ones)."""
        return self._venues(*([] if include_inactive else [eq("active", True)]))

    def get_venue(self, *, venue_id: UUID) -> VenuePublic:
        found = self._venues(eq("id", venue_id))
        if not found:
            raise NotFoundError()
        return found[0]

    def create_venue(self, *, venue: VenueCreate) -> VenuePublic:
        row = self._transport.insert(Insert(VENUES, venue.model_dump(mode="json"), _COLUMNS))
        created: VenuePublic = VenuePublic.model_validate(row)
        return created

    def update_venue(self, *, venue_id: UUID, changes: VenueUpdate) -> VenuePublic:
        """The venue with `changes`; a venue this caller cannot see is a 404."""
        columns = changes.changed_columns()
        if not columns:
            return self.get_venue(venue_id=venue_id)
        rows = self._transport.update(Update(VENUES, columns, [eq("id", venue_id)], _COLUMNS))
        if not rows:
            raise NotFoundError()
        changed: VenuePublic = VenuePublic.model_validate(rows[0])
        return changed
