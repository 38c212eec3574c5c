"""Small sets of people grouped exactly under the requests: dynamic programming over subsets.

As the engine's own exact search (search/exact.py), with two more rules: a together
component is all in one group or all left out, and no apart pair shares a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from engine.grouping.continuity.board import Board

# Up to 3^12 subset steps; a few tenths of a second at worst, for small pools only.
EXACT_LIMIT = 12
Best = tuple[int, float, tuple[int, ...]]


class _Subsets:
    """The people as bits; each person's unit (together component) as a mask."""

    def __init__(self, board: Board, people: list[str]) -> None:
        self.board, self.people = board, people
        position = {person: i for i, person in enumerate(people)}
        self.unit = [0] * len(people)
        for i, person in enumerate(people):
            for partner in board.unit(person):
                if partner in position:
                    self.unit[i] |= 1 << position[partner]

    def members(self, mask: int) -> list[str]:
        return [self.people[i] for i in range(len(self.people)) if mask >> i & 1]

    def whole_units(self, mask: int) -> bool:
        rest = mask
        while rest:
            low = rest & -rest
            unit = self.unit[low.bit_length() - 1]
            if unit & mask != unit:
                return False
            rest ^= low
        return True

    def group_value(self, group: int) -> float | None:
        """n*score of `group` when it may be a group, else None."""
        if group.bit_count() not in self.board.rules.sizes or not self.whole_units(group):
            return None
        members = self.members(group)
        return self.board.value(members) if self.board.compatible(members) else None


def solve_units(board: Board, people: Sequence[str]) -> tuple[list[list[str]], list[str]]:
    """The best groups of `people` (most placed, then the highest total), and the rest."""
    ordered = sorted(people)
    if len(ordered) > EXACT_LIMIT:
        raise ValueError(f"exact search is limited to {EXACT_LIMIT} people")
    bits = _Subsets(board, ordered)

    @cache
    def best(mask: int) -> Best:
        if mask == 0:
            return (0, 0.0, ())
        lowest = bits.unit[(mask & -mask).bit_length() - 1]
        rest = mask ^ lowest
        answer = best(rest)
        subset = rest
        while True:
            group = subset | lowest
            value = bits.group_value(group)
            if value is not None:
                placed, total, groups = best(mask ^ group)
                trial = (placed + group.bit_count(), total + value)
                if trial > (answer[0], answer[1] + 1e-12):
                    answer = (*trial, (*groups, group))
            if subset == 0:
                break
            subset = (subset - 1) & rest
        return answer

    _, _, groups = best((1 << len(ordered)) - 1)
    placed = 0
    for mask in groups:
        placed |= mask
    left = [person for i, person in enumerate(ordered) if not placed >> i & 1]
    return [bits.members(mask) for mask in sorted(groups)], left
