"""Regrouping: steps that change the number of groups and move several members at once.

The local search moves one member or swaps two between a pair of groups, each step
improving on its own, so it never changes how many groups there are and never finds
changes that only pay together (the score has steps: the age penalty stops growing at
a 10-year spread, the majority-allergic penalty and the most common diet switch at a
threshold). The steps here do:

- **Ruin and recreate a window** (`recreate_windows`). A few groups that are
  neighbours in age, with the nearest members left out, are cut again by the dynamic
  programme of construction over several orderings of just those members, the number
  of groups free, and each cut into another number of groups has its pairs split
  again (below) before it is judged: a window of three groups can become two or four
  (gathering age outliers into a smaller group, merging short groups), and left-out
  members can find a place. Windows also run over the wide groups alone, those whose
  age spread is at the penalty's cap, which is where the outliers sit.
- **Resplit the whole sequence** (`resplit`). The groups laid end to end in order of
  mean age are cut again by the same programme: the grouping is one of the cuts, so
  this never loses, and it finds chains, every boundary between neighbours moving at
  once.
- **Best split of a pair** (`best_split`, `polish_pairs`). Two groups are split again
  in the best way among every split of their members into two groups of allowed
  sizes: any number of members change sides at once.
- **Dissolve a group** (`dissolve_groups`) into the others, one group fewer.

Every step keeps every group valid: the cut, the splits and the moves only form groups
that keep the sizes and the severe-allergen limit, and each change is kept only when
the grouping is better by the spec's order (more placed, then a higher total).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import combinations

from engine.grouping.search.construct import cut_ordering, pool_orderings
from engine.grouping.search.exact import solve_exactly
from engine.grouping.search.limits import StopRule
from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# Left-out members that join a window: the nearest in age, at most this many.
WINDOW_OUTSIDERS = 6
# The age spread at which the age penalty stops growing (spec: min(1, spread / 10)).
AGE_CAP_SPREAD = 10
# A pair is split exhaustively only when its members are at most this many.
SPLIT_LIMIT = 12


def _age_key(group: list[MemberFacts]) -> tuple[float, int]:
    ages = [m.age for m in group if m.age is not None]
    return (sum(ages) / len(ages) if ages else -1.0, min(m.index for m in group))


def _objective(groups: list[list[MemberFacts]], rules: PoolRules) -> tuple[int, float]:
    """(members placed, total of n*score): compared as a pair, never summed into one
    float, whose rounding at the size of a placement bonus would hide small gains."""
    value = rules.scorer.value
    return sum(len(g) for g in groups), sum(value(g) for g in groups)


def _better(found: tuple[int, float], than: tuple[int, float]) -> bool:
    return found[0] > than[0] or (found[0] == than[0] and found[1] > than[1] + IMPROVEMENT_EPSILON)


def recreate_windows(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    rules: PoolRules,
    *,
    widths: tuple[int, ...],
    rng: random.Random,
    stop: StopRule,
    split_cuts: bool = True,
) -> tuple[list[MemberFacts], bool, bool]:
    """One sweep of ruin and recreate over windows of groups neighbouring in age.

    With `split_cuts`, the best cut into another number of groups has its pairs split
    again before it is judged (the costly part of a sweep).

    Windows run over all groups in order of mean age, then over the wide groups alone
    (those whose age spread is at the penalty's cap): members a wide group holds only
    because they fit nowhere better can gather into a group of their own. Returns
    (left out, improved, stopped); `groups` changes in place.
    """
    improved = False
    for wide_only in (False, True):
        for width in widths:
            start = 0
            while True:
                groups.sort(key=_age_key)
                chosen = [i for i, g in enumerate(groups) if not wide_only or _is_wide(g)]
                if start >= len(chosen) or (wide_only and len(chosen) < 2):
                    break
                if stop():
                    return left_out, improved, True
                positions = chosen[start : start + width]
                window = [groups[i] for i in positions]
                outsiders = _nearest_outsiders(window, left_out)
                found = _recreate(window, outsiders, rules, rng, split_cuts)
                if found is None:
                    start += max(1, width - 1)
                    continue
                new_groups, still_out = found
                taken = {id(m) for m in outsiders}
                left_out = [m for m in left_out if id(m) not in taken] + still_out
                kept = [g for i, g in enumerate(groups) if i not in set(positions)]
                groups[:] = kept + new_groups
                improved = True
                start += max(1, len(new_groups) - 1)
    return left_out, improved, False


def _is_wide(group: list[MemberFacts]) -> bool:
    ages = [m.age for m in group if m.age is not None]
    return len(ages) >= 2 and max(ages) - min(ages) >= AGE_CAP_SPREAD


def _nearest_outsiders(
    window: list[list[MemberFacts]], left_out: list[MemberFacts]
) -> list[MemberFacts]:
    if len(left_out) <= WINDOW_OUTSIDERS:
        return list(left_out)
    ages = [m.age for g in window for m in g if m.age is not None]
    centre = sum(ages) / len(ages) if ages else 0.0
    ranked = sorted(
        left_out, key=lambda m: (abs((m.age if m.age is not None else centre) - centre), m.index)
    )
    return ranked[:WINDOW_OUTSIDERS]


def _recreate(
    window: list[list[MemberFacts]],
    outsiders: list[MemberFacts],
    rules: PoolRules,
    rng: random.Random,
    split_cuts: bool,
) -> tuple[list[list[MemberFacts]], list[MemberFacts]] | None:
    """The best cut of the window's members and outsiders, when it beats the window."""
    members = [m for g in window for m in g] + outsiders
    best_value = _objective(window, rules)
    orders = pool_orderings(members)
    jitter = {m.index: rng.random() * 4 for m in members}
    orders.append(
        sorted(
            members,
            key=lambda m: ((m.age if m.age is not None else 0) + jitter[m.index], m.index),
        )
    )
    best = None
    # The best cut into another number of groups has its pairs split again before it is
    # judged: the orderings put alike members together, not the best mixes.
    regrouped: tuple[tuple[int, float], list[list[MemberFacts]], list[MemberFacts]] | None
    regrouped = None
    for order in orders:
        _, cut, left = cut_ordering(order, rules)
        value = _objective(cut, rules)
        if _better(value, best_value):
            best_value, best = value, (cut, left)
        if len(cut) != len(window) and (regrouped is None or _better(value, regrouped[0])):
            regrouped = (value, cut, left)
    if regrouped is not None and split_cuts:
        _, cut, left = regrouped
        polish_pairs(cut, rules)  # in place: never worse, so still the best if it was
        if (best is not None and best[0] is cut) or _better(_objective(cut, rules), best_value):
            best = (cut, left)
    return best


def polish_pairs(groups: list[list[MemberFacts]], rules: PoolRules) -> bool:
    """Best splits of every pair of `groups` until none improves; True when one did."""
    any_change = False
    changed = True
    while changed:
        changed = False
        for first in range(len(groups)):
            for second in range(first + 1, len(groups)):
                split = best_split(groups[first], groups[second], rules)
                if split is not None:
                    groups[first], groups[second] = split
                    changed = any_change = True
    return any_change


def best_split(
    one: list[MemberFacts], two: list[MemberFacts], rules: PoolRules
) -> tuple[list[MemberFacts], list[MemberFacts]] | None:
    """The best two groups the members of `one` and `two` can form, when better than now.

    Every split into two groups of allowed sizes is tried once per distinct make-up of
    kinds, so pairs of at most SPLIT_LIMIT members cost a few hundred evaluations.
    """
    members = one + two
    count = len(members)
    if count > SPLIT_LIMIT:
        return None
    value = rules.scorer.value
    limit = rules.severe_limit
    sizes = rules.sizes
    best_value = value(one) + value(two) + IMPROVEMENT_EPSILON
    best: tuple[list[MemberFacts], list[MemberFacts]] | None = None
    first, rest = members[0], members[1:]
    seen: set[tuple[int, ...]] = set()
    for size in sizes:
        if count - size not in sizes:
            continue
        for chosen in combinations(range(count - 1), size - 1):
            side = [first, *(rest[i] for i in chosen)]
            key = tuple(sorted(m.kind for m in side))
            if key in seen:
                continue
            seen.add(key)
            taken = set(chosen)
            other = [m for i, m in enumerate(rest) if i not in taken]
            total = value(side) + value(other)
            if total > best_value and severe_ok(side, limit) and severe_ok(other, limit):
                best_value, best = total, (side, other)
    return best


def dissolve_groups(groups: list[list[MemberFacts]], rules: PoolRules) -> bool:
    """Dissolve a group into the others wherever that raises the total (one group fewer).

    Each member of the dissolved group goes, in turn, to the group with room where it
    adds the most (keeping the severe-allergen limit); the change is kept only when the
    total is higher. Returns True when a group was dissolved.
    """
    value = rules.scorer.value
    largest, limit = rules.sizes.stop - 1, rules.severe_limit
    dissolved = False
    position = 0
    while position < len(groups):
        moved = _dissolve(groups, position, value, largest, limit)
        if moved is None:
            position += 1
            continue
        groups[:] = moved
        dissolved = True
    return dissolved


def _dissolve(
    groups: list[list[MemberFacts]],
    position: int,
    value: Callable[[list[MemberFacts]], float],
    largest: int,
    limit: int,
) -> list[list[MemberFacts]] | None:
    others = [list(g) for i, g in enumerate(groups) if i != position]
    if sum(largest - len(g) for g in others) < len(groups[position]):
        return None
    before = sum(value(g) for g in groups)
    for member in groups[position]:
        best_gain, best_index = float("-inf"), -1
        for index, group in enumerate(others):
            if len(group) >= largest:
                continue
            grown = [*group, member]
            if member.severe and not severe_ok(grown, limit):
                continue
            gain = value(grown) - value(group)
            if gain > best_gain:
                best_gain, best_index = gain, index
        if best_index < 0:
            return None
        others[best_index].append(member)
    if sum(value(g) for g in others) > before + IMPROVEMENT_EPSILON:
        return others
    return None


def resplit(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> tuple[list[list[MemberFacts]], list[MemberFacts]] | None:
    """The best cut of the grouping's own sequence, when it beats the grouping.

    The groups, in order of mean age and each in a few inner orders, are laid end to
    end (the left-out among them by age), and the dynamic programme of construction
    cuts that sequence again, the number of groups free. The grouping itself is one of
    the cuts, so the result is never worse; what it finds are chains: every boundary
    between neighbouring groups moving at once, a group split or two merged anywhere
    along the line. Returns the new (groups, left out), or None when nothing is better.
    """
    ordered = sorted(groups, key=_age_key)
    best_value, best = _objective(ordered, rules), None
    for inner in _INNER_ORDERS:
        sequence = _sequence(ordered, left_out, inner)
        _, cut, left = cut_ordering(sequence, rules)
        value = _objective(cut, rules)
        if _better(value, best_value):
            best_value, best = value, (cut, left)
    return best


def _by_age(member: MemberFacts) -> tuple[int, int, int]:
    return (-1 if member.age is None else member.age, member.diet, member.index)


def _by_diet(member: MemberFacts) -> tuple[int, int, int]:
    return (member.diet, -1 if member.age is None else member.age, member.index)


def _by_allergy(member: MemberFacts) -> tuple[int, int, int]:
    return (len(member.allergens), -1 if member.age is None else member.age, member.index)


_INNER_ORDERS = (_by_age, _by_diet, _by_allergy)


def _sequence(
    ordered: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    inner: Callable[[MemberFacts], tuple[int, int, int]],
) -> list[MemberFacts]:
    """The groups end to end, each in `inner` order; each left-out before the first group
    whose mean age is above theirs."""
    waiting = sorted(left_out, key=_by_age)
    sequence: list[MemberFacts] = []
    for group in ordered:
        mean = _age_key(group)[0]
        while waiting and (-1 if waiting[0].age is None else waiting[0].age) < mean:
            sequence.append(waiting.pop(0))
        sequence += sorted(group, key=inner)
    return sequence + waiting


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
    groups.sort(key=_age_key)
    position = 0
    near = _nearest_groups(groups)
    while position < len(groups):
        found = None
        for window in _windows_at(position, len(groups), rng, near[position]):
            members = [m for i in window for m in groups[i]]
            room = EXACT_WINDOW - len(members)
            if room < 0:
                continue
            spare = _nearest_outsiders([groups[i] for i in window], left_out)[:room]
            regrouped, left = solve_exactly(members + spare, rules)
            if _better(
                _objective(regrouped, rules), _objective([groups[i] for i in window], rules)
            ):
                found = (window, regrouped, spare, left)
                break
        if found is None:
            position += 1
            continue
        window, regrouped, spare, left = found
        taken = {id(m) for m in spare}
        left_out = [m for m in left_out if id(m) not in taken] + left
        groups[:] = [g for i, g in enumerate(groups) if i not in window] + regrouped
        groups.sort(key=_age_key)
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
