"""The health store: the audited doors to sealed answers, the audit itself, and the key rows.

Written over a `Transport` like every store: each door is one RPC (sql/migrations, health
data), which writes its audit row in the transaction of the read, so a read that happened
is a read that was recorded. Keys and ciphertext are never selected directly by an API
role; the key rows are read and re-wrapped by the service role (the rotation command).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from functions.database.transport import Select, Transport, eq
from functions.health.schemas import (
    ACCESS_COLUMNS,
    AccessEntry,
    GroupBatch,
    ImportBatch,
    PersonBatch,
    RunBatch,
    WrappedKey,
)

ACCESS_LOG = "health_access_log"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class HealthStore:
    """Sealed answers and their audit, read and written through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def open_for_run(self, *, route: str, event_id: UUID | None) -> RunBatch:
        args: dict[str, Any] = {"p_route": route}
        if event_id is not None:
            args["p_event_id"] = str(event_id)
        return RunBatch.model_validate(self._transport.rpc("open_health_for_run", args))

    def open_for_import(
        self, *, route: str, external_ids: Sequence[str], event_id: UUID | None
    ) -> ImportBatch:
        args: dict[str, Any] = {"p_route": route, "p_external_ids": list(external_ids)}
        if event_id is not None:
            args["p_event_id"] = str(event_id)
        return ImportBatch.model_validate(self._transport.rpc("open_health_for_import", args))

    def open_person(self, *, participant_id: UUID | None, purpose: str, route: str) -> PersonBatch:
        """One person's sealed answers (None with purpose 'self': the caller's own)."""
        pid = None if participant_id is None else str(participant_id)
        args = {"p_participant_id": pid, "p_purpose": purpose, "p_route": route}
        return PersonBatch.model_validate(self._transport.rpc("open_participant_answers", args))

    def open_group(self, *, route: str, group_id: UUID | None, purpose: str) -> GroupBatch:
        args: dict[str, Any] = {"p_route": route, "p_purpose": purpose}
        if group_id is not None:
            args["p_group_id"] = str(group_id)
        return GroupBatch.model_validate(self._transport.rpc("open_group_allergy_notes", args))

    def set_sharing(self, *, share: bool) -> bool:
        return bool(self._transport.rpc("set_allergy_sharing", {"p_share": share}))

    def erase(self, *, participant_id: UUID, route: str) -> bool:
        args = {"p_participant_id": str(participant_id), "p_route": route}
        return bool(self._transport.rpc("erase_participant_health", args))

    def list_access(self, *, participant_id: UUID | None = None) -> list[AccessEntry]:
        """Audit rows the caller may see (RLS: admins all, a participant their own), newest
        first; `participant_id` narrows to one person's answers."""
        filters = [] if participant_id is None else [eq("participant_id", participant_id)]
        query = Select(ACCESS_LOG, ACCESS_COLUMNS, filters, order=("id",), descending=True)
        return [AccessEntry.model_validate(row) for row in self._transport.select(query)]

    def list_keys(self) -> list[WrappedKey]:
        """Every wrapped data key (the service role only: no API user reads them)."""
        rows = self._transport.rpc("health_keys_for_rotation", {})
        return [WrappedKey.model_validate(row) for row in rows]

    def save_rewrapped(self, *, read: WrappedKey, wrapped: bytes, key_ref: str) -> bool:
        """Stores `read` re-wrapped, unless it changed since it was read (False then)."""
        args = {
            "p_key_id": str(read.id),
            "p_read_wrapped_key": b64(read.wrapped_key),
            "p_wrapped_key": b64(wrapped),
            "p_key_ref": key_ref,
        }
        return bool(self._transport.rpc("rewrap_health_key", args))

    def seal_existing(self, *, health: dict[str, Any], clear_keys: Sequence[str]) -> int:
        """Stores sealed rows of answers kept in clear before, and drops their plaintext."""
        args = {"p_health": health, "p_clear_keys": list(clear_keys)}
        return int(self._transport.rpc("seal_existing_answers", args))
