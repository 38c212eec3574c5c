"""What a bulk update writes, so that households stay whole (spec/wards.md).

The households are the engine's, from the roster (`WardState`); the request's own
`householdId` is not trusted, and none is sent: the database derives the same households from
the roster it holds (sql/migrations/0017) and refuses, at the latest at commit, whatever would
split one. Checking here first names the household in a 422 before anything is written.
Members the request does not name keep their current effective group: their stored group,
else their household's, else the default. Members without a stored group are written too, so
the first bulk update of a ward stores its full assignment (default plus the changes).

A roster sync needs no plan: the database moves a household the new roster joins to where
most of it is stored, in the sync's transaction (`WardStore.sync_roster`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from engine.wards import (
    GROUP_LABELS,
    GroupLabel,
    household_of_member,
    split_household,
)
from functions.wards.cache import WardState
from functions.wards.errors import (
    DuplicateWardMemberError,
    HouseholdSplitError,
    InvalidWardGroupError,
    UnknownWardMemberError,
)
from functions.wards.schemas import (
    AssignmentChange,
    CamelModel,
    groups_of,
)


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
    entries = [AssignmentChange(user_hash=h, new_group=after[h]) for h in written]
    return BulkPlan(entries=entries, changed=sum(1 for h in requested if before[h] != after[h]))
