"""`WardStore` on supabase-py: PostgREST, as the caller.

Like `store_supabase.SupabaseStore`: one cached client per cold start, and each call
takes a fresh PostgREST view carrying the caller's JWT, so RLS applies. Every write
is one RPC (one PostgREST call, one transaction): all or nothing. Refusals keep
PostgREST's `details` (the RPC's JSON DETAIL) for `error_for_code`.
"""

from __future__ import annotations

from typing import Any, get_args
from uuid import UUID

import httpx
from postgrest import APIError, SyncPostgrestClient
from supabase import Client

from engine.wards.models import WardMember
from functions.common.store_errors import (
    ForbiddenError,
    StoreUnavailableError,
    error_for_code,
)
from functions.common.store_supabase import PAGE_SIZE
from functions.common.ward_store import (
    AUDIT_COLUMNS,
    PARTICIPATION_COLUMNS,
    ROSTER_COLUMNS,
    AssignmentChange,
    AuditEntry,
    MemberParticipation,
    RosterSync,
    StoredAssignment,
    WardRole,
    assignments_payload,
    attendance_rates_of,
    roster_payload,
)

_ASSIGNMENT_COLUMNS = "user_hash,assigned_group,household_id"
# Reading the assignments takes several requests (a version, pages of rows, the version
# again); when a write lands in between, the read starts over, at most this often.
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

    def sync_roster(self, *, ward_id: UUID, members: list[WardMember]) -> RosterSync:
        params = {"p_ward_branch_id": str(ward_id), "p_members": roster_payload(members)}
        return RosterSync.model_validate(self._rpc("ward_sync_roster", params))

    def get_roster(self, *, ward_id: UUID) -> list[WardMember]:
        rows = self._ward_rows(ward_id, "ward_members", ",".join(ROSTER_COLUMNS))
        return [WardMember.model_validate(row) for row in rows]

    def _version(self, ward_id: UUID) -> int:
        request = self._rest().table("ward_assignment_versions").select("version")
        rows = _execute(request.eq("ward_branch_id", str(ward_id)))
        if not rows:  # not a manager of the ward, or no such ward: the same to the caller
            raise ForbiddenError()
        return int(rows[0]["version"])

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]:
        version = self._version(ward_id)
        for _ in range(CONSISTENT_READ_ATTEMPTS):
            rows = self._ward_rows(ward_id, "ward_member_groups", _ASSIGNMENT_COLUMNS)
            # Every change moves the version, so an unchanged version means no write between.
            version_after = self._version(ward_id)
            if version_after == version:
                return [StoredAssignment.model_validate(row) for row in rows], version
            version = version_after
        raise StoreUnavailableError()

    def bulk_update(
        self, *, ward_id: UUID, assignments: list[AssignmentChange], expected_version: int
    ) -> int:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_assignments": assignments_payload(assignments),
            "p_expected_version": expected_version,
        }
        return int(self._rpc("ward_bulk_update", params))

    def restore(self, *, ward_id: UUID, audit_id: int, expected_version: int) -> int:
        params = {
            "p_ward_branch_id": str(ward_id),
            "p_audit_id": audit_id,
            "p_expected_version": expected_version,
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

    def participation_stats(self, *, ward_id: UUID) -> list[MemberParticipation]:
        columns = ",".join(PARTICIPATION_COLUMNS)
        rows = self._ward_rows(ward_id, "member_participation_stats", columns)
        return [MemberParticipation.model_validate(row) for row in rows]

    def attendance_rates(self, *, ward_id: UUID) -> dict[str, float]:
        return attendance_rates_of(self.participation_stats(ward_id=ward_id))
