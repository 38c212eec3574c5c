"""A run's saved edit log read back: what an undo or a redo concerns, and whom edits placed.

The log is the run's edits in order (seq 1, 2, ...): moves and swaps, and undos and redos
naming the edit they revert (`target`). Undo and redo follow the usual stacks: an edit
goes on the undo stack and empties the redo stack; an undo moves its edit to the redo
stack, a redo moves it back. The database follows the same stacks to check what it is
asked (sql/migrations, `edit_run_groups`), so a client cannot undo out of order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

EditKind = Literal["move", "swap", "undo", "redo"]


@dataclass(frozen=True, slots=True)
class LoggedEdit:
    """One row of a run's edit log: the changed groups' members before and after it."""

    seq: int
    kind: EditKind
    before: Mapping[int, Sequence[str]]
    after: Mapping[int, Sequence[str]]
    target: int | None = None


def stacks(log: Iterable[LoggedEdit]) -> tuple[list[int], list[int]]:
    """The undo and redo stacks (edit seqs, top last) after `log`."""
    undo: list[int] = []
    redo: list[int] = []
    for entry in sorted(log, key=lambda e: e.seq):
        if entry.kind in ("move", "swap"):
            undo.append(entry.seq)
            redo.clear()
        elif entry.kind == "undo" and entry.target is not None:
            undo.pop()
            redo.append(entry.target)
        elif entry.target is not None:
            redo.pop()
            undo.append(entry.target)
    return undo, redo


def revert_target(log: Sequence[LoggedEdit], kind: Literal["undo", "redo"]) -> LoggedEdit | None:
    """The edit an undo (or a redo) of the run would concern; None when there is none."""
    undo, redo = stacks(log)
    stack = undo if kind == "undo" else redo
    if not stack:
        return None
    return next(entry for entry in log if entry.seq == stack[-1])


def edited_people(log: Iterable[LoggedEdit], now: Mapping[str, int]) -> frozenset[str]:
    """People whose group now (`now`: person → group number) is not their group in the run
    as saved, before any edit: the placements the edits made."""
    saved: dict[str, int] = {}
    for entry in sorted(log, key=lambda e: e.seq):
        for number, members in entry.before.items():
            for member in members:
                saved.setdefault(member, number)
    return frozenset(p for p, number in saved.items() if now.get(p) != number)
