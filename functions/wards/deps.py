"""The ward functions' dependencies: the ward store as the caller, the process's ward cache,
and who may manage a ward.

Only that ward's admins and leaders read or change its groups. Everyone else, and anyone
asking about a ward that does not exist, gets the same 403, so the answer says nothing
about the ward.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from uuid import UUID

from fastapi import Depends

from functions.database.deps import TransportDep
from functions.wards.cache import WardCache
from functions.wards.errors import NotWardManagerError
from functions.wards.store import WardStore

MANAGING_ROLES = frozenset({"admin", "leader"})


def get_ward_store(transport: TransportDep) -> WardStore:
    """The ward store acting as the caller (PostgreSQL locally, else Supabase)."""
    return WardStore(transport)


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
