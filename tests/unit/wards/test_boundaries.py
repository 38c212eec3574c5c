from __future__ import annotations

import pytest

from engine.wards.assignment import default_boundaries
from engine.wards.boundaries import preview_boundary_move
from engine.wards.errors import InvalidBoundariesError, InvalidBoundaryMoveError
from tests.unit.wards.helpers import households_of

# Sizes 2, 3, 1, 4, 2 (12 members): edges sit at member offsets 0, 2, 5, 6, 10, 12, and the
# default cut (largest group 4, earlier groups first) is 2 | 3+1 | 4 | 2, boundaries (1, 3, 4).
WARD = households_of([2, 3, 1, 4, 2])


def test_the_hand_worked_ward_has_the_expected_default() -> None:
    assert default_boundaries(WARD) == (1, 3, 4)


@pytest.mark.parametrize(
    ("offset", "snapped"),
    [(6.0, 3), (5.4, 2), (5.5, 2), (5.6, 3), (0.0, 2), (100.0, 3), (-3.0, 2)],
)
def test_boundary_1_snaps_between_its_neighbours_earlier_on_ties(
    offset: float, snapped: int
) -> None:
    preview = preview_boundary_move(WARD, (1, 3, 4), boundary=1, member_offset=offset)
    assert preview.boundaries == (1, snapped, 4)


def test_a_fraction_moves_whole_households_between_the_two_groups() -> None:
    preview = preview_boundary_move(WARD, (1, 3, 4), boundary=0, fraction=0.9)
    # 0.9 * 12 = 10.8, but boundary 0 must stay strictly before boundary 1 (edge 3): edge 2.
    assert preview.boundaries == (2, 3, 4)
    assert preview.member_offsets == (5, 6, 10)
    assert [(g.label, g.household_keys, g.members, g.share) for g in preview.groups] == [
        ("A", ["h0", "h1"], ["h0m0", "h0m1", "h1m0", "h1m1", "h1m2"], 5 / 12),
        ("B", ["h2"], ["h2m0"], 1 / 12),
        ("C", ["h3"], ["h3m0", "h3m1", "h3m2", "h3m3"], 4 / 12),
        ("D", ["h4"], ["h4m0", "h4m1"], 2 / 12),
    ]
    # Edge 1 -> 2: household h1 crosses from B to A, and nothing else moves.
    assert [(m.household_key, m.members, m.from_group, m.to_group) for m in preview.moved] == [
        ("h1", ["h1m0", "h1m1", "h1m2"], "B", "A")
    ]


def test_a_boundary_moved_back_lists_what_crosses_the_other_way() -> None:
    preview = preview_boundary_move(WARD, (1, 3, 4), boundary=1, member_offset=2)
    # Boundary 1 may sit at edges 2 and 3 (offsets 5 and 6); 2 is nearest edge 2.
    assert preview.boundaries == (1, 2, 4)
    assert [(m.household_key, m.from_group, m.to_group) for m in preview.moved] == [
        ("h2", "B", "C")
    ]
    unmoved = preview_boundary_move(WARD, (1, 3, 4), boundary=2, member_offset=10)
    assert (unmoved.boundaries, unmoved.moved) == ((1, 3, 4), [])


def test_with_fewer_than_four_households_a_group_may_empty() -> None:
    preview = preview_boundary_move(households_of([2, 1]), (1, 2, 2), boundary=0, fraction=0)
    assert preview.boundaries == (0, 2, 2)
    assert [g.member_count for g in preview.groups] == [0, 3, 0, 0]


@pytest.mark.parametrize("boundaries", [(0, 3, 4), (1, 1, 4), (1, 3, 5), (3, 2, 4)])
def test_invalid_current_boundaries_are_refused(boundaries: tuple[int, int, int]) -> None:
    with pytest.raises(InvalidBoundariesError):
        preview_boundary_move(WARD, boundaries, boundary=0, fraction=0.5)


@pytest.mark.parametrize(
    ("boundary", "offset", "fraction"),
    [(3, 1.0, None), (0, None, None), (0, 1.0, 0.5), (0, float("nan"), None), (1, None, 1e999)],
)
def test_malformed_moves_are_refused(
    boundary: int, offset: float | None, fraction: float | None
) -> None:
    with pytest.raises(InvalidBoundaryMoveError):
        preview_boundary_move(
            WARD, (1, 3, 4), boundary=boundary, member_offset=offset, fraction=fraction
        )
