"""`Transport` on postgrest-py: PostgREST, as the caller (production).

Only Supabase's REST API is used, so the functions carry postgrest-py alone, not all of
supabase-py (auth, storage, realtime, websockets). One `ProjectClient` per cold start
(`project_client`, cached) holds the REST URL, the API key and the HTTP connection pool,
with timeouts well inside the function's (`functions.web.timeouts`): a slow Supabase is a
problem+json 503 from the function, not a bare 503 from API Gateway. Each request takes a
fresh view of that client carrying the caller's JWT, so RLS applies to every request and
one caller's token never lingers for the next. Only the nightly job uses the service role
(`PostgrestTransport.for_service_role`).

Reads of a whole relation are paged and counted (`Prefer: count=exact`, answered in
`Content-Range`): pages are asked for until the count is reached, so a project whose "Max
rows" is below `PAGE_SIZE` still gives every row, and a read that cannot reach its count
fails loudly (`IncompleteReadError`) instead of returning part of the rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import httpx
from postgrest import APIError, CountMethod, SyncPostgrestClient

from functions.database.codes import error_for_code
from functions.database.errors import DatabaseUnavailableError, IncompleteReadError
from functions.database.transport import Delete, Filter, Insert, Row, Select, Update
from functions.web.timeouts import POSTGREST_TIMEOUT

logger = logging.getLogger("functions.database")
# Rows asked for per request; a project's "Max rows" may answer fewer (see the module doc).
PAGE_SIZE = 1000


@dataclass(frozen=True)
class ProjectClient:
    """The project's PostgREST client and the API key it was made with."""

    rest: SyncPostgrestClient
    api_key: str


@lru_cache(maxsize=4)
def project_client(
    url: str, api_key: str, http_client: httpx.Client | None = None
) -> ProjectClient:
    """The project's REST client, made once per cold start for each key."""
    headers = {"apikey": api_key, "Authorization": f"Bearer {api_key}"}
    http = http_client or httpx.Client(headers=headers, timeout=POSTGREST_TIMEOUT)
    rest = SyncPostgrestClient(
        f"{url}/rest/v1",
        headers=headers,
        http_client=http,
        # A retried read sleeps seconds between tries: better to fail fast in a Lambda.
        retry_enabled=False,
    )
    return ProjectClient(rest, api_key)


class _Response(Protocol):
    @property
    def data(self) -> Any: ...

    @property
    def count(self) -> int | None: ...


class _Request(Protocol):
    def execute(self) -> _Response: ...


class _Filterable(Protocol):
    def eq(self, column: str, value: Any) -> Any: ...

    def is_(self, column: str, value: Any) -> Any: ...


def _answer(request: _Request) -> _Response:
    try:
        return request.execute()
    except APIError as error:
        detail = error.details if isinstance(error.details, str) else None
        raise error_for_code(error.code, detail) from None
    except httpx.HTTPError as error:
        # The type only (a timeout, a refused connection): its message carries the URL.
        logger.warning("database unavailable: PostgREST unreachable (%s)", type(error).__name__)
        raise DatabaseUnavailableError() from None


def _execute(request: _Request) -> Any:
    return _answer(request).data


def _filtered(request: Any, filters: Sequence[Filter]) -> Any:
    narrowed: _Filterable = request
    for item in filters:
        if item.operator == "is":
            narrowed = narrowed.is_(item.column, item.value)
        else:
            narrowed = narrowed.eq(item.column, str(item.value))
    return narrowed


class PostgrestTransport:
    """The five requests of `Transport`, each one PostgREST request with the caller's token."""

    def __init__(self, client: ProjectClient, *, access_token: str) -> None:
        self._client = client
        self._access_token = access_token

    @classmethod
    def for_service_role(cls, service_client: ProjectClient) -> PostgrestTransport:
        """The nightly job's transport: the client made with the service key, as its bearer."""
        return cls(service_client, access_token=service_client.api_key)

    def _rest(self) -> SyncPostgrestClient:
        # schema() copies the headers and shares the HTTP session.
        rest = self._client.rest.schema("public")
        rest.auth(self._access_token)
        return rest

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        return _execute(self._rest().rpc(function, dict(args)))

    def select(self, query: Select) -> list[Row]:
        rest = self._rest()

        def request(count: CountMethod | None = None) -> Any:
            built = rest.table(query.relation).select(",".join(query.columns), count=count)
            built = _filtered(built, query.filters)
            for column in query.order:
                built = built.order(column, desc=query.descending)
            return built

        if query.limit is not None:
            rows: list[Row] = _execute(request().limit(query.limit))
            return rows
        first = _answer(request(CountMethod.exact).range(0, PAGE_SIZE - 1))
        if first.count is None:
            raise IncompleteReadError(query.relation, "no row count in the answer")
        rows = list(first.data)
        while len(rows) < first.count:
            page = _execute(request().range(len(rows), len(rows) + PAGE_SIZE - 1))
            if not page:
                # Rows went away between pages: what was read is no longer one state.
                raise IncompleteReadError(query.relation, "rows changed between pages")
            rows.extend(page)
        return rows[: first.count]

    def insert(self, write: Insert) -> Row:
        request = self._rest().table(write.relation).insert(dict(write.values))
        rows: list[Row] = _execute(request.select(",".join(write.returning)))
        return rows[0]

    def update(self, write: Update) -> list[Row]:
        request = self._rest().table(write.relation).update(dict(write.values))
        request = _filtered(request, write.filters)
        rows: list[Row] = _execute(request.select(",".join(write.returning)))
        return rows

    def delete(self, write: Delete) -> list[Row]:
        request = _filtered(self._rest().table(write.relation).delete(), write.filters)
        rows: list[Row] = _execute(request.select(",".join(write.returning)))
        return rows
