"""GET /api/ward-members/participation-stats/{wardBranchId}: per member and per group.

Counted as spec/wards.md "Participation statistics" defines, under each member's effective
group (stored, else their household's, else the default cut), so a ward still on its default
assignment gets real figures. Field names are the spec's (and the `member_participation_stats`
view's) snake_case, so a dashboard reading the view and one reading this route agree. Only the
ward's admins and leaders; everyone else, the same 403.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from pydantic import BaseModel

from engine.wards import (
    GroupParticipation,
    MemberParticipation,
    group_participation,
    member_participation,
)
from functions.wards.deps import WardCacheDep, WardStoreDep, require_ward_manager
from functions.web.app import create_app, mangum_handler

router = APIRouter()


class ParticipationStats(BaseModel):
    ward_branch_id: UUID
    # True when nothing is stored yet, so the groups counted are the default ones.
    uses_default: bool
    # Every roster member, in ward order.
    members: list[MemberParticipation]
    # Groups A-D, always all four.
    groups: list[GroupParticipation]


@router.get("/api/ward-members/participation-stats/{wardBranchId}")
def participation_stats(
    store: WardStoreDep,
    cache: WardCacheDep,
    ward_branch_id: Annotated[UUID, Path(alias="wardBranchId")],
) -> ParticipationStats:
    require_ward_manager(store, ward_branch_id)
    ward = cache.state(store, ward_branch_id)
    facts = store.participation_facts(ward_id=ward_branch_id)
    lines = member_participation(ward.households, ward.effective, facts)
    return ParticipationStats(
        ward_branch_id=ward_branch_id,
        uses_default=ward.uses_default,
        members=lines,
        groups=group_participation(lines),
    )


app = create_app("participation_stats", router)
handler = mangum_handler(app)
