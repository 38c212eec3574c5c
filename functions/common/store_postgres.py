"""`GroupingStore` on psycopg: any PostgreSQL, acting as the caller the way PostgREST does.

Each method is one transaction that starts with `set local role` and the caller's
JWT claims in `request.jwt.claims`, so RLS and the schema's own checks see exactly
what they would see behind Supabase.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

import jwt
import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from engine.grouping.models import GroupingResult, Participant
from functions.common.store import (
    EMPTY_RESULT,
    PARTICIPANT_COLUMNS,
    ArchivedPolicyError,
    CredentialsRejectedError,
    IdempotentRun,
    NotFoundError,
    PolicyCreate,
    PolicyPublic,
    PolicyRemoval,
    PolicyUpdate,
    ReferentialIntegrityError,
    RunDetail,
    RunGroup,
    RunHistoryRow,
    RunOptionsRow,
    RunRecord,
    RunSummary,
    RunUnassignedEntry,
    StaleVersionError,
    StoreUnavailableError,
    columns_of,
    error_for_code,
    run_payload,
)

ConnectionFactory = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
Cursor = psycopg.Cursor[DictRow]
DatabaseRole = Literal["authenticated", "service_role"]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class DatabaseIdentity:
    """Who the transaction acts as: the role PostgREST would switch to, and the claims."""

    role: DatabaseRole
    claims: Mapping[str, Any] = field(repr=False)


SERVICE_IDENTITY = DatabaseIdentity("service_role", {"role": "service_role"})


def identity_of_verified_token(access_token: str) -> DatabaseIdentity:
    """The identity behind a token that `TokenVerifier` has already accepted.

    The signature is not checked again here: that is the verifier's job, done
    before any store exists. Only a signed-in user's token is accepted.
    """
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise CredentialsRejectedError() from None
    if claims.get("role") != "authenticated":
        raise CredentialsRejectedError()
    return DatabaseIdentity("authenticated", claims)


def _column_list(columns: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(column) for column in columns)


def _select(columns: Sequence[str], relation: str, condition: str, order: str = "") -> sql.Composed:
    return sql.SQL("select {} from public.{} where {} {}").format(
        _column_list(columns), sql.Identifier(relation), sql.SQL(condition), sql.SQL(order)
    )


_POLICY_COLUMNS = columns_of(PolicyPublic)
_RETURNING_POLICY = sql.SQL(" returning {}").format(_column_list(_POLICY_COLUMNS))


@contextmanager
def caller_transaction(connect: ConnectionFactory, identity: DatabaseIdentity) -> Iterator[Cursor]:
    """One transaction as the caller, set up as PostgREST does it (role, then claims).

    Database errors leave as domain errors chosen by SQLSTATE (and, for the ward codes,
    the JSON DETAIL); no SQL text or value travels with them.
    """
    try:
        with connect() as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(sql.SQL("set local role {}").format(sql.Identifier(identity.role)))
            cursor.execute(
                "select set_config('request.jwt.claims', %s, true)",
                [json.dumps(dict(identity.claims))],
            )
            yield cursor
    except psycopg.Error as error:
        if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
            raise StoreUnavailableError() from None
        raise error_for_code(error.sqlstate, error.diag.message_detail) from None


class PostgresStore:
    def __init__(self, connect: ConnectionFactory, *, identity: DatabaseIdentity) -> None:
        self._connect = connect
        self._identity = identity

    def _transaction(self) -> AbstractContextManager[Cursor]:
        return caller_transaction(self._connect, self._identity)

    def _policies(self, condition: str, params: Sequence[Any] = ()) -> list[PolicyPublic]:
        query = _select(_POLICY_COLUMNS, "grouping_policies", condition, "order by created_at, id")
        with self._transaction() as cursor:
            rows = cursor.execute(query, params).fetchall()
        return [PolicyPublic.model_validate(row) for row in rows]

    def list_policies(self, *, include_archived: bool = False) -> list[PolicyPublic]:
        return self._policies("true" if include_archived else "archived_at is null")

    def get_policy(self, *, policy_id: UUID) -> PolicyPublic:
        found = self._policies("id = %s", [policy_id])
        if not found:
            raise NotFoundError()
        return found[0]

    def get_active_policy(self) -> PolicyPublic | None:
        found = self._policies("is_active")
        return found[0] if found else None

    def create_policy(self, *, policy: PolicyCreate) -> PolicyPublic:
        values = policy.model_dump(mode="json")
        query = sql.SQL("insert into public.grouping_policies ({}) values ({})").format(
            _column_list(list(values)), sql.SQL(", ").join(sql.Placeholder() * len(values))
        )
        with self._transaction() as cursor:
            row = cursor.execute(query + _RETURNING_POLICY, _adapted(values)).fetchone()
        return PolicyPublic.model_validate(row)

    def update_policy(
        self,
        *,
        policy_id: UUID,
        changes: PolicyUpdate,
        expected_updated_at: datetime | None = None,
    ) -> PolicyPublic:
        values = changes.changed_columns()
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(column)) for column in values
        )
        query = sql.SQL(
            "update public.grouping_policies set {} where id = %s and archived_at is null"
            " and (%s::timestamptz is null or updated_at = %s::timestamptz)"
        ).format(assignments if values else sql.SQL("name = name"))
        params = [*_adapted(values), policy_id, expected_updated_at, expected_updated_at]
        with self._transaction() as cursor:
            row = cursor.execute(query + _RETURNING_POLICY, params).fetchone()
        if row is not None:
            return PolicyPublic.model_validate(row)
        raise _why_not_updated(self.get_policy(policy_id=policy_id))

    def delete_policy(self, *, policy_id: UUID) -> PolicyRemoval:
        with self._transaction() as cursor:
            try:
                with cursor.connection.transaction():
                    deleted = cursor.execute(
                        "delete from public.grouping_policies where id = %s returning id",
                        [policy_id],
                    ).fetchone()
            except psycopg.Error as error:
                if not isinstance(error_for_code(error.sqlstate), ReferentialIntegrityError):
                    raise
                # Runs refer to it: keep it, archived, so the run history stays whole.
                archived = cursor.execute(
                    "update public.grouping_policies set archived_at = coalesce(archived_at, now())"
                    " where id = %s returning id",
                    [policy_id],
                ).fetchone()
                if archived is None:
                    raise NotFoundError() from None
                return "archived"
        if deleted is None:
            raise NotFoundError()
        return "deleted"

    def activate_policy(self, *, policy_id: UUID) -> PolicyPublic:
        query = sql.SQL("select {} from public.activate_grouping_policy(policy_id => %s)").format(
            _column_list(_POLICY_COLUMNS)
        )
        with self._transaction() as cursor:
            row = cursor.execute(query, [policy_id]).fetchone()
        return PolicyPublic.model_validate(row)

    def list_active_participants(self) -> list[Participant]:
        # The engine keys people by text; uuid objects are not text.
        columns = ["id::text as id", *PARTICIPANT_COLUMNS[1:]]
        query = sql.SQL(
            "select " + ", ".join(columns) + " from public.participants where active order by id"
        )
        with self._transaction() as cursor:
            rows = cursor.execute(query).fetchall()
        return [Participant.model_validate(row) for row in rows]

    def _save(
        self,
        idempotency_key: str | None,
        policy_id: UUID,
        run: dict[str, Any],
        result: dict[str, Any],
        request_hash: str | None,
    ) -> UUID:
        with self._transaction() as cursor:
            row = cursor.execute(
                "select public.save_grouping_run(idempotency_key => %s, policy_id => %s,"
                " run => %s::jsonb, result => %s::jsonb, request_hash => %s) as run_id",
                [idempotency_key, policy_id, json.dumps(run), json.dumps(result), request_hash],
            ).fetchone()
        assert row is not None  # a function call always returns one row
        run_id: UUID = row["run_id"]
        return run_id

    def save_run(
        self,
        *,
        idempotency_key: str | None,
        policy_id: UUID,
        run: RunRecord,
        result: GroupingResult,
        request_hash: str | None = None,
    ) -> UUID:
        payload = run_payload(run, status="succeeded")
        return self._save(
            idempotency_key, policy_id, payload, result.model_dump(mode="json"), request_hash
        )

    def record_failed_run(self, *, policy_id: UUID, run: RunRecord, failure: str) -> UUID:
        payload = run_payload(run, status="failed", error=failure)
        return self._save(None, policy_id, payload, EMPTY_RESULT, None)

    def find_run_by_idempotency_key(self, *, key: str) -> IdempotentRun | None:
        with self._transaction() as cursor:
            row = cursor.execute(
                "select id, payload_hash from public.runs where idempotency_key = %s", [key]
            ).fetchone()
        if row is None:
            return None
        return IdempotentRun(run_id=row["id"], request_hash=row["payload_hash"])

    def get_run(self, *, run_id: UUID) -> RunDetail:
        with self._transaction() as cursor:
            history = cursor.execute(
                _select(columns_of(RunHistoryRow), "run_history", "run_id = %s"), [run_id]
            ).fetchone()
            outcome = cursor.execute(
                _select(columns_of(RunOptionsRow), "runs", "id = %s"), [run_id]
            ).fetchone()
            if history is None or outcome is None:
                raise NotFoundError()
            groups = _rows_of_run(cursor, RunGroup, "run_groups", run_id, "group_number")
            unassigned = _rows_of_run(
                cursor, RunUnassignedEntry, "run_unassigned", run_id, "participant_id"
            )
        return RunDetail(
            run=RunSummary.model_validate({**history, **outcome}),
            groups=groups,
            unassigned=unassigned,
        )


def _rows_of_run(
    cursor: Cursor, model: type[Model], relation: str, run_id: UUID, order_by: str
) -> list[Model]:
    query = sql.SQL("select {} from public.{} where run_id = %s order by {}").format(
        _column_list(columns_of(model)), sql.Identifier(relation), sql.Identifier(order_by)
    )
    return [model.model_validate(row) for row in cursor.execute(query, [run_id]).fetchall()]


def _adapted(values: Mapping[str, Any]) -> list[Any]:
    """JSON-dumped values as psycopg parameters: objects as jsonb, lists as arrays."""
    return [Jsonb(v) if isinstance(v, dict) else v for v in values.values()]


def _why_not_updated(policy: PolicyPublic) -> Exception:
    if policy.archived_at is not None:
        return ArchivedPolicyError()
    return StaleVersionError()
