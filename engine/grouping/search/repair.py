"""Repair: place the members a cut of the pool left out, and swap with them when it helps.

Steps go from cheap to thorough: into a group with room; by moving one member on to
make room; as new groups of their own (trading clashing severe allergies with placed
members if need be, then greedy packing); and last, regrouping a group together with
them exactly. Left-out members are few, so the thorough steps stay cheap in practice.
"""

from __future__ import annotations

from engine.grouping.search.construct import cut_ordering
from engine.grouping.search.exact import EXACT_POOL_LIMIT, solve_exactly
from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.packing import pack_compatible, trade_severe_out
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# How many groups may be regrouped exactly with left-out members, per step.
ABSORB_CANDIDATES = 24


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
        if still_out and trade_severe_out(groups, still_out, rules):
            _, new_groups, still_out = cut_ordering(
                [*(m for g in new_groups for m in g), *still_out], rules
            )
        groups.extend(new_groups)
        still_out = pack_compatible(groups, still_out, rules)
    return _absorb_by_splitting(groups, still_out, rules)


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
