from __future__ import annotations

import pytest

from engine.wards.assignment import (
    contiguous_boundaries,
    default_assignment,
    default_boundaries,
    effective_assignment,
    rejoined_groups,
    split_household,
    views_from_assignment,
)
from engine.wards.errors import InvalidGroupError, UnassignedMemberError, UnknownMemberError
from engine.wards.models import GROUP_LABELS, GroupLabel
from tests.unit.wards.helpers import households_of


def sizes_of(sizes: list[int]) -> list[int]:
    groups = default_assignment(households_of(sizes))
    return [list(groups.values()).count(label) for label in GROUP_LABELS]


@pytest.mark.parametrize(
    ("sizes", "boundaries", "group_sizes"),
    [
        # total 31, nothing below the 9-household; 9|5|9|8 is the earliest-heavy optimum
        ([3, 1, 4, 1, 5, 9, 2, 6], (4, 5, 6), [9, 5, 9, 8]),
        ([1, 1, 1, 1, 1], (2, 3, 4), [2, 1, 1, 1]),
        ([2, 1, 1, 2, 2], (1, 3, 4), [2, 2, 2, 2]),
        # largest 3 is reachable with three groups; the fourth must still get a household
        ([1, 2, 1, 2, 1, 2], (2, 4, 5), [3, 3, 1, 2]),
        ([10, 1, 1, 1], (1, 2, 3), [10, 1, 1, 1]),
        # total 17: no cut keeps every group at 4; with 5 allowed, A and B hold one 4 each
        # (4 + 4 > 5) and C takes 4 + 1 before D
        ([4, 4, 4, 1, 4], (1, 2, 4), [4, 4, 5, 4]),
    ],
)
def test_default_cut_worked_by_hand(
    sizes: list[int], boundaries: tuple[int, int, int], group_sizes: list[int]
) -> None:
    assert default_boundaries(households_of(sizes)) == boundaries
    assert sizes_of(sizes) == group_sizes


@pytest.mark.parametrize(
    ("sizes", "group_sizes"),
    [([], [0, 0, 0, 0]), ([3], [3, 0, 0, 0]), ([1, 5], [1, 5, 0, 0]), ([5, 1, 2], [5, 1, 2, 0])],
)
def test_fewer_than_four_households_leave_the_last_groups_empty(
    sizes: list[int], group_sizes: list[int]
) -> None:
    assert sizes_of(sizes) == group_sizes


def test_split_household_names_the_first_split_household() -> None:
    households = households_of([2, 3])
    assignment = {"h0m0": "A", "h0m1": "A", "h1m0": "B", "h1m1": "C", "h1m2": "B"}
    assert split_household(households, assignment) == households[1]
    assignment["h1m1"] = "B"
    assert split_household(households, assignment) is None


@pytest.mark.parametrize(
    ("change", "error", "user_hash"),
    [
        ({"ghost": "A"}, UnknownMemberError, "ghost"),
        ({"h0m1": "E"}, InvalidGroupError, "h0m1"),
    ],
)
def test_split_household_refuses_bad_entries_first(
    change: dict[str, str], error: type[Exception], user_hash: str
) -> None:
    assignment = {"h0m0": "A", "h0m1": "A"} | change
    with pytest.raises(error) as caught:
        split_household(households_of([2]), assignment)
    assert getattr(caught.value, "user_hash", None) == user_hash


def test_split_household_needs_every_member() -> None:
    with pytest.raises(UnassignedMemberError) as caught:
        split_household(households_of([2]), {"h0m0": "A"})
    assert caught.value.user_hash == "h0m1"


def test_effective_assignment_prefers_stored_then_household_then_default() -> None:
    households = households_of([1, 1, 2, 1])  # default: A, B, C, D one household each
    stored: dict[str, GroupLabel] = {"h0m0": "D", "h2m1": "A", "gone": "B"}
    assert effective_assignment(households, stored) == {
        "h0m0": "D",
        "h1m0": "B",
        "h2m0": "A",
        "h2m1": "A",
        "h3m0": "D",
    }


def test_views_from_a_non_contiguous_assignment() -> None:
    households = households_of([1, 3, 1, 1])
    assignment: dict[str, GroupLabel] = {
        "h0m0": "C",
        "h1m0": "A",
        "h1m1": "A",
        "h1m2": "A",
        "h2m0": "C",
        "h3m0": "B",
    }
    views = views_from_assignment(households, assignment)
    assert [(v.label, v.household_keys, v.member_count, v.share) for v in views] == [
        ("A", ["h1"], 3, 0.5),
        ("B", ["h3"], 1, 1 / 6),
        ("C", ["h0", "h2"], 2, 1 / 3),
        ("D", [], 0, 0.0),
    ]
    assert contiguous_boundaries(households, assignment) is None


def test_contiguous_boundaries_recover_a_cut() -> None:
    households = households_of([1, 3, 1, 1, 2])
    groups: list[GroupLabel] = ["A", "A", "B", "D", "D"]
    assignment = {m: g for h, g in zip(households, groups, strict=True) for m in h.members}
    assert contiguous_boundaries(households, assignment) == (2, 3, 3)


def test_a_joined_household_goes_where_most_of_it_is_stored() -> None:
    # h0: 3 members stored A, B, B -> B; h1: A and D tie -> A (its first stored member's);
    # h2: one group already; h3: nothing stored.
    households = households_of([3, 3, 2, 1])
    stored: dict[str, GroupLabel] = {"h0m0": "A", "h0m1": "B", "h0m2": "B"}
    stored |= {"h1m1": "A", "h1m2": "D", "h2m0": "C", "h2m1": "C"}
    assert rejoined_groups(households, stored) == {"h0m0": "B", "h1m2": "A"}
    after = {**stored, **rejoined_groups(households, stored)}
    assert rejoined_groups(households, after) == {}
