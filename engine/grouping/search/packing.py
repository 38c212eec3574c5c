"""New groups among the left-out when clashing severe allergies keep them apart.

Two steps of the repair: trading left-out members with severe allergies for placed
members without any, so that the left-out can form a group of their own; and greedy
packing around the most common sets of severe allergens.
"""

from __future__ import annotations

from collections import Counter

from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# How many of the most common severe-allergen sets greedy packing tries as a core.
PACK_CORES = 8


def trade_severe_out(
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


def pack_compatible(
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
