"""Which transport a store uses: PostgreSQL when `DATABASE_URL` is set, else Supabase.

`DATABASE_URL` is for local runs and tests (the embedded or test PostgreSQL, acting as the
caller the way PostgREST does); on AWS it is unset and postgrest-py carries the caller's
token. The expensive parts (the PostgREST client and its connection pool) are made once per
cold start; each request gets a thin transport bound to its caller. The transport modules
are imported on first use so that importing a handler stays fast.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends

from functions.auth.deps import CallerDep, SettingsDep
from functions.database.transport import Transport
from functions.web.errors import ServiceUnavailableError
from functions.web.settings import Settings

if TYPE_CHECKING:
    from functions.database.postgres import ConnectionFactory, DatabaseIdentity


class StoreNotConfiguredError(ServiceUnavailableError, slug="store-not-configured"):
    """Neither DATABASE_URL nor the Supabase key this transport needs is set."""

    default_detail = "The service has no database configured."


# Connections a process keeps open to DATABASE_URL: one suffices for a Lambda (one request
# at a time); the local server's worker threads share a few.
POOL_MAX_SIZE = 4


@lru_cache(maxsize=4)
def postgres_connections(database_url: str) -> ConnectionFactory:
    """Pooled connections to `database_url`, reused across requests (made once per process).

    Each transport request takes one for one transaction and gives it back; the caller's
    role and JWT claims are set per transaction (`set local`), so nothing of one caller
    stays on a connection for the next. A connection the server killed is discarded on
    return, and each is checked before it is handed out.
    """
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(
        database_url,
        min_size=1,
        max_size=POOL_MAX_SIZE,
        check=ConnectionPool.check_connection,
        name="grouping-service",
        open=True,
    )
    return pool.connection


def _postgres(settings: Settings, identity: DatabaseIdentity) -> Transport:
    from functions.database.postgres import PostgresTransport

    assert settings.database_url is not None
    connect = postgres_connections(settings.database_url.get_secret_value())
    return PostgresTransport(connect, identity=identity)


def _supabase_client(settings: Settings, key_name: str) -> Any:
    from functions.database.postgrest import project_client

    key = getattr(settings, key_name)
    if key is None or not key.get_secret_value():
        raise StoreNotConfiguredError()
    return project_client(settings.supabase_url, key.get_secret_value())


def transport_for_caller(settings: Settings, access_token: str) -> Transport:
    """The transport acting as the caller behind `access_token` (already verified)."""
    if settings.database_url is not None:
        from functions.database.postgres import identity_of_verified_token

        return _postgres(settings, identity_of_verified_token(access_token))
    from functions.database.postgrest import PostgrestTransport

    client = _supabase_client(settings, "supabase_anon_key")
    return PostgrestTransport(client, access_token=access_token)


def service_role_transport(settings: Settings) -> Transport:
    """The nightly job's transport: the service role, which RLS lets write grouping runs."""
    if settings.database_url is not None:
        from functions.database.postgres import SERVICE_IDENTITY

        return _postgres(settings, SERVICE_IDENTITY)
    from functions.database.postgrest import PostgrestTransport

    client = _supabase_client(settings, "supabase_service_role_key")
    return PostgrestTransport.for_service_role(client)


def get_transport(settings: SettingsDep, caller: CallerDep) -> Transport:
    return transport_for_caller(settings, caller.access_token)


TransportDep = Annotated[Transport, Depends(get_transport)]
