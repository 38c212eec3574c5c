"""The ward store: the one interface the ward functions read and write through.

Two implementations (`ward_store_postgres.PostgresWardStore`,
`ward_store_supabase.SupabaseWardStore`) call the same tables, views and RPCs as the
caller, so Row Level Security and the RPCs' own checks apply to both. Failures become
the domain errors of `store_errors`, chosen in `error_for_code` and nowhere else; the
ward refusals carry what they name (a user hash, a group, a household, the current
version), never SQL text.

Models use the seed's camelCase on the wire (`userHash`, `assignedGroup`,
`householdId`) and snake_case in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from engine.wards.models import GroupLabel, WardMember

WardRole = Literal["admin", "leader", "member"]
AuditAction = Literal["insert", "update", "delete"]
# The roster columns, in WardMember's field order.
ROSTER_COLUMNS = tuple(WardMember.model_fields)


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class StoredAssignment(CamelModel):
    """A row of `ward_member_groups`: a member's stored group."""

    user_hash: str
    assigned_group: GroupLabel
    household_id: str | None = None


class AssignmentChange(CamelModel):
    """One entry of the seed's bulk-update request."""

    user_hash: str
    new_group: GroupLabel
    household_id: str | None = None


class RosterSync(CamelModel):
    """What a roster sync changed."""

    added: int
    updated: int
    removed: int


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


class MemberParticipation(CamelModel):
    """A line of `member_participation_stats` (spec: "Participation statistics")."""

    user_hash: str
    assigned_group: GroupLabel | None
    total_assigned_sessions: int
    total_participations: int
    participation_percentage: float


AUDIT_COLUMNS = tuple(AuditEntry.model_fields)
PARTICIPATION_COLUMNS = tuple(MemberParticipation.model_fields)


def roster_payload(members: list[WardMember]) -> list[dict[str, str | None]]:
    """The `p_members` argument of `ward_sync_roster`, in camelCase."""
    return [
        {to_camel(name): getattr(member, name) for name in ROSTER_COLUMNS} for member in members
    ]


def assignments_payload(assignments: list[AssignmentChange]) -> list[dict[str, str | None]]:
    """The `p_assignments` argument of `ward_bulk_update`: the seed's request shape."""
    return [change.model_dump(mode="json", by_alias=True) for change in assignments]


def attendance_rates_of(stats: list[MemberParticipation]) -> dict[str, float]:
    """Participation rates in [0, 1] of the members with history (assigned sessions)."""
    return {
        line.user_hash: line.total_participations / line.total_assigned_sessions
        for line in stats
        if line.total_assigned_sessions > 0
    }


class WardStore(Protocol):
    """Everything the ward functions read and write, as the caller."""

    def ward_role(self, *, ward_id: UUID) -> WardRole | None: ...

    def sync_roster(self, *, ward_id: UUID, members: list[WardMember]) -> RosterSync: ...

    def get_roster(self, *, ward_id: UUID) -> list[WardMember]: ...

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]: ...

    def bulk_update(
        self, *, ward_id: UUID, assignments: list[AssignmentChange], expected_version: int
    ) -> int: ...

    def restore(self, *, ward_id: UUID, audit_id: int, expected_version: int) -> int: ...

    def audit_trail(self, *, ward_id: UUID, limit: int) -> list[AuditEntry]: ...

    def participation_stats(self, *, ward_id: UUID) -> list[MemberParticipation]: ...

    def attendance_rates(self, *, ward_id: UUID) -> dict[str, float]: ...
