"""The people of the reference instances: option families and seeded surveys of them.

Every option is covered evenly across a set's families (kosher_only on and off, banded
and loose ages, several size ranges, severe-allergen limits 0-3, ordinary and
allergy-heavy surveys), and each survey is drawn from its own seed, so the generator
(generate.py) writes the same people every time. The pools are the spec's compatible
pools, cut here apart from the engine so the reference does not inherit its mistakes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from engine.grouping.options import AgePolicy, GroupingOptions
from tests.unit.factories import Person
from tests.unit.reference import band

ALLERGENS = ("peanut", "tree_nut", "sesame", "milk", "egg", "fish", "soy", "gluten")
ALLERGEN_WEIGHTS = (25, 14, 15, 10, 8, 5, 8, 4)
DIET_WEIGHTS = {"omnivore": 65, "vegetarian": 20, "vegan": 8, "pescatarian": 7}
# (size range as (min, target), share allergic, share severe among all)
SIZES = ((3, 5), (4, 6), (2, 4), (4, 5), (3, 6))
POLICIES: tuple[AgePolicy, AgePolicy] = ("banded", "loose")
PROFILES = {"ordinary": (0.20, 0.03), "allergy-heavy": (0.45, 0.20)}


@dataclass(frozen=True, slots=True)
class Family:
    """One option family: the options and the kind of survey the people come from."""

    kosher_only: bool
    age_policy: AgePolicy
    sizes: tuple[int, int]
    severe_limit: int
    profile: str

    def options(self) -> GroupingOptions:
        low, high = self.sizes
        return GroupingOptions(
            kosher_only=self.kosher_only,
            age_policy=self.age_policy,
            min_group_size=low,
            fallback_group_size=low,
            target_group_size=high,
            max_allergy_count=self.severe_limit,
        )

    def label(self) -> str:
        kosher = "kosher" if self.kosher_only else "mixed"
        low, high = self.sizes
        return f"{kosher}-{self.age_policy}-{low}to{high}-limit{self.severe_limit}-{self.profile}"


def families(count: int, seed: int) -> list[Family]:
    """`count` families that together cover every value of every option, evenly."""
    rng = random.Random(seed)
    chosen = []
    for i in range(count):
        chosen.append(
            Family(
                kosher_only=i % 2 == 1,
                age_policy=POLICIES[(i // 2) % 2],
                sizes=SIZES[i % len(SIZES)],
                severe_limit=rng.choice((0, 1, 2, 3)) if i >= 8 else i % 4,
                profile=("ordinary", "allergy-heavy")[(i // 4) % 2],
            )
        )
    return chosen


def make_people(count: int, family: Family, rng: random.Random) -> list[Person]:
    allergic_share, severe_share = PROFILES[family.profile]
    # Banded events here gather around two neighbouring bands, so pools are not tiny.
    centre = rng.choice((18, 25, 30, 35, 40))
    people = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.03:
            age: int | None = None
        elif family.age_policy == "loose":
            # Loose events mix ages widely, with a few outliers.
            age = rng.randint(60, 85) if roll < 0.12 else round(rng.triangular(18, 60, 28))
        elif roll < 0.85:
            age = rng.randint(centre, centre + 9)
        else:
            age = round(rng.triangular(18, 70, 30))
        allergies: dict[str, str] = {}
        if rng.random() < allergic_share:
            severe = rng.random() < severe_share / allergic_share
            for _ in range(1 if rng.random() < 0.8 else 2):
                allergen = rng.choices(ALLERGENS, weights=ALLERGEN_WEIGHTS)[0]
                severity = "severe" if severe else rng.choice(("mild", "moderate", "moderate"))
                allergies[allergen] = severity
        people.append(
            Person(
                id=f"p{index:03d}",
                age=age,
                kosher=rng.random() < 0.35,
                diet=rng.choices(list(DIET_WEIGHTS), weights=list(DIET_WEIGHTS.values()))[0],
                allergies=allergies,
            )
        )
    return people


def pools_of(people: Sequence[Person], options: GroupingOptions) -> list[list[Person]]:
    """The spec's compatible pools: kosher class and age band; early reasons removed."""
    pools: dict[tuple[object, object], list[Person]] = {}
    for person in people:
        if len(person.severe) > options.max_allergy_count:
            continue
        band_key: int | None = None
        if options.age_policy == "banded":
            if person.age is None or person.age < options.age_bands[0]:
                continue
            band_key = band(person.age, options)
        kosher = person.kosher if options.kosher_only else None
        pools.setdefault((kosher, band_key), []).append(person)
    return [pools[key] for key in sorted(pools, key=str)]
