"""Resplit the whole sequence: the groups end to end by mean age, cut again at once.

Windows (search/windows.py) change a few neighbouring groups; some gains are chains
that run further, every boundary between neighbours moving at once (one member passed
along the line from a group that is too old to one that is too young, say). Here the
groups laid end to end in order of mean age, each in a few inner orders, and the
left-out among them by age, are cut again by the dynamic programme of construction,
the number of groups free, so a group can split or two merge anywhere along the line.

The grouping itself is one of the cuts, so this never loses; a cut is kept only when it
is better by the spec's order (more placed, then a higher total), and the programme only
forms groups that keep the sizes and the severe-allergen limit.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.grouping.search.construct import cut_ordering
from engine.grouping.search.objective import age_key, better, objective
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts


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
    ordered = sorted(groups, key=age_key)
    best_value, best = objective(ordered, rules), None
    for inner in _INNER_ORDERS:
        sequence = _sequence(ordered, left_out, inner)
        _, cut, left = cut_ordering(sequence, rules)
        value = objective(cut, rules)
        if better(value, best_value):
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
        mean = age_key(group)[0]
        while waiting and (-1 if waiting[0].age is None else waiting[0].age) < mean:
            sequence.append(waiting.pop(0))
        sequence += sorted(group, key=inner)
    return sequence + waiting
