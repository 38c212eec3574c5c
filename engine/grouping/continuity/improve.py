"""Improvement after the forced changes: moves and swaps within a budget of moved people.

Only exchanges with a group the forced changes touched are tried (the rest of the
grouping was the earlier run's optimum, or the engine's); each must raise the objective,
the groups' total value less `stability_weight` for every person it moves away from
their earlier group. The budget caps how many people the improvement may move in all.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from engine.grouping.continuity.board import Board

EPSILON = 1e-9
DEFAULT_MOVE_BUDGET = 12
PASSES = 3


def improve(board: Board, focus: set[int], *, budget: int, rng: random.Random) -> int:
    """Apply improving moves and swaps touching `focus`; the number of people moved."""
    used = 0
    for _ in range(PASSES):
        improved = False
        order = sorted(focus)
        rng.shuffle(order)
        for home in order:
            for unit in board.units(board.seats[home].members):
                if unit[0] not in board.seats[home].members:
                    continue
                step = _best_step(board, home, unit, budget - used)
                if step is None:
                    continue
                target, other = step
                _apply(board, home, unit, target, other)
                focus.add(target)
                used += len(unit) + len(other)
                improved = True
        if not improved or used >= budget:
            break
    return used


def _best_step(board: Board, home: int, unit: list[str], left: int) -> tuple[int, list[str]] | None:
    seats = board.seats
    source = seats[home]
    if source.closed or any(m in board.pinned for m in unit) or len(unit) > left:
        return None
    sizes = board.rules.sizes
    kept = [m for m in source.members if m not in unit]
    before_source = board.worth(source.members, source.origin)
    best_gain = EPSILON
    best: tuple[int, list[str]] | None = None
    for target, seat in enumerate(seats):
        if target == home or not seat.members or seat.closed:
            continue
        before = before_source + board.worth(seat.members, seat.origin)
        joined = [*seat.members, *unit]
        if (not kept or len(kept) in sizes) and board.valid(joined):
            gain = board.worth(kept, source.origin) + board.worth(joined, seat.origin) - before
            if gain > best_gain:
                best_gain, best = gain, (target, [])
        for other in board.units(seat.members):
            if len(other) != len(unit) or len(unit) + len(other) > left:
                continue
            if any(m in board.pinned for m in other):
                continue
            gain = _swap_gain(board, kept, unit, seat.members, other, home, target) - before
            if gain > best_gain:
                best_gain, best = gain, (target, other)
    return best


def _swap_gain(
    board: Board,
    kept: Sequence[str],
    unit: Sequence[str],
    members: Sequence[str],
    other: Sequence[str],
    home: int,
    target: int,
) -> float:
    first = [*kept, *other]
    second = [*(m for m in members if m not in other), *unit]
    if not (board.compatible(first) and board.compatible(second)):
        return float("-inf")
    seats = board.seats
    return board.worth(first, seats[home].origin) + board.worth(second, seats[target].origin)


def _apply(board: Board, home: int, unit: list[str], target: int, other: list[str]) -> None:
    source, seat = board.seats[home], board.seats[target]
    source.members = [m for m in source.members if m not in unit] + other
    seat.members = [m for m in seat.members if m not in other] + unit
