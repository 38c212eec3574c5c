"""Repair: place the members a cut of the pool left out, and swap with them when it helps.

Steps go from cheap to thorough: into a group with room; by moving one member on to
make room; as new groups of their own (trading clashing severe allergies with placed
members if need be, then greedy packing); and last, regrouping a group together with
them exactly. Left-out members are few, so the thorough steps stay cheap in practice.
"""

from __future__ import annotations

from collections import Counter

from engine.grouping.search.construct import cut_ordering
from engine.grouping.search.exact import EXACT_POOL_LIMIT, solve_exactly
from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# How many groups may be regrouped exactly with left-out members, per step.
ABSORB_CANDIDATES = 24
# How many of the most common severe-allergen sets greedy packing tries as a core.
PACK_CORES = 8


def exchange_with_left_out(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> None:
    """Swap a left-out member for a placed one wherever that raises the score.

    The count placed stays the same; who sits out changes. Left-out members are few
    (at most a group's worth per pool), so trying every exchange is cheap.
    """
    value = rules.scorer.value
    improved = True
    while improved:
        improved = False
        for out_position, outsider in enumerate(left_out):
            for group in groups:
                base = value(group)
                for position, insider in enumerate(group):
                    if insider.kind == outsider.kind:
                        continue
                    trial = [*group[:position], outsider, *group[position + 1 :]]
                    if not severe_ok(trial, rules.severe_limit):
                        continue
                    if value(trial) > base + IMPROVEMENT_EPSILON:
                        group[position], left_out[out_position] = outsider, insider
                        outsider, base, improved = insider, value(trial), True


def place_left_out(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> list[MemberFacts]:
    """Place whom the ordering could not, cheapest step first.

    Into a group with room; by moving one member on to make room; as new groups of
    their own (trading clashing severe allergies with placed members if need be);
    and last, by regrouping a nearby group together with them exactly.
    """
    still_out = [
        member
        for member in left_out
        if not (_insert_best(groups, member, rules) or _insert_by_ejection(groups, member, rules))
    ]
    if len(still_out) >= rules.sizes.start:
        _, new_groups, still_out = cut_ordering(still_out, rules)
        if still_out and _trade_severe_out(groups, still_out, rules):
            _, new_groups, still_out = cut_ordering(
                [*(m for g in new_groups for m in g), *still_out], rules
            )
        groups.extend(new_groups)
        still_out = _pack_compatible(groups, still_out, rules)
    return _absorb_by_splitting(groups, still_out, rules)


def _pack_compatible(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> list[MemberFacts]:
    """Greedy packing for pools crowded with clashing severe allergies.

    The most common sets of severe allergens are tried as a group's core; the group
    takes first those who add no new severe allergen. The first full group, else the
    largest, is kept, and packing goes on while a group of the minimum size can form.
    """
    remaining = sorted(left_out, key=lambda m: m.index)
    largest = rules.sizes.stop - 1
    while len(remaining) >= rules.sizes.start:
        frequency = Counter(m.severe for m in remaining)
        cores = sorted(frequency, key=lambda core: (-frequency[core], sorted(core)))
        best: list[MemberFacts] = []
        for core in cores[:PACK_CORES]:
            group = _grow_group(core, remaining, rules)
            if len(group) > len(best):
                best = group
            if len(best) == largest:
                break
        if len(best) < rules.sizes.start:
            break
        groups.append(best)
        chosen = {m.index for m in best}
        remaining = [m for m in remaining if m.index not in chosen]
    return remaining


def _grow_group(
    core: frozenset[str], candidates: list[MemberFacts], rules: PoolRules
) -> list[MemberFacts]:
    """Those within the core's allergens first, then any who still keep the group valid."""
    largest = rules.sizes.stop - 1
    group = [m for m in candidates if m.severe <= core][:largest]
    held = set(core)
    chosen = {m.index for m in group}
    for member in candidates:
        if len(group) == largest:
            break
        if member.index not in chosen and len(held | member.severe) <= rules.severe_limit:
            group.append(member)
            held |= member.severe
    return group


def _trade_severe_out(
    groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
) -> bool:
    """Trade left-out members with severe allergies for placed members without any.

    Severe allergies that clash keep the left-out members from forming a group of
    their own; each trade moves a clash into a group that can hold it.
    """
    traded = False
    for out_position, outsider in enumerate(left_out):
        if not outsider.severe:
            continue
        for group in groups:
            swap = next((p for p, m in enumerate(group) if not m.severe), None)
            if swap is None:
                continue
            trial = [*group[:swap], outsider, *group[swap + 1 :]]
            if severe_ok(trial, rules.severe_limit):
                left_out[out_position] = group[swap]
                group[swap] = outsider
                traded = True
                break
    return traded


def _absorb_by_splitting(
    groups: list[list[MemberFacts]], outsiders: list[MemberFacts], rules: PoolRules
) -> list[MemberFacts]:
    """Regroup one group together with outsiders, exactly, when that places more of them."""
    while outsiders:
        best: tuple[int, float, int, list[list[MemberFacts]], list[MemberFacts]] | None = None
        # Each try is an exact search; the smallest groups have the most to give.
        candidates = sorted(range(len(groups)), key=lambda i: (len(groups[i]), i))
        for index in candidates[:ABSORB_CANDIDATES]:
            group = groups[index]
            room = EXACT_POOL_LIMIT - len(group)
            if room <= 0:
                continue
            regrouped, left = solve_exactly([*group, *outsiders[:room]], rules)
            placed = sum(len(g) for g in regrouped) - len(group)
            value = sum(rules.scorer.value(g) for g in regrouped)
            if placed > 0 and (best is None or (placed, value) > best[:2]):
                best = (placed, value, index, regrouped, [*left, *outsiders[room:]])
        if best is None:
            break
        _, _, index, regrouped, outsiders = best
        groups[index] = regrouped[0]
        groups.extend(regrouped[1:])
    return outsiders


def _insert_by_ejection(
    groups: list[list[MemberFacts]], member: MemberFacts, rules: PoolRules
) -> bool:
    """Make room: put `member` in a group whose displaced member fits a group with room."""
    largest = rules.sizes.stop - 1
    with_room = [index for index, group in enumerate(groups) if len(group) < largest]
    if not with_room:
        return False
    limit = rules.severe_limit
    for index, group in enumerate(groups):
        for position, displaced in enumerate(group):
            trial = [*group[:position], member, *group[position + 1 :]]
            if not severe_ok(trial, limit):
                continue
            for other in with_room:
                if other != index and severe_ok([*groups[other], displaced], limit):
                    groups[index] = trial
                    groups[other].append(displaced)
                    return True
    return False


def _insert_best(groups: list[list[MemberFacts]], member: MemberFacts, rules: PoolRules) -> bool:
    largest = rules.sizes.stop - 1
    best_gain, best_index = float("-inf"), -1
    for index, group in enumerate(groups):
        if len(group) >= largest:
            continue
        grown = [*group, member]
        if not severe_ok(grown, rules.severe_limit):
            continue
        gain = rules.scorer.value(grown) - rules.scorer.value(group)
        if gain > best_gain:
            best_gain, best_index = gain, index
    if best_index < 0:
        return False
    groups[best_index].append(member)
    return True
