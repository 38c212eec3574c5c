"""Pair requests checked plainly, apart from the engine: which components bind, and whether
a grouping keeps them."""

from __future__ import annotations

from collections.abc import Sequence

from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from tests.unit.factories import Person
from tests.unit.reference import band

Pair = tuple[str, str]


def components(together: Sequence[Pair]) -> list[set[str]]:
    """People linked by together pairs, friends of friends included."""
    found: list[set[str]] = []
    for first, second in together:
        joined = {first, second}
        for component in [c for c in found if c & joined]:
            joined |= component
            found.remove(component)
        found.append(joined)
    return found


def pool(person: Person, options: GroupingOptions) -> tuple[object, object]:
    kosher = person.kosher if options.kosher_only else None
    if options.age_policy == "loose":
        return (kosher, None)
    return (kosher, None if person.age is None else band(person.age, options))


def binding(
    population: Sequence[Person],
    together: Sequence[Pair],
    apart: Sequence[Pair],
    options: GroupingOptions,
) -> list[set[str]]:
    """The together components a grouping must keep: the ones that can be met at all."""
    by_id = {p.id: p for p in population}
    kept = []
    for component in components(together):
        people = [by_id[m] for m in component]
        severe = frozenset().union(*(p.severe for p in people))
        placeable = all(
            len(p.severe) <= options.max_allergy_count
            and (
                options.age_policy == "loose"
                or (p.age is not None and p.age >= options.age_bands[0])
            )
            for p in people
        )
        if (
            placeable
            and len({pool(p, options) for p in people}) == 1
            and len(component) <= options.target_group_size
            and len(severe) <= options.max_allergy_count
            and not any(a in component and b in component for a, b in apart)
        ):
            kept.append(component)
    return kept


def keeps_pairs(
    groups: Sequence[Sequence[str]], bind: Sequence[set[str]], apart: Sequence[Pair]
) -> bool:
    where = {m: i for i, g in enumerate(groups) for m in g}
    if any(a in where and where.get(a) == where.get(b) for a, b in apart):
        return False
    return all(len({where.get(m) for m in component}) == 1 for component in bind)


def result_groups(result: GroupingResult) -> list[list[str]]:
    return [list(g.members) for g in result.groups]
