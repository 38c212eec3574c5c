"""The spec's score and validity, written plainly and separately from the engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from engine.grouping.options import GroupingOptions
from tests.unit.factories import Person

RANK = {"mild": 1, "moderate": 2, "severe": 3}


def reference_score(group: Sequence[Person], options: GroupingOptions) -> float:
    w = options.scoring_weights
    n = len(group)
    highest: dict[str, int] = {}
    for person in group:
        for allergen, severity in person.allergies.items():
            highest[allergen] = max(highest.get(allergen, 0), RANK[severity])
    by_rank = {3: w.allergy_severe, 2: w.allergy_moderate, 1: w.allergy_mild}
    pa = sum(by_rank[rank] for rank in highest.values())
    if sum(1 for p in group if p.allergies) > n / 2:
        pa += w.allergy_majority
    ages = [p.age for p in group if p.age is not None]
    spread = min(1.0, (max(ages) - min(ages)) / 10) if len(ages) >= 2 else 0.0
    diet = 1 - max(Counter(p.diet for p in group).values()) / n
    size = abs(n - options.target_group_size) / options.target_group_size
    return min(1.0, max(0.0, 1 - pa - w.age * spread - w.diet * diet - w.size * size))


def band(age: int, options: GroupingOptions) -> int:
    return max(i for i, edge in enumerate(options.age_bands) if age >= edge)


def group_is_valid(group: Sequence[Person], options: GroupingOptions) -> bool:
    if not options.min_group_size <= len(group) <= options.target_group_size:
        return False
    severe = frozenset().union(*(p.severe for p in group))
    if len(severe) > options.max_allergy_count:
        return False
    if options.kosher_only and len({p.kosher for p in group}) > 1:
        return False
    if options.age_policy == "banded":
        if any(p.age is None or p.age < options.age_bands[0] for p in group):
            return False
        if len({band(p.age, options) for p in group if p.age is not None}) > 1:
            return False
    return True


def objective(groups: Sequence[Sequence[Person]], options: GroupingOptions) -> tuple[int, float]:
    """(participants placed, total of n*score) — the spec's order of better."""
    placed = sum(len(g) for g in groups)
    return placed, sum(len(g) * reference_score(g, options) for g in groups)


def best_grouping(population: Sequence[Person], options: GroupingOptions) -> tuple[int, float]:
    """The true optimum by exhaustive search over every split (small populations only)."""
    from itertools import combinations

    best = (0, 0.0)

    def search(rest: tuple[Person, ...], placed: int, total: float) -> None:
        nonlocal best
        if (placed, total) > best:
            best = (placed, total)
        if not rest:
            return
        first, others = rest[0], rest[1:]
        search(others, placed, total)  # the first one left out
        for size in range(options.min_group_size, options.target_group_size + 1):
            for mates in combinations(range(len(others)), size - 1):
                group = (first, *(others[i] for i in mates))
                if group_is_valid(group, options):
                    remaining = tuple(p for i, p in enumerate(others) if i not in mates)
                    score = reference_score(group, options)
                    search(remaining, placed + size, total + size * score)

    search(tuple(population), 0, 0.0)
    return best
