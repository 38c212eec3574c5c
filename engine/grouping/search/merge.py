"""Solution merging: the best cover of a window of groups by groups seen before.

The annealing walk forms thousands of valid groups on its way, and the best grouping
it keeps uses only a few of them; an optimum that is a chain of changes across four or
five groups is often made of groups the walk did form, at different times. So every
valid group seen is kept (`ColumnPool`, by its members' bit mask), and a window of
groups neighbouring in age, with the nearest left-out members, is regrouped over them:
the best set of seen groups, disjoint, that places every member the window places now
(and any left-out it can), found by branch and bound over the members still to place.
The window's own groups are among the columns, so a window never loses; it changes
only when the cover is better by the spec's order (more placed, then a higher total).

Each window's search counts its nodes and settles for the best cover found once past
MERGE_NODES, so the work is bounded and the same for a seed, whatever the machine.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts

# A window holds at most this many members (its groups' and the nearby left-out's).
MERGE_MEMBERS = 20
# The nodes one window's branch and bound may visit before it settles for its best so far.
MERGE_NODES = 1_000
# The price of leaving a member out, against at most 1 a member placed in a group.
PLACED_BONUS = 10.0
# Left-out members offered to a window: the nearest in age, at most this many.
MERGE_OUTSIDERS = 4


def mask_of(group: Iterable[MemberFacts]) -> int:
    return sum(1 << m.index for m in group)


class ColumnPool:
    """Valid groups seen by the search, by bit mask of member indices: n * score."""

    def __init__(self, rules: PoolRules, seen: dict[int, float] | None = None) -> None:
        self.rules = rules
        self.values: dict[int, float] = dict(seen or {})

    def add(self, groups: Iterable[list[MemberFacts]]) -> None:
        for group in groups:
            key = mask_of(group)
            if key not in self.values:
                self.values[key] = self.rules.scorer.value(group)

    def by_member(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Each member index: the masks of the columns holding it; and each column's
        member indices."""
        index: dict[int, list[int]] = {}
        bits: dict[int, list[int]] = {}
        for key in self.values:
            held = bits[key] = _bits(key)
            for i in held:
                index.setdefault(i, []).append(key)
        return index, bits


def merge_windows(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    columns: ColumnPool,
) -> tuple[list[MemberFacts], bool]:
    """Regroup windows of neighbouring groups by their best cover with seen columns.

    Windows are runs of consecutive groups in order of mean age, as long as they hold
    at most MERGE_MEMBERS members, from every group in turn. Returns (left out,
    improved); `groups` changes in place.
    """
    columns.add(groups)
    by_member, bits = columns.by_member()
    members = {m.index: m for g in groups for m in g} | {m.index: m for m in left_out}
    improved = False
    position = 0
    while position < len(groups):
        groups.sort(key=_mean_age)
        window = _window(groups, position)
        spare = _nearest(window, left_out)
        found = _best_cover(window, spare, columns.values, by_member, bits)
        if found is None:
            position += 1
            continue
        chosen, covered = found
        new_groups = [[members[i] for i in _bits(key)] for key in chosen]
        groups[:] = [g for g in groups if not any(g is w for w in window)] + new_groups
        left_out = [m for m in left_out if not covered >> m.index & 1]
        improved = True
    return left_out, improved


def _mean_age(group: list[MemberFacts]) -> tuple[float, int]:
    ages = [m.age for m in group if m.age is not None]
    return (sum(ages) / len(ages) if ages else -1.0, min(m.index for m in group))


def _window(groups: list[list[MemberFacts]], start: int) -> list[list[MemberFacts]]:
    window = [groups[start]]
    size = len(groups[start])
    for group in groups[start + 1 :]:
        if size + len(group) > MERGE_MEMBERS:
            break
        window.append(group)
        size += len(group)
    return window


def _nearest(window: list[list[MemberFacts]], left_out: list[MemberFacts]) -> list[MemberFacts]:
    ages = [m.age for g in window for m in g if m.age is not None]
    centre = sum(ages) / len(ages) if ages else 0.0
    room = MERGE_MEMBERS - sum(len(g) for g in window)
    ranked = sorted(
        left_out, key=lambda m: (abs((m.age if m.age is not None else centre) - centre), m.index)
    )
    return ranked[: max(0, min(room, MERGE_OUTSIDERS))]


def _bits(key: int) -> list[int]:
    found = []
    while key:
        low = key & -key
        found.append(low.bit_length() - 1)
        key ^= low
    return found


def _best_cover(
    window: list[list[MemberFacts]],
    spare: list[MemberFacts],
    values: dict[int, float],
    by_member: dict[int, list[int]],
    bits: dict[int, list[int]],
) -> tuple[tuple[int, ...], int] | None:
    """The best disjoint columns covering every member of `window` (and any of `spare`),
    with the mask they cover, when better than the window's own groups.

    Branch and bound on reduced values: each member of the window is priced at its
    group's value per member, so a cover of the window beats it by the sum of its
    columns' values less their members' prices; a left-out member is priced at minus
    PLACED_BONUS (placing one more always wins). The bound adds, for each member still
    to cover, the best reduced value per member of any column holding it.
    """
    required = mask_of(m for g in window for m in g)
    reduced = _reduced_values(window, spare, values, by_member, bits)
    if len(reduced) <= len(window):
        return None  # only the window's own groups: nothing to choose
    held_of = {key: [i for i in bits[key] if required >> i & 1] for key in reduced}
    best_share = dict.fromkeys(_bits(required), float("-inf"))
    for key, gain in reduced.items():
        share = gain / len(held_of[key])
        for i in held_of[key]:
            best_share[i] = max(best_share[i], share)
    bound_of = {key: sum([best_share[i] for i in held_of[key]]) for key in reduced}
    candidates: dict[int, list[tuple[int, float]]] = {i: [] for i in best_share}
    for key, gain in sorted(reduced.items(), key=lambda item: (-item[1], item[0])):
        for i in held_of[key]:
            candidates[i].append((key, gain))
    order = sorted(candidates, key=lambda i: (len(candidates[i]), i))
    search = _Search(order, candidates, bound_of)
    search.run(0, 0.0, sum(best_share.values()), 0, ())
    if search.best is None:
        return None
    covered = 0
    for key in search.best:
        covered |= key
    return search.best, covered


def _reduced_values(
    window: list[list[MemberFacts]],
    spare: list[MemberFacts],
    values: dict[int, float],
    by_member: dict[int, list[int]],
    bits: dict[int, list[int]],
) -> dict[int, float]:
    """Each column inside the window and its spare: its value less its members' prices."""
    price: dict[int, float] = {}
    for group in window:
        share = values[mask_of(group)] / len(group)
        for m in group:
            price[m.index] = share
    for m in spare:
        price[m.index] = -PLACED_BONUS
    outside = ~(mask_of(m for g in window for m in g) | mask_of(spare))
    reduced: dict[int, float] = {}
    for group in window:
        for m in group:
            for key in by_member.get(m.index, ()):
                if not key & outside and key not in reduced:
                    reduced[key] = values[key] - sum([price[i] for i in bits[key]])
    return reduced


class _Search:
    """Depth-first branch and bound over the members in `order`, at most MERGE_NODES nodes."""

    def __init__(
        self,
        order: list[int],
        candidates: dict[int, list[tuple[int, float]]],
        bound_of: dict[int, float],
    ) -> None:
        self.order = order
        self.candidates = candidates
        self.bound_of = bound_of
        self.best_gain = IMPROVEMENT_EPSILON
        self.best: tuple[int, ...] | None = None
        self.nodes = 0

    def run(
        self, covered: int, gain: float, rest: float, position: int, chosen: tuple[int, ...]
    ) -> None:
        order = self.order
        while position < len(order) and covered >> order[position] & 1:
            position += 1
        if position == len(order):
            if gain > self.best_gain:
                self.best_gain, self.best = gain, chosen
            return
        self.nodes += 1
        if self.nodes > MERGE_NODES or gain + rest <= self.best_gain:
            return
        for key, value in self.candidates[order[position]]:
            if key & covered:
                continue
            self.run(
                covered | key, gain + value, rest - self.bound_of[key], position + 1, (*chosen, key)
            )
