"""An event's locks and apart pairs (issue 15): what an organiser asks its next runs keep.

Kept apart from the grouping store's policies and runs because they are their own
feature's data: the grouping_requests endpoints write them, and a run only reads them
(keeping.py). Like the grouping store, each method is one request over the caller's
transport, so Row Level Security (admins only) and the database's own checks apply: a
lock or pair given twice, or naming an unknown event or person, is refused there.
"""

from __future__ import annotations

from uuid import UUID

from functions.database.transport import Delete, Insert, Select, Transport, eq
from functions.grouping.schemas import ApartPair, GroupLock, columns_of
from functions.web.errors import NotFoundError


class GroupingRequestStore:
    """Locks (grouping_locks) and apart pairs (event_apart_pairs) of an event."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list_locks(self, *, event_id: UUID) -> list[GroupLock]:
        query = Select(
            "grouping_locks", columns_of(GroupLock), [eq("event_id", event_id)], ("participant_id",)
        )
        return [GroupLock.model_validate(row) for row in self._transport.select(query)]

    def set_lock(self, *, event_id: UUID, lock: GroupLock) -> GroupLock:
        values = {"event_id": str(event_id), **lock.model_dump(mode="json")}
        write = Insert("grouping_locks", values, columns_of(GroupLock))
        return GroupLock.model_validate(self._transport.insert(write))

    def list_apart_pairs(self, *, event_id: UUID) -> list[ApartPair]:
        query = Select(
            "event_apart_pairs",
            columns_of(ApartPair),
            [eq("event_id", event_id)],
            ("first_participant_id", "second_participant_id"),
        )
        return [ApartPair.model_validate(row) for row in self._transport.select(query)]

    def add_apart_pair(self, *, event_id: UUID, pair: ApartPair) -> ApartPair:
        values = {"event_id": str(event_id), **pair.model_dump(mode="json")}
        write = Insert("event_apart_pairs", values, columns_of(ApartPair))
        return ApartPair.model_validate(self._transport.insert(write))

    def remove_lock(self, *, event_id: UUID, participant_id: UUID) -> None:
        """`NotFoundError` when the event has no such lock (or the caller sees none)."""
        filters = [eq("event_id", event_id), eq("participant_id", participant_id)]
        if not self._transport.delete(Delete("grouping_locks", filters, ("participant_id",))):
            raise NotFoundError()

    def remove_apart_pair(self, *, event_id: UUID, pair: ApartPair) -> None:
        """`NotFoundError` when the event has no such pair (or the caller sees none)."""
        filters = [eq("event_id", event_id), *(eq(k, v) for k, v in pair.model_dump().items())]
        if not self._transport.delete(Delete("event_apart_pairs", filters, ("event_id",))):
            raise NotFoundError()
