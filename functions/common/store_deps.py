"""Which store a function uses: PostgreSQL when `DATABASE_URL` is set, else Supabase.

`DATABASE_URL` is for local runs and tests (the embedded or test PostgreSQL, acting
as the caller the way PostgREST does); on AWS it is unset and supabase-py carries the
caller's token. The expensive parts (the Supabase client and its connection pool) are
made once per cold start; each request gets a thin store bound to its caller. The
store modules are imported on first use so that importing a handler stays fast.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends

from functions.common.deps import CallerDep, SettingsDep
from functions.common.service_errors import ServiceUnavailableError
from functions.common.settings import Settings
from functions.common.store import GroupingStore

if TYPE_CHECKING:
    from functions.common.store_postgres import ConnectionFactory, DatabaseIdentity


class StoreNotConfiguredError(ServiceUnavailableError):
    slug = "store-not-configured"
    default_detail = "The service has no database configured."


@lru_cache(maxsize=4)
def postgres_connections(database_url: str) -> ConnectionFactory:
    """Connections to `database_url`, one per store transaction."""
    import psycopg

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(database_url)

    return connect


def postgres_connections_for(settings: Settings) -> ConnectionFactory:
    assert settings.database_url is not None
    return postgres_connections(settings.database_url.get_secret_value())


def _postgres_store(settings: Settings, identity: DatabaseIdentity) -> GroupingStore:
    from functions.common.store_postgres import PostgresStore

    return PostgresStore(postgres_connections_for(settings), identity=identity)


def supabase_client_for(settings: Settings, key_name: str) -> Any:
    from functions.common.store_supabase import supabase_client

    key = getattr(settings, key_name)
    if key is None or not key.get_secret_value():
        raise StoreNotConfiguredError()
    return supabase_client(settings.supabase_url, key.get_secret_value())


def store_for_caller(settings: Settings, access_token: str) -> GroupingStore:
    """The store acting as the caller behind `access_token` (already verified)."""
    if settings.database_url is not None:
        from functions.common.store_postgres import identity_of_verified_token

        return _postgres_store(settings, identity_of_verified_token(access_token))
    from functions.common.store_supabase import SupabaseStore

    client = supabase_client_for(settings, "supabase_anon_key")
    return SupabaseStore(client, access_token=access_token)


def service_role_store(settings: Settings) -> GroupingStore:
    """The nightly job's store: the service role, which RLS lets write grouping runs."""
    if settings.database_url is not None:
        from functions.common.store_postgres import SERVICE_IDENTITY

        return _postgres_store(settings, SERVICE_IDENTITY)
    from functions.common.store_supabase import SupabaseStore

    return SupabaseStore.for_service_role(
        supabase_client_for(settings, "supabase_service_role_key")
    )


def get_store(settings: SettingsDep, caller: CallerDep) -> GroupingStore:
    return store_for_caller(settings, caller.access_token)


StoreDep = Annotated[GroupingStore, Depends(get_store)]
