"""`WardStore` on psycopg: any PostgreSQL, acting as the caller the way PostgREST does.

Each method is one transaction as the caller (`set local role` and the JWT claims,
as `store_postgres.PostgresStore` does), so RLS and the ward RPCs' checks see what
they would see behind Supabase. Refusals keep their DETAIL for `error_for_code`,
which names the offending member, group, household or the current version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import DictRow

from engine.wards.models import WardMember
from engine.wards.participation import ParticipationFacts
from functions.common.store_errors import ForbiddenError
from functions.common.store_postgres import ConnectionFactory, DatabaseIdentity, caller_transaction
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

Cursor = psycopg.Cursor[DictRow]


def _select(columns: Sequence[str], relation: str, tail: str) -> sql.Composed:
    return sql.SQL("select {} from public.{} where ward_branch_id = %s {}").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
        sql.Identifier(relation),
        sql.SQL(tail),
    )


# One statement, so the assignments and their version come from one snapshot; no
# row at all when the caller may not see the ward's version (or there is no ward).
_ASSIGNMENTS_WITH_VERSION = (
    "select v.version, g.user_hash, g.assigned_group, g.household_id"
    " from public.ward_assignment_versions v"
    " left join public.ward_member_groups g on g.ward_branch_id = v.ward_branch_id"
    " where v.ward_branch_id = %s order by g.user_hash"
)
_ASSIGNMENT_FIELDS = tuple(StoredAssignment.model_fields)
# Likewise the roster and the roster version it stands at.
_ROSTER_WITH_VERSION = sql.SQL(
    "select v.roster_version, {} from public.ward_assignment_versions v"
    " left join public.ward_members m on m.ward_branch_id = v.ward_branch_id"
    " where v.ward_branch_id = %s order by m.user_hash"
).format(sql.SQL(", ").join(sql.Identifier("m", column) for column in ROSTER_COLUMNS))
_VERSIONS = (
    "select version, roster_version from public.ward_assignment_versions where ward_branch_id = %s"
)


class PostgresWardStore:
    def __init__(self, connect: ConnectionFactory, *, identity: DatabaseIdentity) -> None:
        self._connect = connect
        self._identity = identity

    def _transaction(self) -> AbstractContextManager[Cursor]:
        return caller_transaction(self._connect, self._identity)

    def _call(self, query: str, params: Sequence[Any]) -> Any:
        """The single value a function call returns."""
        with self._transaction() as cursor:
            row = cursor.execute(query, params).fetchone()
        assert row is not None  # a function call always returns one row
        return row["result"]

    def ward_role(self, *, ward_id: UUID) -> WardRole | None:
        role: WardRole | None = self._call("select public.ward_role(%s) as result", [ward_id])
        return role

    def sync_roster(
        self,
        *,
        ward_id: UUID,
        members: list[WardMember],
        moves: list[AssignmentChange],
        expected_version: int | None,
    ) -> RosterSync:
        outcome = self._call(
            "select public.ward_sync_roster(%s, %s::jsonb, %s::jsonb, %s) as result",
            [
                ward_id,
                json.dumps(roster_payload(members)),
                json.dumps(assignments_payload(moves)),
                expected_version,
            ],
        )
        return RosterSync.model_validate(outcome)

    def versions(self, *, ward_id: UUID) -> WardVersions:
        with self._transaction() as cursor:
            row = cursor.execute(_VERSIONS, [ward_id]).fetchone()
        if row is None:  # not a manager of the ward, or no such ward: the same to the caller
            raise ForbiddenError()
        return WardVersions(assignments=int(row["version"]), roster=int(row["roster_version"]))

    def get_roster(self, *, ward_id: UUID) -> RosterSnapshot:
        with self._transaction() as cursor:
            rows = cursor.execute(_ROSTER_WITH_VERSION, [ward_id]).fetchall()
        if not rows:
            raise ForbiddenError()
        # A ward without members has one row of nulls from the left join.
        members = roster_members(row for row in rows if row["user_hash"] is not None)
        return RosterSnapshot(members=members, version=int(rows[0]["roster_version"]))

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]:
        with self._transaction() as cursor:
            rows = cursor.execute(_ASSIGNMENTS_WITH_VERSION, [ward_id]).fetchall()
        if not rows:
            raise ForbiddenError()
        assignments = [
            StoredAssignment.model_validate({field: row[field] for field in _ASSIGNMENT_FIELDS})
            for row in rows
            if row["user_hash"] is not None
        ]
        return assignments, int(rows[0]["version"])

    def bulk_update(
        self, *, ward_id: UUID, assignments: list[AssignmentChange], expected_version: int
    ) -> int:
        return int(
            self._call(
                "select public.ward_bulk_update(%s, %s::jsonb, %s) as result",
                [ward_id, json.dumps(assignments_payload(assignments)), expected_version],
            )
        )

    def restore(
        self,
        *,
        ward_id: UUID,
        audit_id: int,
        expected_version: int,
        households: Mapping[str, str],
    ) -> int:
        return int(
            self._call(
                "select public.ward_restore_assignments(%s, %s, %s, %s::jsonb) as result",
                [ward_id, audit_id, expected_version, json.dumps(dict(households))],
            )
        )

    def audit_trail(self, *, ward_id: UUID, limit: int) -> list[AuditEntry]:
        """The ward's latest `limit` audit entries, newest first."""
        query = _select(AUDIT_COLUMNS, "audit_log", "order by id desc limit %s")
        with self._transaction() as cursor:
            rows = cursor.execute(query, [ward_id, limit]).fetchall()
        return [AuditEntry.model_validate(row) for row in rows]

    def participation_facts(self, *, ward_id: UUID) -> ParticipationFacts:
        facts = self._call("select public.ward_participation_facts(%s) as result", [ward_id])
        return ParticipationFacts.model_validate(facts)
