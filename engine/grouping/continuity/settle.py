"""The changes a starting grouping is forced into, and nothing more.

Each earlier group keeps whom it still can: people who withdrew, changed pool (kosher
or age band) or now break its rules leave it (an apart pair, the severe-allergy limit,
a size the policy no longer allows, a together partner elsewhere). Then whoever is not
seated (newcomers, the displaced, the earlier left-out) joins a group short of the
minimum, else one with room, else forms a new group; a group still short takes people
from groups above the minimum, or is dissolved and its members seated again. Every
choice prefers groups already changed, so a change touches as few groups as it can.
Locked people leave only for a hard rule, and each such break is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.grouping.continuity.board import Board, Seat
from engine.grouping.continuity.exact import EXACT_LIMIT, solve_units
from engine.grouping.search.scoring import severe_ok


@dataclass(slots=True)
class Ledger:
    """Why people were displaced (first reason kept), which seats changed, broken locks."""

    reasons: dict[str, str] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    withdrawn_from: set[int] = field(default_factory=set)
    locks_broken: list[dict[str, Any]] = field(default_factory=list)

    def note(self, people: Sequence[str], reason: str) -> None:
        for person in people:
            self.reasons.setdefault(person, reason)


def settle(board: Board, ledger: Ledger) -> None:
    """Make the board valid under every rule with as few changes as it can."""
    for position, seat in enumerate(board.seats):
        _keep_rules(board, position, seat, ledger)
    _gather_together(board, ledger)
    _seat_everyone(board, ledger)


def _leave(board: Board, position: int, unit: Sequence[str], reason: str, ledger: Ledger) -> None:
    seat = board.seats[position]
    leaving = [m for m in unit if m in seat.members]
    for member in leaving:
        seat.members.remove(member)
        if member in board.pinned:
            ledger.locks_broken.append({"participant_id": member, "rule": reason})
    board.out.extend(leaving)
    ledger.note(leaving, reason)
    ledger.touched.add(position)


def _pick(board: Board, seat: Seat, candidates: Sequence[str], key: Callable[[str], Any]) -> str:
    """The unpinned candidate first (by `key`, highest first); a pinned one only if none."""
    loose = [c for c in candidates if c not in board.pinned]
    return max(loose or candidates, key=lambda c: (key(c), c))


def _keep_rules(board: Board, position: int, seat: Seat, ledger: Ledger) -> None:
    while True:
        inside = set(seat.members)
        clashing = [m for m in seat.members if board.plan.apart.get(m, frozenset()) & inside]
        if not clashing:
            break
        chosen = _pick(board, seat, clashing, lambda c: 0)
        _leave(board, position, board.unit(chosen), "apart-request", ledger)
    limit = board.rules.severe_limit
    while not severe_ok([board.facts[m] for m in seat.members], limit):
        allergic = [m for m in seat.members if board.facts[m].severe]

        def remaining_severe(candidate: str) -> int:
            rest = [board.facts[m] for m in seat.members if m not in board.unit(candidate)]
            return -len(set().union(*(f.severe for f in rest)))

        chosen = _pick(board, seat, allergic, remaining_severe)
        _leave(board, position, board.unit(chosen), "new-allergy", ledger)
    largest = board.rules.sizes.stop - 1
    while len(seat.members) > largest:

        def kept_value(candidate: str) -> float:
            return board.value([m for m in seat.members if m not in board.unit(candidate)])

        chosen = _pick(board, seat, seat.members, kept_value)
        _leave(board, position, board.unit(chosen), "size", ledger)


def _gather_together(board: Board, ledger: Ledger) -> None:
    """A component split between groups (or partly unseated) joins its largest part."""
    where = {m: i for i, seat in enumerate(board.seats) for m in seat.members}
    for unit in board.units([*where, *board.out]):
        spots = {where.get(m) for m in unit}
        if len(unit) < 2 or (len(spots) == 1 and None not in spots):
            continue
        seated = [i for i in spots if i is not None]
        host = max(seated, key=lambda i: (sum(where.get(m) == i for m in unit), -i), default=None)
        others = [m for m in unit if where.get(m) != host]
        if host is not None and board.room(board.seats[host], others):
            for member in others:
                if member in where:
                    _leave(board, where[member], [member], "together-request", ledger)
                board.out.remove(member)
                board.seats[host].members.append(member)
            ledger.touched.add(host)
            continue
        for i in seated:
            _leave(board, i, unit, "together-request", ledger)


def _seat_everyone(board: Board, ledger: Ledger) -> None:
    while True:
        _join_seats(board, ledger, short_only=True)
        _join_seats(board, ledger, short_only=False)
        _new_groups(board, ledger)
        short = [
            i for i, s in enumerate(board.seats) if 0 < len(s.members) < board.rules.sizes.start
        ]
        if not short:
            break
        position = short[0]
        seat = board.seats[position]
        if _fill_from_donors(board, position, ledger):
            continue
        reason = "withdrawn-partner" if position in ledger.withdrawn_from else "size"
        _leave(board, position, list(seat.members), reason, ledger)
    _new_group_with_donors(board, ledger)


def _join_seats(board: Board, ledger: Ledger, *, short_only: bool) -> None:
    for unit in board.units(board.out):
        choice = _best_seat(board, unit, ledger, short_only=short_only)
        if choice is None:
            continue
        for member in unit:
            board.out.remove(member)
        board.seats[choice].members.extend(unit)
        ledger.touched.add(choice)


def _best_seat(
    board: Board, unit: Sequence[str], ledger: Ledger, *, short_only: bool
) -> int | None:
    best: tuple[bool, float, int] | None = None
    for position, seat in enumerate(board.seats):
        if not seat.members or (short_only and len(seat.members) >= board.rules.sizes.start):
            continue
        if not board.room(seat, unit):
            continue
        gain = board.worth([*seat.members, *unit], seat.origin) - board.worth(
            seat.members, seat.origin
        )
        key = (position in ledger.touched, gain, -position)
        if best is None or key > best:
            best = key
    return None if best is None else -best[2]


def _new_groups(board: Board, ledger: Ledger) -> None:
    if len(board.out) < board.rules.sizes.start:
        return
    people = sorted(board.out, key=lambda m: (board.facts[m].age or 0, m))
    if len(people) <= EXACT_LIMIT:
        groups, _ = solve_units(board, people)
    else:
        groups = _chunks(board, people)
    for group in groups:
        for member in group:
            board.out.remove(member)
        ledger.touched.add(len(board.seats))
        board.seats.append(Seat(list(group)))


def _chunks(board: Board, people: list[str]) -> list[list[str]]:
    """Consecutive units in age order, cut at the target size; each valid chunk is kept."""
    groups: list[list[str]] = []
    current: list[str] = []
    for unit in sorted(board.units(people), key=lambda u: (board.facts[u[0]].age or 0, u)):
        if len(current) + len(unit) > board.rules.sizes.stop - 1 or not board.compatible(
            [*current, *unit]
        ):
            if board.valid(current):
                groups.append(current)
            current = []
        if board.compatible([*current, *unit]):
            current = [*current, *unit]
    if board.valid(current):
        groups.append(current)
    return groups


def _donations(
    board: Board, receiver: list[str], ledger: Ledger, skip: int
) -> list[tuple[Any, int, list[str]]]:
    """Units other groups can give `receiver` and stay at or above the minimum."""
    offers = []
    smallest = board.rules.sizes.start
    for position, seat in enumerate(board.seats):
        if position == skip or seat.closed or len(seat.members) <= smallest:
            continue
        for unit in board.units(seat.members):
            if any(m in board.pinned for m in unit) or len(seat.members) - len(unit) < smallest:
                continue
            if not board.compatible([*receiver, *unit]):
                continue
            kept = [m for m in seat.members if m not in unit]
            loss = board.worth(seat.members, seat.origin) - board.worth(kept, seat.origin)
            offers.append(
                ((position in ledger.touched, -loss, -len(unit), -position), position, unit)
            )
    return sorted(offers, reverse=True)


def _fill_from_donors(board: Board, position: int, ledger: Ledger, *, new: bool = False) -> bool:
    """Fill a short group with units from groups above the minimum; undone if it falls short.

    An earlier group short of more people than it holds is dissolved instead (fewer move);
    a `new` one is filled whatever it lacks.
    """
    seat = board.seats[position]
    missing = board.rules.sizes.start - len(seat.members)
    if missing > len(seat.members) and not new:
        return False
    touched = set(ledger.touched)
    taken: list[tuple[int, list[str]]] = []
    while len(seat.members) < board.rules.sizes.start:
        offers = _donations(board, seat.members, ledger, position)
        fitting = [o for o in offers if len(seat.members) + len(o[2]) < board.rules.sizes.stop]
        if not fitting:
            for donor, unit in taken:
                for member in unit:
                    seat.members.remove(member)
                board.seats[donor].members.extend(unit)
            ledger.touched = touched
            return False
        _, donor, unit = fitting[0]
        for member in unit:
            board.seats[donor].members.remove(member)
        seat.members.extend(unit)
        taken.append((donor, unit))
        ledger.touched.add(donor)
    for _, unit in taken:
        ledger.note(unit, "size")
    ledger.touched.add(position)
    return True


def _new_group_with_donors(board: Board, ledger: Ledger) -> None:
    """Whoever is still unseated starts a group with people taken from groups with more."""
    for unit in board.units(board.out):
        if any(m not in board.out for m in unit):
            continue
        seat = Seat(list(unit))
        board.seats.append(seat)
        position = len(board.seats) - 1
        for member in unit:
            board.out.remove(member)
        if not _fill_from_donors(board, position, ledger, new=True):
            board.seats.pop()
            board.out.extend(unit)
