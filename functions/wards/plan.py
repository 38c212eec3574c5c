"""What a bulk update or a roster sync writes, so that households stay whole (spec/wards.md).

The households are the engine's, from the roster (`WardState`); the request's own
`householdId` is not trusted for the split check, and every written entry carries the derived
household key so the RPC's own check agrees. Members the request does not name keep their
current effective group: their stored group, else their household's, else the default.
Members without a stored group are written too, so the first bulk update of a ward stores its
full assignment (default plus the changes) and no household is ever half stored.

A roster sync may join members stored in different groups into one household; with the
roster it sends the moves that put each such household where most of it is stored, and the
household key each stored member now has.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from pydantic import Field

from engine.wards import (
    GROUP_LABELS,
    DuplicateMemberError,
    GroupLabel,
    WardMember,
    detect_households,
    household_of_member,
    rejoined_groups,
    split_household,
)
from functions.wards.cache import WardState
from functions.wards.errors import (
    DuplicateWardMemberError,
    HouseholdSplitError,
    InvalidWardGroupError,
    StaleAssignmentsError,
    UnknownWardMemberError,
)
from functions.wards.schemas import (
    AssignmentChange,
    CamelModel,
    RosterSync,
    StoredAssignment,
    groups_of,
)
from functions.wards.store import WardStore


class RequestedChange(CamelModel):
    """One entry of the seed's request; the group is checked here, to name the member."""

    user_hash: Annotated[str, Field(min_length=1)]
    new_group: str
    household_id: str | None = None


@dataclass(frozen=True)
class BulkPlan:
    """The entries to send to `ward_bulk_update`, and how many members change group."""

    entries: list[AssignmentChange]
    changed: int


def _checked_groups(changes: Sequence[RequestedChange], roster: set[str]) -> dict[str, GroupLabel]:
    """user_hash -> new group; refuses a repeated or unknown member, or a group outside A-D."""
    groups: dict[str, GroupLabel] = {}
    for change in changes:
        if change.user_hash in groups:
            raise DuplicateWardMemberError(user_hash=change.user_hash)
        if change.user_hash not in roster:
            raise UnknownWardMemberError(user_hash=change.user_hash)
        label = next((label for label in GROUP_LABELS if label == change.new_group), None)
        if label is None:
            raise InvalidWardGroupError(user_hash=change.user_hash)
        groups[change.user_hash] = label
    return groups


def plan_bulk_update(ward: WardState, changes: Sequence[RequestedChange]) -> BulkPlan:
    """The full, household-whole result of `changes`; raises the store's ward errors."""
    household_of = household_of_member(ward.households)
    requested = _checked_groups(changes, set(household_of))
    stored = groups_of(ward.stored)
    before = ward.effective
    after = {**before, **requested}
    split = split_household(ward.households, after)
    if split is not None:
        raise HouseholdSplitError(household_id=split.key)
    # A member whose stored group stays is not written: no audit record of a non-change.
    written = sorted(h for h in after if stored.get(h) != after[h])
    entries = [
        AssignmentChange(user_hash=h, new_group=after[h], household_id=household_of[h].key)
        for h in written
    ]
    return BulkPlan(entries=entries, changed=sum(1 for h in requested if before[h] != after[h]))


# A roster sync works out its moves from the assignments it read; when another write lands
# before the sync, it reads them again and retries, at most this often.
SYNC_ATTEMPTS = 3


def roster_sync_changes(
    roster: Sequence[WardMember], stored: Sequence[StoredAssignment]
) -> list[AssignmentChange]:
    """What a sync of `roster` changes in the stored assignments, so households stay whole.

    A household the new roster joins goes where most of it is stored (`rejoined_groups`),
    and every stored member on the roster carries the household key the roster gives them,
    so the database's own split checks (a later bulk update, a restore) see today's
    households.
    """
    try:
        households = detect_households(roster)
    except DuplicateMemberError as error:
        raise DuplicateWardMemberError(user_hash=error.user_hash) from None
    household_of = household_of_member(households)
    before = groups_of(stored)
    after = {**before, **rejoined_groups(households, before)}
    changes = []
    for row in stored:
        if row.user_hash not in household_of:  # leaving the roster, and their assignment
            continue
        group, key = after[row.user_hash], household_of[row.user_hash].key
        if (group, key) != (row.assigned_group, row.household_id):
            changes.append(
                AssignmentChange(user_hash=row.user_hash, new_group=group, household_id=key)
            )
    return changes


def sync_keeping_households(
    store: WardStore, ward_id: UUID, roster: list[WardMember]
) -> RosterSync:
    """Syncs `roster` and, in the same transaction, the moves that keep households whole."""
    for _ in range(SYNC_ATTEMPTS - 1):
        with suppress(StaleAssignmentsError):
            return _sync_once(store, ward_id, roster)
    return _sync_once(store, ward_id, roster)


def _sync_once(store: WardStore, ward_id: UUID, roster: list[WardMember]) -> RosterSync:
    stored, version = store.get_assignments(ward_id=ward_id)
    return store.sync_roster(
        ward_id=ward_id,
        members=roster,
        moves=roster_sync_changes(roster, stored),
        expected_version=version,
    )
