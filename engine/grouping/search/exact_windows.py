"""Exact windows: a few small groups regrouped by the exact search, the count free.

Windows cut by construction's programme (search/windows.py) only ever cut consecutive
members of an ordering, so a mix that no ordering puts side by side is out of their
reach. Where the members of a window are few (at most EXACT_WINDOW), the exact search
of small pools (search/exact.py) finds their best regrouping outright in a few
milliseconds: where groups are small (sizes 2-4, say) three of them can become two, or
four, or three mixed otherwise, with some left-out placed. A window is a group with the
next one or two in mean age, with the groups holding the members next to its own in
age, or with one drawn at random.

The exact search only forms valid groups, and a window's regrouping is kept only when
it is better by the spec's order (more placed, then a higher total).
"""

from __future__ import annotations

import random

from engine.grouping.search.exact import solve_exactly
from engine.grouping.search.objective import age_key, better, objective
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts
from engine.grouping.search.windows import nearest_outsiders

# Windows re-optimised exactly hold at most this many members (a few milliseconds each).
EXACT_WINDOW = 9


def exact_windows(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    rules: PoolRules,
    rng: random.Random,
) -> tuple[list[MemberFacts], bool]:
    """Regroup windows of up to EXACT_WINDOW members exactly, the number of groups free.

    A window is a group with the next one or two in mean age, or with one drawn at
    random, and the nearest left-out members while they fit; where groups are small
    (sizes 2-4, say) a window holds three of them, and their best regrouping (into two
    groups, or four, or three mixed otherwise, some left-out placed) is found by the
    exact search of small pools. Returns (left out, improved); `groups` changes in place.
    """
    improved = False
    groups.sort(key=age_key)
    position = 0
    near = _nearest_groups(groups)
    while position < len(groups):
        found = None
        for window in _windows_at(position, len(groups), rng, near[position]):
            members = [m for i in window for m in groups[i]]
            room = EXACT_WINDOW - len(members)
            if room < 0:
                continue
            spare = nearest_outsiders([groups[i] for i in window], left_out)[:room]
            regrouped, left = solve_exactly(members + spare, rules)
            if better(objective(regrouped, rules), objective([groups[i] for i in window], rules)):
                found = (window, regrouped, spare, left)
                break
        if found is None:
            position += 1
            continue
        window, regrouped, spare, left = found
        taken = {id(m) for m in spare}
        left_out = [m for m in left_out if id(m) not in taken] + left
        groups[:] = [g for i, g in enumerate(groups) if i not in window] + regrouped
        groups.sort(key=age_key)
        near = _nearest_groups(groups)
        improved = True
    return left_out, improved


def _windows_at(position: int, count: int, rng: random.Random, near: list[int]) -> list[list[int]]:
    """The group at `position` with the next one, the next two, the groups holding the
    members nearest in age to its own, and one at random."""
    windows = [[position, position + 1], [position, position + 1, position + 2]]
    windows += [[position, other] for other in near[:2]]
    if len(near) >= 2:
        windows.append([position, *near[:2]])
    other = int(rng.random() * count)
    if other != position:
        windows.append([position, other])
    unique = []
    for window in windows:
        if max(window) < count and len(set(window)) == len(window):
            key = sorted(window)
            if key not in unique:
                unique.append(key)
    return unique


def _nearest_groups(groups: list[list[MemberFacts]]) -> list[list[int]]:
    """For each group, the other groups holding the members next to its own in age order."""
    ranked = sorted(
        ((-1 if m.age is None else m.age, number) for number, g in enumerate(groups) for m in g)
    )
    found: list[list[int]] = [[] for _ in groups]
    for position, (_, number) in enumerate(ranked):
        for other in (position - 1, position + 1):
            if 0 <= other < len(ranked):
                neighbour = ranked[other][1]
                if neighbour != number and neighbour not in found[number]:
                    found[number].append(neighbour)
    return found
