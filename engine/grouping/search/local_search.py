"""Improvement: exchanges and moves between neighbouring groups until none helps.

Groups come out of construction in the order of a sorted pool, so the groups worth
exchanging with are the next few in that order. A pair is looked at again only when
one of its groups changed since (don't-look bits), which keeps later passes cheap.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from engine.grouping.search.limits import SearchLimits, StopRule
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

IMPROVEMENT_EPSILON = 1e-9


def improve(
    groups: list[list[MemberFacts]],
    rules: PoolRules,
    *,
    limits: SearchLimits,
    rng: random.Random,
    stop: StopRule,
    on_pass: Callable[[], None] | None = None,
) -> bool:
    """Improve `groups` in place; returns True when `stop` cut the search short.

    `stop` is asked before each group's neighbours are tried, so the groups are valid
    whenever it fires.
    """
    values = [rules.scorer.value(group) for group in groups]
    changed_in = [0] * len(groups)
    order = list(range(len(groups)))
    for sweep in range(1, limits.passes + 1):
        if sweep > 1:
            rng.shuffle(order)
        improved = False
        for first in order:
            if stop():
                return True
            last = min(len(groups), first + 1 + limits.window)
            for second in range(first + 1, last):
                if max(changed_in[first], changed_in[second]) < sweep - 1:
                    continue
                if _improve_pair(groups, values, first, second, rules):
                    changed_in[first] = changed_in[second] = sweep
                    improved = True
        if on_pass is not None:
            on_pass()
        if not improved:
            break
    return False


def _improve_pair(
    groups: list[list[MemberFacts]], values: list[float], first: int, second: int, rules: PoolRules
) -> bool:
    one, two = groups[first], groups[second]
    if _single_kind(one) and _single_kind(two):
        # Exchanges would only mix two uniform groups; sizes were already chosen well.
        return False
    base = values[first] + values[second]
    best_gain = IMPROVEMENT_EPSILON
    best: tuple[list[MemberFacts], list[MemberFacts], float, float] | None = None
    for new_one, new_two in _neighbours(one, two, rules):
        value_one = rules.scorer.value(new_one)
        value_two = rules.scorer.value(new_two)
        gain = value_one + value_two - base
        if gain > best_gain:
            best_gain, best = gain, (new_one, new_two, value_one, value_two)
    if best is None:
        return False
    groups[first], groups[second], values[first], values[second] = best
    return True


def _single_kind(group: list[MemberFacts]) -> bool:
    kind = group[0].kind
    return all(member.kind == kind for member in group)


def _distinct(group: list[MemberFacts]) -> list[int]:
    seen: set[int] = set()
    positions = []
    for position, member in enumerate(group):
        if member.kind not in seen:
            seen.add(member.kind)
            positions.append(position)
    return positions


def _neighbours(
    one: list[MemberFacts], two: list[MemberFacts], rules: PoolRules
) -> list[tuple[list[MemberFacts], list[MemberFacts]]]:
    """Every valid swap of unlike members and every valid move of one member."""
    in_one, in_two = _distinct(one), _distinct(two)
    found = _swaps(one, two, in_one, in_two, rules)
    found += _moves(one, two, in_one, rules)
    found += [(new_one, new_two) for new_two, new_one in _moves(two, one, in_two, rules)]
    return found


def _swaps(
    one: list[MemberFacts],
    two: list[MemberFacts],
    in_one: list[int],
    in_two: list[int],
    rules: PoolRules,
) -> list[tuple[list[MemberFacts], list[MemberFacts]]]:
    found = []
    for a in in_one:
        for b in in_two:
            if one[a].kind == two[b].kind:
                continue
            new_one = [*one[:a], two[b], *one[a + 1 :]]
            new_two = [*two[:b], one[a], *two[b + 1 :]]
            if _valid(new_one, two[b], rules) and _valid(new_two, one[a], rules):
                found.append((new_one, new_two))
    return found


def _moves(
    source: list[MemberFacts], target: list[MemberFacts], in_source: list[int], rules: PoolRules
) -> list[tuple[list[MemberFacts], list[MemberFacts]]]:
    """Moves of one member from `source` to `target`, as (new source, new target)."""
    if len(source) <= rules.sizes.start or len(target) >= rules.sizes.stop - 1:
        return []
    found = []
    for a in in_source:
        new_target = [*target, source[a]]
        if _valid(new_target, source[a], rules):
            found.append(([*source[:a], *source[a + 1 :]], new_target))
    return found


def _valid(group: list[MemberFacts], newcomer: MemberFacts, rules: PoolRules) -> bool:
    # Removing members never breaks rule 3; only a newcomer with severe allergens can.
    return not newcomer.severe or severe_ok(group, rules.severe_limit)
