"""A run's edit log and its one writer, `edit_run_groups` (issue 15), over the caller's
transport: RLS lets admins read the log, and only the RPC writes it (and the groups)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from functions.database.transport import Select, Transport, eq
from functions.grouping.edit_schemas import RunEditEntry
from functions.grouping.schemas import columns_of


class RunEditStore:
    """Reads a run's edits; applies one edit (or undo, or redo) in one transaction."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list_edits(self, *, run_id: UUID) -> list[RunEditEntry]:
        query = Select("run_edits", columns_of(RunEditEntry), [eq("run_id", run_id)], ("seq",))
        return [RunEditEntry.model_validate(row) for row in self._transport.select(query)]

    def apply_edit(
        self,
        *,
        run_id: UUID,
        expected_seq: int,
        kind: str,
        edit: dict[str, Any],
        groups: list[dict[str, Any]],
    ) -> int:
        """Writes the changed `groups` (as the engine reports them) and the audit row; the
        run's new edit version. The database refuses a stale version, other people, sizes
        out of bounds, and an undo or redo that is not exactly its edit's."""
        params = {
            "run_id": str(run_id),
            "expected_seq": expected_seq,
            "kind": kind,
            "edit": edit,
            "groups": groups,
        }
        return int(self._transport.rpc("edit_run_groups", params))
