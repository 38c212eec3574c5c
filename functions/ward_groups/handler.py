"""A ward's cleaning groups: read them, preview a boundary move, suggest a balance, restore.

Every route lets only that ward's admins and leaders through (`require_ward_manager`, before
anything else about the ward is read). Nothing here writes except restore, which the
database audits. Households are detected once per request.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Query

from engine.wards import (
    Household,
    InvalidBoundariesError,
    InvalidBoundaryMoveError,
    contiguous_boundaries,
    default_assignment,
    default_boundaries,
    detect_households,
    effective_assignment,
    preview_boundary_move,
    suggest_boundaries,
    views_from_assignment,
)
from engine.wards.models import Boundaries
from functions.common.app import create_app, mangum_handler
from functions.common.service_errors import FieldError, InvalidInputError
from functions.common.store_errors import StaleAssignmentsError
from functions.common.ward_deps import WardStoreDep, require_ward_manager
from functions.common.ward_store import WardStore
from functions.common.ward_views import (
    BoundaryPreviewAnswer,
    PreviewBody,
    RestoreAnswer,
    RestoreBody,
    SuggestionAnswer,
    WardGroups,
    assignment_lines,
    group_lines,
    groups_of,
    household_lines,
    invalid_move,
    stale_version,
    stored_lines,
)

PREFIX = "/api/ward-members/groups"
NOT_CONTIGUOUS = "required: the ward's groups are not a contiguous cut in A-D order"

router = APIRouter()


def _households(store: WardStore, ward_id: UUID) -> list[Household]:
    return detect_households(store.get_roster(ward_id=ward_id))


@router.get(PREFIX + "/{ward_branch_id}")
def get_groups(store: WardStoreDep, ward_branch_id: UUID) -> WardGroups:
    require_ward_manager(store, ward_branch_id)
    households = _households(store, ward_branch_id)
    stored, version = store.get_assignments(ward_id=ward_branch_id)
    default = default_assignment(households)
    effective = effective_assignment(households, groups_of(stored))
    return WardGroups(
        ward_branch_id=ward_branch_id,
        version=version,
        uses_default=not stored,
        boundaries=contiguous_boundaries(households, effective),
        custom_assignments=stored_lines(stored),
        default_assignments=assignment_lines(households, default),
        households=household_lines(households, effective),
        groups=group_lines(views_from_assignment(households, effective)),
    )


def _current_boundaries(store: WardStore, ward_id: UUID, households: list[Household]) -> Boundaries:
    stored, _ = store.get_assignments(ward_id=ward_id)
    if not stored:
        # The default cut is contiguous by construction: skip building the assignment.
        return default_boundaries(households)
    effective = effective_assignment(households, groups_of(stored))
    boundaries = contiguous_boundaries(households, effective)
    if boundaries is None:
        raise InvalidInputError(errors=[FieldError("boundaries", NOT_CONTIGUOUS)])
    return boundaries


@router.post(PREFIX + "/preview")
def preview(store: WardStoreDep, body: PreviewBody) -> BoundaryPreviewAnswer:
    require_ward_manager(store, body.ward_branch_id)
    households = _households(store, body.ward_branch_id)
    boundaries = body.boundaries or _current_boundaries(store, body.ward_branch_id, households)
    try:
        moved = preview_boundary_move(
            households,
            boundaries,
            boundary=body.boundary_index,
            member_offset=body.member_offset,
            fraction=body.fraction,
        )
    except (InvalidBoundariesError, InvalidBoundaryMoveError) as error:
        raise invalid_move(error) from None
    return BoundaryPreviewAnswer(
        ward_branch_id=body.ward_branch_id,
        boundaries=moved.boundaries,
        member_offsets=moved.member_offsets,
        groups=group_lines(moved.groups),
    )


@router.get(PREFIX + "/{ward_branch_id}/suggestion")
def suggestion(
    store: WardStoreDep,
    ward_branch_id: UUID,
    by: Literal["members", "attendance"] = Query("members"),
) -> SuggestionAnswer:
    require_ward_manager(store, ward_branch_id)
    households = _households(store, ward_branch_id)
    rates = store.attendance_rates(ward_id=ward_branch_id) if by == "attendance" else None
    suggested = suggest_boundaries(households, by=by, participation_rates=rates)
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
    try:
        version = store.restore(
            ward_id=ward_branch_id, audit_id=body.audit_id, expected_version=body.expected_version
        )
    except StaleAssignmentsError as error:
        raise stale_version(error) from None
    return RestoreAnswer(ward_branch_id=ward_branch_id, version=version)


app = create_app("ward_groups", router)
handler = mangum_handler(app)
