"""`Transport` on supabase-py: PostgREST, as the caller (production).

One `supabase.Client` per cold start (`supabase_client`, cached) holds the project URL,
the API key and the HTTP connection pool. Each request takes a fresh PostgREST view of
that client carrying the caller's JWT, so RLS applies to every request and one caller's
token never lingers for the next. Only the nightly job uses the service role
(`PostgrestTransport.for_service_role`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import httpx
from postgrest import APIError, SyncPostgrestClient
from supabase import Client, ClientOptions, create_client

from functions.database.codes import error_for_code
from functions.database.errors import DatabaseUnavailableError
from functions.database.transport import Filter, Insert, Row, Select, Update

logger = logging.getLogger("functions.database")
# PostgREST's page size: Supabase projects answer at most this many rows per request
# (their `max_rows`).
PAGE_SIZE = 1000


@lru_cache(maxsize=4)
def supabase_client(url: str, api_key: str, http_client: httpx.Client | None = None) -> Client:
    """The project's client, made once per cold start for each key."""
    options = ClientOptions(
        auto_refresh_token=False,
        persist_session=False,
        # A retried read sleeps seconds between tries: better to fail fast in a Lambda.
        postgrest_client_retry=False,
        httpx_client=http_client,
    )
    return create_client(url, api_key, options=options)


class _Response(Protocol):
    @property
    def data(self) -> Any: ...


class _Request(Protocol):
    def execute(self) -> _Response: ...


class _Filterable(Protocol):
    def eq(self, column: str, value: Any) -> Any: ...

    def is_(self, column: str, value: Any) -> Any: ...


def _execute(request: _Request) -> Any:
    try:
        return request.execute().data
    except APIError as error:
        detail = error.details if isinstance(error.details, str) else None
        raise error_for_code(error.code, detail) from None
    except httpx.HTTPError as error:
        # The type only (a timeout, a refused connection): its message carries the URL.
        logger.warning("database unavailable: PostgREST unreachable (%s)", type(error).__name__)
        raise DatabaseUnavailableError() from None


def _filtered(request: Any, filters: Sequence[Filter]) -> Any:
    narrowed: _Filterable = request
    for item in filters:
        if item.operator == "is":
            narrowed = narrowed.is_(item.column, item.value)
        else:
            narrowed = narrowed.eq(item.column, str(item.value))
    return narrowed


class PostgrestTransport:
    """The four requests of `Transport`, each one PostgREST request with the caller's token."""

    def __init__(self, client: Client, *, access_token: str) -> None:
        self._client = client
        self._access_token = access_token

    @classmethod
    def for_service_role(cls, service_client: Client) -> PostgrestTransport:
        """The nightly job's transport: the client made with the service key, as its bearer."""
        return cls(service_client, access_token=service_client.supabase_key)

    def _rest(self) -> SyncPostgrestClient:
        # schema() copies the headers and shares the HTTP session.
        rest = self._client.postgrest.schema("public")
        rest.auth(self._access_token)
        return rest

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        return _execute(self._rest().rpc(function, dict(args)))

    def select(self, query: Select) -> list[Row]:
        rest = self._rest()

        def request() -> Any:
            built = rest.table(query.relation).select(",".join(query.columns))
            built = _filtered(built, query.filters)
            for column in query.order:
                built = built.order(column, desc=query.descending)
            return built

        if query.limit is not None:
            rows: list[Row] = _execute(request().limit(query.limit))
            return rows
        rows = []
        while True:
            page = _execute(request().range(len(rows), len(rows) + PAGE_SIZE - 1))
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows

    def insert(self, write: Insert) -> Row:
        request = self._rest().table(write.relation).insert(dict(write.values))
        rows: list[Row] = _execute(request.select(",".join(write.returning)))
        return rows[0]

    def update(self, write: Update) -> list[Row]:
        request = self._rest().table(write.relation).update(dict(write.values))
        request = _filtered(request, write.filters)
        rows: list[Row] = _execute(request.select(",".join(write.returning)))
        return rows
