"""How the regrouping steps compare groupings, and the order they walk groups in.

A regrouping step (windows cut again, the whole sequence cut again, exact windows)
changes several groups at once and keeps the change only when the grouping is better
by the spec's order: more members placed, then a higher total of n*score. The two are
compared as a pair here, in one place, so that every step judges alike. The steps walk
the groups in order of mean age, because the groups worth changing together are those
neighbouring in age.
"""

from __future__ import annotations

from engine.grouping.search.local_search import IMPROVEMENT_EPSILON
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts


def age_key(group: list[MemberFacts]) -> tuple[float, int]:
    """A group's place in order of mean age (groups without ages first, then by their
    first member, so the order is total and a seed gives one result)."""
    ages = [m.age for m in group if m.age is not None]
    return (sum(ages) / len(ages) if ages else -1.0, min(m.index for m in group))


def objective(groups: list[list[MemberFacts]], rules: PoolRules) -> tuple[int, float]:
    """(members placed, total of n*score): compared as a pair, never summed into one
    float, whose rounding at the size of a placement bonus would hide small gains."""
    value = rules.scorer.value
    return sum(len(g) for g in groups), sum(value(g) for g in groups)


def better(found: tuple[int, float], than: tuple[int, float]) -> bool:
    """Whether `found` beats `than` by the spec's order, by more than rounding."""
    return found[0] > than[0] or (found[0] == than[0] and found[1] > than[1] + IMPROVEMENT_EPSILON)
