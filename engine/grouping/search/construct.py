"""Construction: cut an ordering of a pool into groups, optimally for that ordering.

A dynamic programme over the ordered members chooses, at every position, either to
leave the member out or to close a group of any allowed size there. Each placed
member earns a bonus larger than any score total, so the programme first places as
many as the ordering allows and then maximises the sum of n*score(g).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

# Larger than any possible score total (each member contributes at most 1), so that
# placing one more participant always beats any gain in score.
PLACED_BONUS = 1_000_000.0


def pool_orderings(members: Sequence[MemberFacts]) -> list[list[MemberFacts]]:
    """Candidate orderings in which neighbours are alike.

    Age first with the diet order reversed on every other age ("snake"), so the block
    that ends one age continues with the same diet at the next; and diet first, so a
    diet too rare at one age gathers from neighbouring ages instead.
    """
    ages = sorted({m.age for m in members if m.age is not None})
    rank = {age: position for position, age in enumerate(ages)}
    no_age = len(ages)

    def snake(member: MemberFacts) -> tuple[object, ...]:
        age_rank = rank.get(member.age, no_age) if member.age is not None else no_age
        diet = member.diet if age_rank % 2 == 0 else -member.diet
        return (age_rank, diet, member.allergens, member.index)

    def diet_first(member: MemberFacts) -> tuple[object, ...]:
        age_rank = rank[member.age] if member.age is not None else no_age
        return (member.diet, age_rank, member.allergens, member.index)

    return [sorted(members, key=snake), sorted(members, key=diet_first)]


def cut_ordering(
    order: Sequence[MemberFacts], rules: PoolRules
) -> tuple[float, list[list[MemberFacts]], list[MemberFacts]]:
    """Best contiguous cut of `order`: (objective, groups, members left out)."""
    scorer, severe_limit = rules.scorer, rules.severe_limit
    count = len(order)
    best = [0.0] * (count + 1)
    choice = [0] * (count + 1)
    kinds = [member.kind for member in order]
    # severe_before[i]: members with a severe allergy among the first i. A segment
    # with fewer than two of them cannot break rule 3 (triage removed lone breakers).
    severe_before = [0] * (count + 1)
    for position, member in enumerate(order):
        severe_before[position + 1] = severe_before[position] + bool(member.severe)
    smallest, largest = rules.sizes.start, rules.sizes.stop - 1
    for end in range(1, count + 1):
        best_value = best[end - 1]
        best_size = 0
        for size in range(smallest, min(largest, end) + 1):
            start = end - size
            if severe_before[end] - severe_before[start] > 1 and not severe_ok(
                order[start:end], severe_limit
            ):
                continue
            key = tuple(sorted(kinds[start:end]))
            value = best[start] + size * PLACED_BONUS + scorer.value_of_kinds(key, order[start:end])
            if value > best_value:
                best_value, best_size = value, size
        best[end], choice[end] = best_value, best_size
    groups: list[list[MemberFacts]] = []
    left_out: list[MemberFacts] = []
    end = count
    while end > 0:
        size = choice[end]
        if size == 0:
            left_out.append(order[end - 1])
            end -= 1
        else:
            groups.append(list(order[end - size : end]))
            end -= size
    groups.reverse()
    left_out.reverse()
    return best[count], groups, left_out
