"""What the matching sees: kinds of groups, venues as rooms, kitchens, and the cost scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    kosher: bool
    severe: frozenset[str]
    discretionary: frozenset[str]
    size: int
    count: int


@dataclass(frozen=True, slots=True)
class Room:
    """A venue as the matching sees it: what it guarantees and what it has left."""

    kosher: bool
    keeps_out: frozenset[str]
    free_groups: int
    free_seats: int
    outside_area: bool
    price: int


@dataclass(frozen=True, slots=True)
class Weights:
    """Scales that make one integer cost lexicographic: discretion, then area, then price."""

    area: int
    discretion: int

    @classmethod
    def for_problem(cls, kinds: Sequence[Kind], rooms: Sequence[Room]) -> Weights:
        groups = sum(kind.count for kind in kinds)
        most = max((kind.size for kind in kinds), default=0)
        price = max((room.price for room in rooms), default=0)
        area = groups * price * most + 1
        return cls(area=area, discretion=(groups + 1) * area)

    def kitchen_cost(self, kind: Kind, kitchen: Kitchen) -> int:
        """Each moderate or mild allergen the kitchen does not keep out weighs most."""
        return len(kind.discretionary - kitchen.keeps_out) * self.discretion

    def room_cost(self, room: Room, size: int) -> int:
        """Then a venue outside the preferred areas, then the price of the seats."""
        return room.outside_area * self.area + room.price * size


@dataclass(frozen=True, slots=True)
class Kitchen:
    """Venues the rules and the discretion cost cannot tell apart: same kosher, same list."""

    kosher: bool
    keeps_out: frozenset[str]
    rooms: tuple[int, ...]

    def feeds(self, kind: Kind) -> bool:
        """The plan's two rules: kosher groups to kosher kitchens, severe allergens kept out."""
        return (self.kosher or not kind.kosher) and kind.severe <= self.keeps_out


def kitchens(rooms: Sequence[Room]) -> list[Kitchen]:
    by_key: dict[tuple[bool, frozenset[str]], list[int]] = {}
    for r, room in enumerate(rooms):
        by_key.setdefault((room.kosher, room.keeps_out), []).append(r)
    keys = sorted(by_key, key=lambda key: (key[0], sorted(key[1])))
    return [Kitchen(key[0], key[1], tuple(by_key[key])) for key in keys]
