"""GET /api/ward-members/participation-stats/{wardBranchId}: per member and per group.

The member figures are the database's (`member_participation_stats`, spec/wards.md
"Participation statistics"); the groups add them up. A member without a stored group is
counted under the group `null`. Only the ward's admins and leaders; everyone else, the same 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path

from engine.wards import GROUP_LABELS, GroupLabel
from functions.common.app import create_app, mangum_handler
from functions.common.ward_deps import WardStoreDep, require_ward_manager
from functions.common.ward_store import CamelModel, MemberParticipation

router = APIRouter()


class GroupParticipation(CamelModel):
    group: GroupLabel | None
    members: int
    total_assigned_sessions: int
    total_participations: int
    # 100 x participations / assigned sessions of the whole group.
    participation_percentage: float
    average_assigned_sessions: float
    average_participations: float
    # The mean of the members' own percentages.
    average_participation_percentage: float


class ParticipationStats(CamelModel):
    ward_branch_id: UUID
    members: list[MemberParticipation]
    groups: list[GroupParticipation]


def one_decimal(numerator: float, denominator: float) -> float:
    """numerator / denominator rounded half up to one decimal, as PostgreSQL rounds; 0 for 0/0."""
    if denominator == 0:
        return 0.0
    exact = Decimal(repr(numerator)) / Decimal(repr(denominator))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def group_line(
    group: GroupLabel | None, lines: Sequence[MemberParticipation]
) -> GroupParticipation:
    assigned = sum(line.total_assigned_sessions for line in lines)
    participations = sum(line.total_participations for line in lines)
    percentages = sum(line.participation_percentage for line in lines)
    return GroupParticipation(
        group=group,
        members=len(lines),
        total_assigned_sessions=assigned,
        total_participations=participations,
        participation_percentage=one_decimal(100 * participations, assigned),
        average_assigned_sessions=one_decimal(assigned, len(lines)),
        average_participations=one_decimal(participations, len(lines)),
        average_participation_percentage=one_decimal(percentages, len(lines)),
    )


def group_lines(lines: Sequence[MemberParticipation]) -> list[GroupParticipation]:
    """Groups A-D always; the `null` group only when some member has no stored group."""
    groups: list[GroupLabel | None] = list(GROUP_LABELS)
    if any(line.assigned_group is None for line in lines):
        groups.append(None)
    return [
        group_line(group, [line for line in lines if line.assigned_group == group])
        for group in groups
    ]


@router.get("/api/ward-members/participation-stats/{wardBranchId}")
def participation_stats(
    store: WardStoreDep, ward_branch_id: Annotated[UUID, Path(alias="wardBranchId")]
) -> ParticipationStats:
    require_ward_manager(store, ward_branch_id)
    lines = store.participation_stats(ward_id=ward_branch_id)
    return ParticipationStats(
        ward_branch_id=ward_branch_id, members=lines, groups=group_lines(lines)
    )


app = create_app("participation_stats", router)
handler = mangum_handler(app)
