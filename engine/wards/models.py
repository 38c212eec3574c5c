"""Data models of the ward engine: roster members, households, groups and previews."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

GroupLabel = Literal["A", "B", "C", "D"]
GROUP_LABELS: tuple[GroupLabel, ...] = ("A", "B", "C", "D")
# Household-edge indices: group A is households [0, b0), B [b0, b1), C [b1, b2), D [b2, n).
Boundaries = tuple[int, int, int]
BalanceBy = Literal["members", "attendance"]


class WardMember(BaseModel):
    """One member of a ward's roster, as the client syncs it."""

    model_config = ConfigDict(frozen=True)

    user_hash: Annotated[str, Field(min_length=1)]
    first_name: str
    last_name: str
    address: str | None = None
    phone: str | None = None
    household_id: str | None = None


class Household(BaseModel):
    """Members who are always in the same group; `members` are user hashes in display order."""

    model_config = ConfigDict(frozen=True)

    key: Annotated[str, Field(min_length=1)]
    members: Annotated[list[str], Field(min_length=1)]


class GroupView(BaseModel):
    """One group's households and members, and its share of the ward's members (0 when empty)."""

    label: GroupLabel
    household_keys: list[str]
    members: list[str]
    member_count: int
    share: float


class HouseholdMove(BaseModel):
    """A household that a boundary move takes from one group to the next."""

    household_key: str
    members: list[str]
    from_group: GroupLabel
    to_group: GroupLabel


class BoundaryPreview(BaseModel):
    """The result of a proposed boundary move: where it snapped and the groups it makes."""

    boundaries: Boundaries
    # The member offset of each boundary: how many members precede it in the order.
    member_offsets: tuple[int, int, int]
    groups: list[GroupView]
    # The households that change group, in ward order (none when the boundary stays).
    moved: list[HouseholdMove]


class BalanceSuggestion(BaseModel):
    """Boundaries that minimise the largest group's load; returned, never saved."""

    by: BalanceBy
    boundaries: Boundaries
    groups: list[GroupView]
    # Per group A-D: members, or expected attendance (sum of participation rates).
    loads: list[float]
