"""`WardStore` on supabase-py: PostgREST, as the caller.

Like `store_supabase.SupabaseStore`: one cached client per cold start, and each call
takes a fresh PostgREST view carrying the caller's JWT, so RLS applies. Every write
is one RPC (one PostgREST call, one transaction): all or nothing. Refusals keep
PostgREST's `details` (the RPC's JSON DETAIL) for `error_for_code`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args
from uuid import UUID

import httpx
from postgrest import APIError, SyncPostgrestClient
from supabase import Client

from engine.wards.models import WardMember
from engine.wards.participation import ParticipationFacts
from functions.common.store_errors import (
    ForbiddenError,
    StoreUnavailableError,
    error_for_code,
)
from functions.common.store_supabase import PAGE_SIZE
from functions.common.ward_store import (
    AUDIT_COLUMNS,
    ROSTER_COLUMNS,
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

_ASSIGNMENT_COLUMNS = "user_hash,assigned_group,household_id"
# Reading the assignments or the roster takes several requests (the versions, pages of
# rows, the versions again); when a write lands in between, the read starts over, at
# most this often.
CONSISTENT_READ_ATTEMPTS = 3


def _execute(request: Any) -> Any:
    try:
        return request.execute().data
    except APIError as error:
        detail = error.details if isinstance(error.details, str) else None
        raise error_for_code(error.code, detail) from None
    except httpx.HTTPError:
        raise StoreUnavailableError() from None


class SupabaseWardStore:
    def __init__(self, client: Client, *, access_token: str) -> None:
        self._client = client
        self._access_token = access_token

    def _rest(self) -> SyncPostgrestClient:
        # schema() copies the headers and shares the HTTP session.
        rest = self._client.postgrest.schema("public")
        rest.auth(self._access_token)
        return rest

    def _rpc(self, function: str, params: dict[str, Any]) -> Any:
        return _execute(self._rest().rpc(function, params))

    def _ward_rows(self, ward_id: UUID, relation: str, columns: str) -> list[Any]:
        """Every row of one ward, page by page, in user_hash order (unique within a ward)."""
        rest, ward = self._rest(), str(ward_id)
        rows: list[Any] = []
        while True:
            request = rest.table(relation).select(columns).eq("ward_branch_id", ward)
            page = _execute(request.order("user_hash").range(len(rows), len(rows) + PAGE_SIZE - 1))
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows

    def ward_role(self, *, ward_id: UUID) -> WardRole | None:
        role = self._rpc("ward_role", {"p_ward_branch_id": str(ward_id)})
        # A null answer may arrive as JSON null or as an empty body, which supabase-py reads as [].
        return role if role in get_args(WardRole) else None

    def sync_roster(
        self,
        *,
        ward_id: UUID,
        members: list[WardMember],
        moves: list[AssignmentChange],
        expected_version: int | None,
    ) -> RosterSync:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_members": roster_payload(members),
            "p_assignments": assignments_payload(moves),
            "p_expected_version": expected_version,
        }
        return RosterSync.model_validate(self._rpc("ward_sync_roster", params))

    def versions(self, *, ward_id: UUID) -> WardVersions:
        request = self._rest().table("ward_assignment_versions").select("version,roster_version")
        rows = _execute(request.eq("ward_branch_id", str(ward_id)))
        if not rows:  # not a manager of the ward, or no such ward: the same to the caller
            raise ForbiddenError()
        return WardVersions(
            assignments=int(rows[0]["version"]), roster=int(rows[0]["roster_version"])
        )

    def _consistent_rows(
        self, ward_id: UUID, relation: str, columns: str, version_of: Callable[[WardVersions], int]
    ) -> tuple[list[Any], int]:
        """A relation's rows of one ward, read between two equal readings of its version."""
        version = version_of(self.versions(ward_id=ward_id))
        for _ in range(CONSISTENT_READ_ATTEMPTS):
            rows = self._ward_rows(ward_id, relation, columns)
            # Every change moves the version, so an unchanged version means no write between.
            version_after = version_of(self.versions(ward_id=ward_id))
            if version_after == version:
                return rows, version
            version = version_after
        raise StoreUnavailableError()

    def get_roster(self, *, ward_id: UUID) -> RosterSnapshot:
        rows, version = self._consistent_rows(
            ward_id, "ward_members", ",".join(ROSTER_COLUMNS), lambda v: v.roster
        )
        return RosterSnapshot(members=roster_members(rows), version=version)

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]:
        rows, version = self._consistent_rows(
            ward_id, "ward_member_groups", _ASSIGNMENT_COLUMNS, lambda v: v.assignments
        )
        return [StoredAssignment.model_validate(row) for row in rows], version

    def bulk_update(
        self, *, ward_id: UUID, assignments: list[AssignmentChange], expected_version: int
    ) -> int:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_assignments": assignments_payload(assignments),
            "p_expected_version": expected_version,
        }
        return int(self._rpc("ward_bulk_update", params))

    def restore(
        self,
        *,
        ward_id: UUID,
        audit_id: int,
        expected_version: int,
        households: Mapping[str, str],
    ) -> int:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_audit_id": audit_id,
            "p_expected_version": expected_version,
            "p_households": dict(households),
        }
        return int(self._rpc("ward_restore_assignments", params))

    def audit_trail(self, *, ward_id: UUID, limit: int) -> list[AuditEntry]:
        """The ward's latest `limit` audit entries, newest first."""
        request = (
            self._rest()
            .table("audit_log")
            .select(",".join(AUDIT_COLUMNS))
            .eq("ward_branch_id", str(ward_id))
            .order("id", desc=True)
            .limit(limit)
        )
        return [AuditEntry.model_validate(row) for row in _execute(request)]

    def participation_facts(self, *, ward_id: UUID) -> ParticipationFacts:
        facts = self._rpc("ward_participation_facts", {"p_ward_branch_id": str(ward_id)})
        return ParticipationFacts.model_validate(facts)
