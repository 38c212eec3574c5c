"""The ward functions' dependencies: the ward store as the caller, the process's ward cache,
and who may manage a ward.

Only that ward's admins and leaders read or change its groups. Everyone else, and
anyone asking about a ward that does not exist, gets the same 403, so the answer
says nothing about the ward.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from uuid import UUID

from fastapi import Depends

from functions.common.deps import CallerDep, SettingsDep
from functions.common.service_errors import ForbiddenError
from functions.common.store_deps import postgres_connections_for, supabase_client_for
from functions.common.ward_cache import WardCache
from functions.common.ward_store import WardStore

MANAGING_ROLES = frozenset({"admin", "leader"})


class NotWardManagerError(ForbiddenError):
    slug = "not-ward-manager"
    default_detail = "Only this ward's admins and leaders may do this."


def get_ward_store(settings: SettingsDep, caller: CallerDep) -> WardStore:
    """The ward store acting as the caller (PostgreSQL locally, else Supabase)."""
    if settings.database_url is not None:
        from functions.common.store_postgres import identity_of_verified_token
        from functions.common.ward_store_postgres import PostgresWardStore

        identity = identity_of_verified_token(caller.access_token)
        return PostgresWardStore(postgres_connections_for(settings), identity=identity)
    from functions.common.ward_store_supabase import SupabaseWardStore

    client = supabase_client_for(settings, "supabase_anon_key")
    return SupabaseWardStore(client, access_token=caller.access_token)


WardStoreDep = Annotated[WardStore, Depends(get_ward_store)]


@lru_cache(maxsize=1)
def get_ward_cache() -> WardCache:
    """One per process, so a warm Lambda keeps each ward's households between requests."""
    return WardCache()


WardCacheDep = Annotated[WardCache, Depends(get_ward_cache)]


def require_ward_manager(store: WardStore, ward_id: UUID) -> None:
    """403 unless the caller is an admin or leader of `ward_id` (unknown wards alike)."""
    if store.ward_role(ward_id=ward_id) not in MANAGING_ROLES:
        raise NotWardManagerError()
