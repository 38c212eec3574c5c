"""A ward's cleaning groups: read them, preview a boundary move, suggest a balance, restore.

Every route lets only that ward's admins and leaders through (`require_ward_manager`, before
anything else about the ward is read). Nothing here writes except restore, which the
database audits. The ward's households and groups come from the process's `WardCache`, read
again whenever the ward's roster or assignment version has moved.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from engine.wards import (
    InvalidBoundariesError,
    InvalidBoundaryMoveError,
    attendance_rates,
    default_assignment,
    member_participation,
    preview_boundary_move,
    suggest_boundaries,
    views_from_assignment,
)
from engine.wards.models import Boundaries
from functions.wards.cache import WardState
from functions.wards.deps import WardCacheDep, WardStoreDep, require_ward_manager
from functions.wards.errors import HouseholdSplitError, RestoreSplitsHouseholdError
from functions.wards.views import (
    BoundaryPreviewAnswer,
    PreviewBody,
    RestoreAnswer,
    RestoreBody,
    SuggestionAnswer,
    WardGroups,
    assignment_lines,
    group_lines,
    group_summaries,
    household_lines,
    invalid_move,
    moved_lines,
    stored_lines,
)
from functions.web.app import create_app, mangum_handler
from functions.web.errors import FieldError, InvalidInputError
from functions.web.observability import measured

PREFIX = "/api/ward-members/groups"
NOT_CONTIGUOUS = "required: the ward's groups are not a contiguous cut in A-D order"

router = APIRouter()


@router.get(PREFIX + "/{ward_branch_id}")
def get_groups(store: WardStoreDep, cache: WardCacheDep, ward_branch_id: UUID) -> WardGroups:
    require_ward_manager(store, ward_branch_id)
    ward = cache.state(store, ward_branch_id)
    return WardGroups(
        ward_branch_id=ward_branch_id,
        version=ward.version,
        uses_default=ward.uses_default,
        boundaries=ward.boundaries,
        custom_assignments=stored_lines(ward.stored),
        default_assignments=assignment_lines(ward.households, default_assignment(ward.households)),
        households=household_lines(ward.households, ward.effective),
        groups=group_lines(views_from_assignment(ward.households, ward.effective)),
    )


def _current_boundaries(ward: WardState) -> Boundaries:
    if ward.boundaries is None:
        raise InvalidInputError(errors=[FieldError("boundaries", NOT_CONTIGUOUS)])
    return ward.boundaries


@router.post(PREFIX + "/preview", dependencies=[Depends(measured("WardPreviewLatency"))])
def preview(store: WardStoreDep, cache: WardCacheDep, body: PreviewBody) -> BoundaryPreviewAnswer:
    require_ward_manager(store, body.ward_branch_id)
    ward = cache.state(store, body.ward_branch_id)
    try:
        moved = preview_boundary_move(
            ward.households,
            body.boundaries or _current_boundaries(ward),
            boundary=body.boundary_index,
            member_offset=body.member_offset,
            fraction=body.fraction,
        )
    except (InvalidBoundariesError, InvalidBoundaryMoveError) as error:
        raise invalid_move(error) from None
    return BoundaryPreviewAnswer(
        ward_branch_id=body.ward_branch_id,
        version=ward.version,
        boundaries=moved.boundaries,
        member_offsets=moved.member_offsets,
        groups=group_summaries(moved.groups),
        moved=moved_lines(moved.moved),
    )


@router.get(PREFIX + "/{ward_branch_id}/suggestion")
def suggestion(
    store: WardStoreDep,
    cache: WardCacheDep,
    ward_branch_id: UUID,
    by: Literal["members", "attendance"] = Query("members"),
) -> SuggestionAnswer:
    require_ward_manager(store, ward_branch_id)
    ward = cache.state(store, ward_branch_id)
    rates = None
    if by == "attendance":
        facts = store.participation_facts(ward_id=ward_branch_id)
        rates = attendance_rates(member_participation(ward.households, ward.effective, facts))
    suggested = suggest_boundaries(ward.households, by=by, participation_rates=rates)
    return SuggestionAnswer(
        ward_branch_id=ward_branch_id,
        by=by,
        boundaries=suggested.boundaries,
        loads=suggested.loads,
        groups=group_lines(suggested.groups),
    )


@router.post(PREFIX + "/{ward_branch_id}/restore")
def restore(store: WardStoreDep, ward_branch_id: UUID, body: RestoreBody) -> RestoreAnswer:
    require_ward_manager(store, ward_branch_id)
    # The database checks the restored state against today's households, from its roster:
    # the roster may have joined, since, members that state parts.
    try:
        version = store.restore(
            ward_id=ward_branch_id, audit_id=body.audit_id, expected_version=body.expected_version
        )
    except HouseholdSplitError as error:
        raise RestoreSplitsHouseholdError(household_id=error.household_id) from None
    return RestoreAnswer(ward_branch_id=ward_branch_id, version=version)


app = create_app("ward_groups", router)
handler = mangum_handler(app)
