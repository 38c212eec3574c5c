"""Boundary moves: valid edges, snapping, and the preview of a move.

Boundaries are household-edge indices b0, b1, b2 (edge e sits after the first e households, at
member offset = members in those households). With n >= 4 households they must satisfy
0 < b0 < b1 < b2 < n (no group empty); with fewer, 0 <= b0 <= b1 <= b2 <= n.

Moving boundary i: the valid edges lie strictly between its neighbours (edge 0 and edge n stand
in for the missing ones) when n >= 4, and between them inclusive when n < 4 (groups may be empty
then). A proposed position, a member offset or a fraction of the ward's members, snaps to the
valid edge whose member offset is nearest; on a tie the earlier edge wins. Only boundary i
moves, so only the two groups beside it change, by whole households: `moved` lists them.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, pairwise

from engine.wards.assignment import member_counts, views_from_boundaries
from engine.wards.cuts import GROUP_COUNT
from engine.wards.errors import InvalidBoundariesError, InvalidBoundaryMoveError
from engine.wards.models import GROUP_LABELS, Boundaries, BoundaryPreview, Household, HouseholdMove


def check_boundaries(boundaries: Boundaries, household_count: int) -> None:
    """Raise InvalidBoundariesError unless `boundaries` are valid for the ward's size."""
    edges = (0, *boundaries, household_count)
    strict = household_count >= GROUP_COUNT
    ordered = all((left < right) if strict else (left <= right) for left, right in pairwise(edges))
    if len(boundaries) != GROUP_COUNT - 1 or not ordered:
        raise InvalidBoundariesError(tuple(boundaries), household_count)


def valid_edges(boundaries: Boundaries, *, boundary: int, household_count: int) -> range:
    """The household edges boundary `boundary` may move to (never empty for valid boundaries)."""
    low = boundaries[boundary - 1] if boundary > 0 else 0
    high = boundaries[boundary + 1] if boundary < GROUP_COUNT - 2 else household_count
    if household_count >= GROUP_COUNT:
        return range(low + 1, high)
    return range(low, high + 1)


def snap_to_edge(prefix: Sequence[int], edges: range, member_offset: float) -> int:
    """The edge in `edges` whose offset `prefix[edge]` is nearest `member_offset`; earlier on ties.

    `prefix` holds the member offset of every edge and must be strictly increasing.
    """
    after = bisect_left(prefix, member_offset, edges.start, edges.stop)
    if after == edges.stop:
        return after - 1
    if after == edges.start:
        return after
    before = after - 1
    closer_before = member_offset - prefix[before] <= prefix[after] - member_offset
    return before if closer_before else after


def preview_boundary_move(
    households: Sequence[Household],
    boundaries: Boundaries,
    *,
    boundary: int,
    member_offset: float | None = None,
    fraction: float | None = None,
) -> BoundaryPreview:
    """Snap a proposed move of boundary `boundary` (0-2) and return the groups it would make.

    Give the position as exactly one of `member_offset` (members before the boundary) or
    `fraction` (of the ward's members, as the phone's rectangle does). Nothing is saved.
    """
    check_boundaries(boundaries, len(households))
    if boundary not in range(GROUP_COUNT - 1):
        raise InvalidBoundaryMoveError("boundary must be 0, 1 or 2")
    prefix = list(accumulate(member_counts(households), initial=0))
    offset = _proposed_offset(prefix[-1], member_offset, fraction)
    edges = valid_edges(boundaries, boundary=boundary, household_count=len(households))
    moved = list(boundaries)
    moved[boundary] = snap_to_edge(prefix, edges, offset)
    snapped: Boundaries = (moved[0], moved[1], moved[2])
    return BoundaryPreview(
        boundaries=snapped,
        member_offsets=(prefix[snapped[0]], prefix[snapped[1]], prefix[snapped[2]]),
        groups=views_from_boundaries(households, snapped),
        moved=_moved(households, boundary, boundaries[boundary], snapped[boundary]),
    )


def _moved(
    households: Sequence[Household], boundary: int, before: int, after: int
) -> list[HouseholdMove]:
    """The households between the old and the new edge: they cross to the other side."""
    earlier, later = GROUP_LABELS[boundary], GROUP_LABELS[boundary + 1]
    from_group, to_group = (later, earlier) if after > before else (earlier, later)
    return [
        HouseholdMove(
            household_key=household.key,
            members=household.members,
            from_group=from_group,
            to_group=to_group,
        )
        for household in households[min(before, after) : max(before, after)]
    ]


def _proposed_offset(total: int, member_offset: float | None, fraction: float | None) -> float:
    if (member_offset is None) == (fraction is None):
        raise InvalidBoundaryMoveError("give exactly one of member_offset and fraction")
    value = member_offset if member_offset is not None else fraction
    if value is None or not math.isfinite(value):
        raise InvalidBoundaryMoveError("the position must be a finite number")
    return value if fraction is None else value * total
