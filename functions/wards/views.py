"""The ward group routes' request and response models, and their translation from the engine.

Wire names are the seed's camelCase (`customAssignments`, `userHash`, `assignedGroup`,
`householdId`); a household's id is the engine's household key (the explicit
`household_id`, else the derived `auto:` key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated
from uuid import UUID

from pydantic import Field

from engine.wards import (
    BalanceBy,
    Boundaries,
    GroupLabel,
    GroupView,
    Household,
    HouseholdMove,
    InvalidBoundariesError,
    InvalidBoundaryMoveError,
)
from functions.wards.schemas import CamelModel, CamelRequest, StoredAssignment
from functions.web.bounds import NonNegativeInt64
from functions.web.errors import FieldError, InvalidInputError

BoundaryIndex = Annotated[int, Field(ge=0, le=2)]


class PreviewBody(CamelRequest):
    """A proposed move of one boundary; `boundaries` defaults to the ward's current cut."""

    ward_branch_id: UUID
    boundary_index: BoundaryIndex
    member_offset: Annotated[float, Field(allow_inf_nan=False)] | None = None
    fraction: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    boundaries: tuple[NonNegativeInt64, NonNegativeInt64, NonNegativeInt64] | None = None


class RestoreBody(CamelRequest):
    audit_id: NonNegativeInt64
    expected_version: NonNegativeInt64


class AssignmentLine(CamelModel):
    user_hash: str
    assigned_group: GroupLabel
    household_id: str | None = None


class HouseholdLine(CamelModel):
    household_id: str
    assigned_group: GroupLabel
    members: list[str]


class GroupLine(CamelModel):
    label: GroupLabel
    household_ids: list[str]
    members: list[str]
    member_count: int
    share: float


class WardGroups(CamelModel):
    """GET groups: stored and default assignments, households, groups and the version."""

    ward_branch_id: UUID
    version: int
    # True when nothing is stored yet, so every group below is the default one.
    uses_default: bool
    # The cut the groups make, or None when stored groups are not contiguous in A-D order.
    boundaries: Boundaries | None
    custom_assignments: list[AssignmentLine]
    default_assignments: list[AssignmentLine]
    households: list[HouseholdLine]
    groups: list[GroupLine]


class GroupSummary(CamelModel):
    """A group's size and share, without its members: what the phone's rectangle draws."""

    label: GroupLabel
    household_count: int
    member_count: int
    share: float


class MovedHousehold(CamelModel):
    household_id: str
    members: list[str]
    from_group: GroupLabel
    to_group: GroupLabel


class BoundaryPreviewAnswer(CamelModel):
    """A preview is answered on every drag, so it carries sizes and what moves, not every member."""

    ward_branch_id: UUID
    # The assignment version the preview was made from: the expectedVersion of a bulk update.
    version: int
    boundaries: Boundaries
    member_offsets: tuple[int, int, int]
    groups: list[GroupSummary]
    # The households that would change group, relative to the boundaries the move started from.
    moved: list[MovedHousehold]


class SuggestionAnswer(CamelModel):
    ward_branch_id: UUID
    by: BalanceBy
    boundaries: Boundaries
    loads: list[float]
    groups: list[GroupLine]


class RestoreAnswer(CamelModel):
    ward_branch_id: UUID
    version: int


def invalid_move(error: InvalidBoundariesError | InvalidBoundaryMoveError) -> InvalidInputError:
    """A 422 naming the field of a move the engine refused."""
    if isinstance(error, InvalidBoundariesError):
        field = FieldError("boundaries", "must be ordered household edges of the ward")
    else:
        field = FieldError("memberOffset", error.problem)
    return InvalidInputError(errors=[field])


def group_lines(groups: Sequence[GroupView]) -> list[GroupLine]:
    return [
        GroupLine(
            label=group.label,
            household_ids=group.household_keys,
            members=group.members,
            member_count=group.member_count,
            share=group.share,
        )
        for group in groups
    ]


def group_summaries(groups: Sequence[GroupView]) -> list[GroupSummary]:
    return [
        GroupSummary(
            label=group.label,
            household_count=len(group.household_keys),
            member_count=group.member_count,
            share=group.share,
        )
        for group in groups
    ]


def moved_lines(moves: Sequence[HouseholdMove]) -> list[MovedHousehold]:
    return [
        MovedHousehold(
            household_id=move.household_key,
            members=move.members,
            from_group=move.from_group,
            to_group=move.to_group,
        )
        for move in moves
    ]


def assignment_lines(
    households: Sequence[Household], assignment: Mapping[str, GroupLabel]
) -> list[AssignmentLine]:
    """Every roster member's group in ward order, with their household's id."""
    return [
        AssignmentLine(user_hash=member, assigned_group=assignment[member], household_id=h.key)
        for h in households
        for member in h.members
    ]


def household_lines(
    households: Sequence[Household], assignment: Mapping[str, GroupLabel]
) -> list[HouseholdLine]:
    return [
        HouseholdLine(
            household_id=h.key, assigned_group=assignment[h.members[0]], members=h.members
        )
        for h in households
    ]


def stored_lines(stored: Sequence[StoredAssignment]) -> list[AssignmentLine]:
    return [
        AssignmentLine(
            user_hash=row.user_hash,
            assigned_group=row.assigned_group,
            household_id=row.household_id,
        )
        for row in sorted(stored, key=lambda row: row.user_hash)
    ]
