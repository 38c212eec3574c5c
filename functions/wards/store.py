"""The ward store: everything the ward functions read and write, as the caller.

Written once over a `Transport`, so the database tests run the class production runs.
Every method is one request: the reads are one statement each (a version and its rows in
one snapshot, no version/rows/version dance), every write one RPC, all or nothing. Row
Level Security and the RPCs' own checks apply to every caller; refusals arrive as the
ward errors, naming the member, household or current version (`functions.database.codes`).
"""

from __future__ import annotations

from typing import Any, get_args
from uuid import UUID

from engine.wards.models import WardMember
from engine.wards.participation import ParticipationFacts
from functions.database.transport import Select, Transport, eq
from functions.wards.schemas import (
    AUDIT_COLUMNS,
    AssignmentChange,
    AuditEntry,
    RosterSnapshot,
    RosterSync,
    StoredAssignment,
    WardRole,
    WardVersions,
    assignments_payload,
    roster_members,
    roster_payload,
)
from functions.web.errors import ForbiddenError


class WardStore:
    """One ward's roster, assignments, audit trail and participation, through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _state(self, function: str, ward_id: UUID) -> dict[str, Any]:
        state = self._transport.rpc(function, {"p_ward_branch_id": str(ward_id)})
        if not isinstance(state, dict):  # not a manager of the ward, or no such ward
            raise ForbiddenError()
        return state

    def ward_role(self, *, ward_id: UUID) -> WardRole | None:
        role = self._transport.rpc("ward_role", {"p_ward_branch_id": str(ward_id)})
        # A null answer may arrive as JSON null or as an empty body, which supabase-py reads as [].
        return role if role in get_args(WardRole) else None

    def versions(self, *, ward_id: UUID) -> WardVersions:
        query = Select(
            "ward_assignment_versions",
            ("version", "roster_version"),
            [eq("ward_branch_id", ward_id)],
        )
        rows = self._transport.select(query)
        if not rows:  # not a manager of the ward, or no such ward: the same to the caller
            raise ForbiddenError()
        return WardVersions(
            assignments=int(rows[0]["version"]), roster=int(rows[0]["roster_version"])
        )

    def get_roster(self, *, ward_id: UUID) -> RosterSnapshot:
        state = self._state("ward_roster_state", ward_id)
        return RosterSnapshot(members=roster_members(state["members"]), version=state["version"])

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]:
        state = self._state("ward_assignment_state", ward_id)
        rows = [StoredAssignment.model_validate(row) for row in state["assignments"]]
        return rows, int(state["version"])

    def sync_roster(self, *, ward_id: UUID, members: list[WardMember]) -> RosterSync:
        """The roster becomes `members`; the database moves, in the same transaction, each
        household the new roster joins to where most of it is stored (`rejoined`)."""
        params = {"p_ward_branch_id": str(ward_id), "p_members": roster_payload(members)}
        return RosterSync.model_validate(self._transport.rpc("ward_sync_roster", params))

    def bulk_update(
        self, *, ward_id: UUID, assignments: list[AssignmentChange], expected_version: int
    ) -> int:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_assignments": assignments_payload(assignments),
            "p_expected_version": expected_version,
        }
        return int(self._transport.rpc("ward_bulk_update", params))

    def restore(self, *, ward_id: UUID, audit_id: int, expected_version: int) -> int:
        """Puts back the state before `audit_id`'s batch; refused (HouseholdSplitError) when
        it would split one of today's households, which the database knows from the roster."""
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_audit_id": audit_id,
            "p_expected_version": expected_version,
        }
        return int(self._transport.rpc("ward_restore_assignments", params))

    def audit_trail(self, *, ward_id: UUID, limit: int) -> list[AuditEntry]:
        """The ward's latest `limit` audit entries, newest first."""
        query = Select(
            "audit_log",
            AUDIT_COLUMNS,
            [eq("ward_branch_id", ward_id)],
            order=("id",),
            descending=True,
            limit=limit,
        )
        return [AuditEntry.model_validate(row) for row in self._transport.select(query)]

    def participation_facts(self, *, ward_id: UUID) -> ParticipationFacts:
        facts = self._transport.rpc("ward_participation_facts", {"p_ward_branch_id": str(ward_id)})
        return ParticipationFacts.model_validate(facts)
