"""`Transport` on psycopg: any PostgreSQL, acting as the caller the way PostgREST does.

Each request is one transaction that starts with `set local role` and the caller's JWT
claims in `request.jwt.claims`, so RLS and the schema's own checks see exactly what they
would see behind Supabase; rows come back as JSON (`to_json`), as PostgREST sends them.
Used locally (`grouping serve`, the demo) and by the tests, which so run the production
store classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import jwt
import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg.types.json import Jsonb

from functions.auth.errors import CredentialsRejectedError
from functions.database.codes import error_for_code
from functions.database.errors import DatabaseUnavailableError
from functions.database.transport import Delete, Filter, Insert, Row, Select, Update

ConnectionFactory = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]
Cursor = psycopg.Cursor[TupleRow]
DatabaseRole = Literal["authenticated", "service_role"]


@dataclass(frozen=True)
class DatabaseIdentity:
    """Who the transaction acts as: the role PostgREST would switch to, and the claims."""

    role: DatabaseRole
    claims: Mapping[str, Any] = field(repr=False)


SERVICE_IDENTITY = DatabaseIdentity("service_role", {"role": "service_role"})


def identity_of_verified_token(access_token: str) -> DatabaseIdentity:
    """The identity behind a token that `TokenVerifier` has already accepted.

    The signature is not checked again here: that is the verifier's job, done before
    any transport exists. Only a signed-in user's token is accepted.
    """
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise CredentialsRejectedError() from None
    if claims.get("role") != "authenticated":
        raise CredentialsRejectedError()
    return DatabaseIdentity("authenticated", claims)


@contextmanager
def caller_transaction(connect: ConnectionFactory, identity: DatabaseIdentity) -> Iterator[Cursor]:
    """One transaction as the caller, set up as PostgREST does it (role, then claims).

    Database errors leave as the taxonomy's errors chosen by SQLSTATE (and, for the ward
    codes, the JSON DETAIL); no SQL text or value travels with them.
    """
    try:
        with connect() as conn, conn.transaction(), conn.cursor() as cursor:
            cursor.execute(sql.SQL("set local role {}").format(sql.Identifier(identity.role)))
            cursor.execute(
                "select set_config('request.jwt.claims', %s, true)",
                [json.dumps(dict(identity.claims))],
            )
            yield cursor
    except psycopg.Error as error:
        if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
            raise DatabaseUnavailableError() from None
        raise error_for_code(error.sqlstate, error.diag.message_detail) from None


def _names(columns: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(column) for column in columns)


def _table(relation: str) -> sql.Composable:
    return sql.Identifier("public", relation)


def _where(filters: Sequence[Filter]) -> tuple[sql.Composable, list[Any]]:
    conditions: list[sql.Composable] = []
    params: list[Any] = []
    for item in filters:
        column = sql.Identifier(item.column)
        if item.operator == "is":
            value = {None: "null", True: "true", False: "false"}[item.value]
            conditions.append(sql.SQL("{} is {}").format(column, sql.SQL(value)))
        else:
            conditions.append(sql.SQL("{} = %s").format(column))
            params.append(item.value)
    if not conditions:
        return sql.SQL(""), params
    return sql.SQL(" where ") + sql.SQL(" and ").join(conditions), params


def _adapted(values: Mapping[str, Any]) -> list[Any]:
    """JSON values as parameters: objects as jsonb, arrays as PostgreSQL arrays."""
    return [Jsonb(v) if isinstance(v, dict) else v for v in values.values()]


class PostgresTransport:
    """The five requests of `Transport`, each one transaction as `identity`."""

    def __init__(self, connect: ConnectionFactory, *, identity: DatabaseIdentity) -> None:
        self._connect = connect
        self._identity = identity

    def _rows(self, query: sql.Composed, params: Sequence[Any]) -> list[Any]:
        with caller_transaction(self._connect, self._identity) as cursor:
            return [row[0] for row in cursor.execute(query, params).fetchall()]

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        # Named arguments as JSON text of unknown type: PostgreSQL casts each to the
        # parameter's type, as PostgREST does with a request body.
        named = sql.SQL(", ").join(
            sql.SQL("{} => %s").format(sql.Identifier(name)) for name in args
        )
        query = sql.SQL("select to_json(f) from {}({}) as f").format(_table(function), named)
        params = [
            json.dumps(value) if isinstance(value, dict | list) else value
            for value in args.values()
        ]
        rows = self._rows(query, params)
        return rows[0] if rows else None

    def select(self, query: Select) -> list[Row]:
        where, params = _where(query.filters)
        direction = sql.SQL(" desc" if query.descending else "")
        order = sql.SQL(", ").join(sql.Identifier(c) + direction for c in query.order)
        inner = sql.SQL("select {} from {}{}").format(
            _names(query.columns), _table(query.relation), where
        )
        if query.order:
            inner += sql.SQL(" order by ") + order
        if query.limit is not None:
            inner += sql.SQL(" limit %s")
            params.append(query.limit)
        # One JSON array, as PostgREST builds it: far cheaper than a row per JSON value.
        aggregate = (
            sql.SQL("json_agg(r order by {})").format(
                sql.SQL(", ").join(sql.Identifier("r", c) + direction for c in query.order)
            )
            if query.order
            else sql.SQL("json_agg(r)")
        )
        statement = sql.SQL("select coalesce({}, '[]') from ({}) as r").format(aggregate, inner)
        rows: list[Row] = self._rows(statement, params)[0]
        return rows

    def insert(self, write: Insert) -> Row:
        statement = sql.SQL(
            "with r as (insert into {} ({}) values ({}) returning {}) select to_json(r) from r"
        ).format(
            _table(write.relation),
            _names(list(write.values)),
            sql.SQL(", ").join(sql.Placeholder() * len(write.values)),
            _names(write.returning),
        )
        row: Row = self._rows(statement, _adapted(write.values))[0]
        return row

    def update(self, write: Update) -> list[Row]:
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(column)) for column in write.values
        )
        where, params = _where(write.filters)
        statement = sql.SQL(
            "with r as (update {} set {}{} returning {}) select to_json(r) from r"
        ).format(_table(write.relation), assignments, where, _names(write.returning))
        return self._rows(statement, [*_adapted(write.values), *params])

    def delete(self, write: Delete) -> list[Row]:
        where, params = _where(write.filters)
        statement = sql.SQL(
            "with r as (delete from {}{} returning {}) select to_json(r) from r"
        ).format(_table(write.relation), where, _names(write.returning))
        return self._rows(statement, params)
