"""The spec's group score, on compact member facts so the search can call it millions of times."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.grouping.models import SEVERITY_RANK, AllergyProfile
from engine.grouping.options import GroupingOptions
from engine.grouping.survey.profile import ParticipantProfile

CACHE_LIMIT = 1_000_000
Allergens = tuple[tuple[str, int], ...]
DIET_CODES: dict[str, int] = {"omnivore": 0, "pescatarian": 1, "vegetarian": 2, "vegan": 3}


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What the score and the hard rules need of one participant, and nothing else.

    `kind` is equal for members the score cannot tell apart, so the search can skip
    exchanges that change nothing.
    """

    index: int
    age: int | None
    diet: int
    kosher: bool
    allergens: Allergens
    severe: frozenset[str]
    kind: int


class MemberFactory:
    """Builds MemberFacts for `scorer`, numbering kinds so equal kinds share one small int.

    The numbers are the scorer's: its cache is keyed by kinds, so two factories giving
    one scorer members would otherwise give different people the same kind, and a group
    the value of another group with the same numbers.
    """

    def __init__(self, scorer: GroupScorer) -> None:
        self._kinds = scorer.kinds
        # Parsed answers are shared between participants who wrote the same thing, so
        # the allergen facts are worked out once per distinct AllergyProfile object.
        self._allergens: dict[int, tuple[AllergyProfile, Allergens, frozenset[str]]] = {}

    def facts(self, index: int, profile: ParticipantProfile) -> MemberFacts:
        allergens, severe = self._allergen_facts(profile.allergies)
        diet = DIET_CODES[profile.diet]
        kind = self._kinds.setdefault((profile.age, diet, allergens), len(self._kinds))
        return MemberFacts(index, profile.age, diet, profile.kosher, allergens, severe, kind)

    def _allergen_facts(self, allergies: AllergyProfile) -> tuple[Allergens, frozenset[str]]:
        known = self._allergens.get(id(allergies))
        if known is not None and known[0] is allergies:
            return known[1], known[2]
        ranked = sorted((key, SEVERITY_RANK[value]) for key, value in allergies.severity.items())
        allergens = tuple(ranked)
        severe = frozenset(key for key, rank in allergens if rank == SEVERITY_RANK["severe"])
        self._allergens[id(allergies)] = (allergies, allergens, severe)
        return allergens, severe


def severe_ok(members: Sequence[MemberFacts], limit: int) -> bool:
    """Hard rule 3: the group holds at most `limit` distinct severe allergens."""
    union: set[str] = set()
    for member in members:
        if member.severe:
            union |= member.severe
            if len(union) > limit:
                return False
    return True


class GroupScorer:
    """score(g) = clamp(1 - Pa - age*A - diet*D - size*S, 0, 1), as the spec defines it."""

    __slots__ = ("_age", "_by_rank", "_cache", "_diet", "_majority", "_size", "_target", "kinds")

    def __init__(self, options: GroupingOptions) -> None:
        weights = options.scoring_weights
        self._by_rank = (
            0.0,
            weights.allergy_mild,
            weights.allergy_moderate,
            weights.allergy_severe,
        )
        self._majority = weights.allergy_majority
        self._age = weights.age
        self._diet = weights.diet
        self._size = weights.size
        self._target = options.target_group_size
        # Groups of the same kinds score the same; the search meets the same few often.
        self._cache: dict[tuple[int, ...], float] = {}
        # Each kind of member (age, diet, allergens) seen, numbered: the cache's keys.
        self.kinds: dict[tuple[object, ...], int] = {}

    def score(self, members: Sequence[MemberFacts]) -> float:
        n = len(members)
        ages = [m.age for m in members if m.age is not None]
        spread = max(ages) - min(ages) if ages else 0
        diets = [m.diet for m in members]
        most = max(diets.count(0), diets.count(1), diets.count(2), diets.count(3))
        allergic = [m for m in members if m.allergens]
        penalty = self._allergy_penalty(allergic) if allergic else 0.0
        if len(allergic) * 2 > n:
            penalty += self._majority
        penalty += self._age * min(1.0, spread / 10)
        penalty += self._diet * (1 - most / n)
        penalty += self._size * abs(n - self._target) / self._target
        return min(1.0, max(0.0, 1.0 - penalty))

    def _allergy_penalty(self, allergic: list[MemberFacts]) -> float:
        """Each distinct allergen once, weighed by its highest severity in the group."""
        by_rank = self._by_rank
        if len(allergic) == 1:
            return sum(by_rank[rank] for _, rank in allergic[0].allergens)
        highest: dict[str, int] = {}
        for member in allergic:
            for key, rank in member.allergens:
                if highest.get(key, 0) < rank:
                    highest[key] = rank
        return sum(by_rank[rank] for rank in highest.values())

    def value(self, members: Sequence[MemberFacts]) -> float:
        """n * score(g): the group's share of the objective."""
        return self.value_of_kinds(tuple(sorted([member.kind for member in members])), members)

    @property
    def cached(self) -> Callable[[tuple[int, ...]], float | None]:
        """Looks up the value of a group by its sorted kinds: None when not yet worked out.

        The cache's own `get`, for the innermost loops, which save a call per lookup.
        """
        return self._cache.get

    def value_of_kinds(self, key: tuple[int, ...], members: Sequence[MemberFacts]) -> float:
        """value(members), given the sorted kinds of the members as `key`."""
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[key] = len(members) * self.score(members)
        return cached
