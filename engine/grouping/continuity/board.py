"""One pool's grouping as people, with every hard rule of a group in one place.

A group is valid when its size is allowed, it holds at most the limit of distinct severe
allergens, and no apart pair sits in it; a together component moves as one unit, so it
is never split. Each group remembers its `origin`, the earlier group it continues (None
for a new one): a person whose earlier group is not their group's origin has moved, and
costs the stability weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.grouping.continuity.pairs import PairPlan
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import MemberFacts, severe_ok


@dataclass(slots=True)
class Seat:
    """A group on the board: its members, the earlier group it continues, and its lock."""

    members: list[str]
    origin: int | None = None
    closed: bool = False


@dataclass(slots=True)
class Board:
    facts: Mapping[str, MemberFacts]
    rules: PoolRules
    plan: PairPlan
    previous: Mapping[str, int]
    pinned: frozenset[str] = frozenset()
    weight: float = 0.0
    seats: list[Seat] = field(default_factory=list)
    out: list[str] = field(default_factory=list)

    def unit(self, person: str) -> list[str]:
        """The people who move with `person`: their together component, or themselves."""
        together = self.plan.together.get(person)
        return sorted(together) if together is not None else [person]

    def units(self, people: Iterable[str]) -> list[list[str]]:
        """`people` cut into units (each once), in order of their first person."""
        seen: set[str] = set()
        cut = []
        for person in sorted(people):
            if person not in seen:
                unit = [p for p in self.unit(person) if p in self.facts]
                seen.update(unit)
                cut.append(unit)
        return cut

    def compatible(self, members: Sequence[str]) -> bool:
        """The allergy and apart rules (size aside)."""
        if not severe_ok([self.facts[m] for m in members], self.rules.severe_limit):
            return False
        inside = set(members)
        return not any(self.plan.apart.get(m, frozenset()) & inside for m in members)

    def valid(self, members: Sequence[str]) -> bool:
        return len(members) in self.rules.sizes and self.compatible(members)

    def value(self, members: Sequence[str]) -> float:
        return self.rules.scorer.value([self.facts[m] for m in members]) if members else 0.0

    def moved(self, members: Iterable[str], origin: int | None) -> int:
        """How many of `members` would count as moved in a group continuing `origin`."""
        previous = self.previous
        return sum(1 for m in members if m in previous and previous[m] != origin)

    def worth(self, members: Sequence[str], origin: int | None) -> float:
        """A group's value less the stability penalty of its moved members."""
        return self.value(members) - self.weight * self.moved(members, origin)

    def room(self, seat: Seat, unit: Sequence[str]) -> bool:
        """Whether `unit` may join `seat` as it is (a locked group takes nobody in)."""
        if seat.closed:
            return False
        joined = [*seat.members, *unit]
        return len(joined) <= self.rules.sizes.stop - 1 and self.compatible(joined)

    def solution(self) -> PoolSolution:
        groups = [[self.facts[m] for m in seat.members] for seat in self.seats if seat.members]
        return PoolSolution(groups, [self.facts[m] for m in self.out])

    def placed(self) -> set[str]:
        return {m for seat in self.seats for m in seat.members}


def best_seat(board: Board, unit: Sequence[str], *, short_only: bool = False) -> Seat | None:
    """The seat `unit` may join that gains the most, or None."""
    best: tuple[float, int] | None = None
    choice = None
    for position, seat in enumerate(board.seats):
        if short_only and len(seat.members) >= board.rules.sizes.start:
            continue
        if not seat.members or not board.room(seat, unit):
            continue
        gain = board.worth([*seat.members, *unit], seat.origin) - board.worth(
            seat.members, seat.origin
        )
        if best is None or (gain, -position) > best:
            best, choice = (gain, -position), seat
    return choice
