"""Ruin and recreate: windows of groups neighbouring in age cut again, the count free.

The local search moves one member or swaps two between a pair of groups, so it never
changes how many groups there are and never finds changes that only pay together (the
score has steps: the age penalty stops growing at a 10-year spread, the
majority-allergic penalty and the most common diet switch at a threshold). Here a few
groups that are neighbours in age, with the nearest members left out, are cut again by
the dynamic programme of construction over several orderings of just those members,
the number of groups free: a window of three groups can become two or four (gathering
age outliers into a smaller group, merging short groups), and left-out members can
find a place. Each cut into another number of groups has its pairs split again
(search/pairs.py) before it is judged, because the orderings put alike members
together, not the best mixes. Windows also run over the wide groups alone, those whose
age spread is at the penalty's cap, which is where the outliers sit.

The cut only forms groups that keep the sizes and the severe-allergen limit, and a
window's change is kept only when the grouping is better by the spec's order (more
placed, then a higher total).
"""

from __future__ import annotations

import random

from engine.grouping.search.construct import cut_ordering, pool_orderings
from engine.grouping.search.limits import StopRule
from engine.grouping.search.objective import age_key, better, objective
from engine.grouping.search.pairs import polish_pairs
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts

# Left-out members that join a window: the nearest in age, at most this many.
WINDOW_OUTSIDERS = 6
# The age spread at which the age penalty stops growing (spec: min(1, spread / 10)).
AGE_CAP_SPREAD = 10


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
                groups.sort(key=age_key)
                chosen = [i for i, g in enumerate(groups) if not wide_only or _is_wide(g)]
                if start >= len(chosen) or (wide_only and len(chosen) < 2):
                    break
                if stop():
                    return left_out, improved, True
                positions = chosen[start : start + width]
                window = [groups[i] for i in positions]
                outsiders = nearest_outsiders(window, left_out)
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


def nearest_outsiders(
    window: list[list[MemberFacts]], left_out: list[MemberFacts]
) -> list[MemberFacts]:
    """The left-out members nearest in age to the window's mean, at most WINDOW_OUTSIDERS."""
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
    best_value = objective(window, rules)
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
        value = objective(cut, rules)
        if better(value, best_value):
            best_value, best = value, (cut, left)
        if len(cut) != len(window) and (regrouped is None or better(value, regrouped[0])):
            regrouped = (value, cut, left)
    if regrouped is not None and split_cuts:
        _, cut, left = regrouped
        polish_pairs(cut, rules)  # in place: never worse, so still the best if it was
        if (best is not None and best[0] is cut) or better(objective(cut, rules), best_value):
            best = (cut, left)
    return best
