"""What a run is asked to keep: an earlier grouping with its locks, and pair requests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class StartingGrouping:
    """An earlier run's groups (number → member ids), and what an organiser locked in it.

    A locked person stays in (the continuation of) their group; a locked group keeps its
    members and takes nobody in. Locks give way only to a hard rule, and the run says so.
    """

    groups: Mapping[int, Sequence[str]]
    locked_people: frozenset[str] = frozenset()
    locked_groups: frozenset[int] = frozenset()

    @classmethod
    def from_result(
        cls,
        groups: Iterable[Mapping[str, object]],
        *,
        locked_people: Iterable[str] = (),
        locked_groups: Iterable[int] = (),
    ) -> StartingGrouping:
        """From a result's `groups` as JSON (each with `number` and `members`)."""
        read: dict[int, tuple[str, ...]] = {}
        for group in groups:
            number, members = group.get("number"), group.get("members")
            if not isinstance(number, int) or not isinstance(members, list):
                raise ValueError("each group needs a whole-number `number` and a `members` list")
            read[number] = tuple(str(member) for member in members)
        return cls(read, frozenset(locked_people), frozenset(locked_groups))

    def group_of(self) -> dict[str, int]:
        """Each person's group number (a person listed twice keeps the first)."""
        where: dict[str, int] = {}
        for number in sorted(self.groups):
            for member in self.groups[number]:
                where.setdefault(member, number)
        return where


@dataclass(frozen=True, slots=True)
class PairRequests:
    """People to seat together (a participant's friends) and pairs to keep apart.

    Together is a hard rule whenever it can be met and reported when it cannot; apart is
    always a hard rule.
    """

    together: tuple[tuple[str, str], ...] = field(default=())
    apart: tuple[tuple[str, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.together or self.apart)
