"""A ward's households and groups, kept by a warm Lambda for as long as its versions stand.

Households are a pure function of the roster, and the groups of the roster and the stored
assignments; on a 10,000-member ward, reading and detecting them costs more than a boundary
drag may take (the seed's budget is 100 ms a preview). So each request reads only the
ward's two versions, which the database moves by trigger on every change, whoever writes,
and reads the rest again only when one of them has moved.

Entries are shared by every caller of the process. That is safe because the cache is asked
only after `require_ward_manager`, the versions are read as the caller (RLS: no row, 403),
and a ward's admins and leaders all see its whole roster and assignments: what the cache
returns is what the caller would have read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from uuid import UUID

from engine.wards import (
    Boundaries,
    GroupLabel,
    Household,
    contiguous_boundaries,
    detect_households,
    effective_assignment,
)
from functions.wards.schemas import (
    RosterSnapshot,
    StoredAssignment,
    WardVersions,
    groups_of,
)

DEFAULT_MAX_ENTRIES = 32
Version = TypeVar("Version", bound=Hashable)
Value = TypeVar("Value")


class WardReads(Protocol):
    """What a ward's state is read from: all the cache needs of `WardStore`."""

    def versions(self, *, ward_id: UUID) -> WardVersions: ...

    def get_roster(self, *, ward_id: UUID) -> RosterSnapshot: ...

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]: ...


@dataclass(frozen=True)
class WardState:
    """A ward as one request sees it: households in order, stored and effective groups."""

    version: int
    roster_version: int
    households: list[Household]
    stored: list[StoredAssignment]
    # Every roster member's group: stored, else the household's, else the default.
    effective: dict[str, GroupLabel]
    # The cut the effective groups make, or None when they are not contiguous in A-D order.
    boundaries: Boundaries | None

    @property
    def uses_default(self) -> bool:
        return not self.stored


class WardCache:
    """Per ward, the households of one roster version and the state of one pair of versions."""

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def state(self, store: WardReads, ward_id: UUID) -> WardState:
        """The ward's current state; 403 (ForbiddenError) when the caller may not see it."""
        versions = store.versions(ward_id=ward_id)
        roster_version, households = self._remember(
            ("households", ward_id), versions.roster, lambda: _read_households(store, ward_id)
        )

        def read_state() -> tuple[tuple[int, int], WardState]:
            stored, version = store.get_assignments(ward_id=ward_id)
            state = _state(version, roster_version, households, stored)
            return (roster_version, version), state

        _, state = self._remember(
            ("state", ward_id), (roster_version, versions.assignments), read_state
        )
        return state

    def _remember(
        self, key: Hashable, version: Version, read: Callable[[], tuple[Version, Value]]
    ) -> tuple[Version, Value]:
        """The entry at `key` if it stands at `version`, else `read()`, kept at what it read.

        `read` returns the version its own consistent read saw, which is newer than
        `version` when another writer landed in between: the entry is kept at that one.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return version, entry[1]
        read_version, value = read()
        with self._lock:
            self._entries[key] = (read_version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return read_version, value


def _read_households(store: WardReads, ward_id: UUID) -> tuple[int, list[Household]]:
    snapshot = store.get_roster(ward_id=ward_id)
    return snapshot.version, detect_households(snapshot.members)


def _state(
    version: int, roster_version: int, households: list[Household], stored: list[StoredAssignment]
) -> WardState:
    effective = effective_assignment(households, groups_of(stored))
    return WardState(
        version=version,
        roster_version=roster_version,
        households=households,
        stored=stored,
        effective=effective,
        boundaries=contiguous_boundaries(households, effective),
    )
