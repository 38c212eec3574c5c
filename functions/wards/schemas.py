"""The ward feature's models: stored assignments, roster syncs, audit entries, versions.

Models use the seed's camelCase on the wire (`userHash`, `assignedGroup`,
`householdId`) and snake_case in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.alias_generators import to_camel

from engine.wards.models import GroupLabel, WardMember
from functions.web.bounds import BoundedRequest

WardRole = Literal["admin", "leader", "member"]
AuditAction = Literal["insert", "update", "delete"]
# The roster columns, in WardMember's field order.
ROSTER_COLUMNS = tuple(WardMember.model_fields)


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class CamelRequest(CamelModel, BoundedRequest):
    """A request body: camelCase, and every field within the bounds every request is held
    to (integers in int64, storable text of bounded length, bounded lists)."""


class StoredAssignment(CamelModel):
    """A row of `ward_member_groups`: a member's stored group, and the household key the
    database gave them (the roster's, by trigger: sql/migrations/0017)."""

    user_hash: str
    assigned_group: GroupLabel
    household_id: str | None = None


def groups_of(stored: Sequence[StoredAssignment]) -> dict[str, GroupLabel]:
    """user_hash -> stored group."""
    return {row.user_hash: row.assigned_group for row in stored}


class AssignmentChange(CamelModel):
    """One entry of a bulk update as the API sends it: the member and their new group. The
    seed's request may name a `householdId` too; the database takes households from the
    roster, so the API sends none."""

    user_hash: str
    new_group: GroupLabel


class RosterSync(CamelModel):
    """What a roster sync changed."""

    added: int
    updated: int
    removed: int
    # Stored assignments moved so that a household the new roster joins stays in one group.
    rejoined: int = 0


class AuditEntry(CamelModel):
    """A row of `audit_log`: one member's change within one batch."""

    id: int
    user_hash: str
    action: AuditAction
    old_group: str | None
    new_group: str | None
    old_household_id: str | None
    new_household_id: str | None
    actor_id: UUID | None
    changed_at: datetime
    batch_id: UUID
    restored_from: int | None


@dataclass(frozen=True)
class WardVersions:
    """A ward's two versions: each moves with every change to its assignments or roster."""

    assignments: int
    roster: int


@dataclass(frozen=True)
class RosterSnapshot:
    """The roster as one read saw it, and the roster version of that read."""

    members: list[WardMember]
    version: int


AUDIT_COLUMNS = tuple(AuditEntry.model_fields)
_ROSTER = TypeAdapter(list[WardMember])


def roster_members(rows: Iterable[Mapping[str, Any]]) -> list[WardMember]:
    """Rows of `ward_members` as roster members (extra columns ignored)."""
    # One validation call for the whole roster: several times faster than one per row, and
    # faster than model_construct, which runs in Python.
    return _ROSTER.validate_python(list(rows))


def roster_payload(members: list[WardMember]) -> list[dict[str, str | None]]:
    """The `p_members` argument of `ward_sync_roster`, in camelCase."""
    return [
        {to_camel(name): getattr(member, name) for name in ROSTER_COLUMNS} for member in members
    ]


def assignments_payload(assignments: list[AssignmentChange]) -> list[dict[str, str | None]]:
    """The `p_assignments` argument of `ward_bulk_update`: [{userHash, newGroup}, ...]."""
    return [change.model_dump(mode="json", by_alias=True) for change in assignments]
