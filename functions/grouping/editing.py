"""Manual edits of a saved run (issue 15): a move or swap checked against the hard rules by
the engine's `RunEditor`, undo and redo, each written by one RPC.

No HTTP here. The rules are the engine's (sizes, kosher, age band, severe-allergy limit,
together/apart), checked on the run's own options and date against the people as the
database holds them now: read by `people.run_participants`, the one place grouping reads
people, with their sealed health answers opened by the health feature (one audited read).
The pairs are those a run of the event keeps to. The database then checks again what it
can (the caller, the run's edit version, the same people, sizes within bounds, the groups
are the edit named, an undo exactly its edit's) and writes the groups, their new scores
and the audit row in one transaction. Refusals name the rule and the people, never an
answer or an allergen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal
from uuid import UUID

from engine.grouping.continuity.edits import EditRefusedError, Move, RunEditor, Swap
from engine.grouping.continuity.history import revert_target
from engine.grouping.options import GroupingOptions
from functions.grouping.edit_schemas import EditedRun, GroupEdit, RunEditEntry, logged_edits
from functions.grouping.errors import (
    NothingToRedoError,
    NothingToUndoError,
    RunEditRefusedError,
    RunNotEditableError,
    StaleRunEditError,
)
from functions.grouping.keeping import pair_requests
from functions.grouping.people import HealthAnswers, run_participants
from functions.grouping.schemas import RunDetail
from functions.grouping.store import GroupingStore


def edit_run(
    store: GroupingStore, *, run_id: UUID, edit: GroupEdit, health: HealthAnswers | None = None
) -> EditedRun:
    """Applies one move or swap to the run's groups, or refuses it naming the rule.
    `health` opens the people's sealed health answers, as for a run."""
    detail, _ = _editable(store, run_id, edit.expected_edit_seq)
    editor = _editor(store, detail, _members(detail), health)
    if edit.op == "move" and edit.participant_id and edit.to_group:
        engine_edit: Move | Swap = Move(str(edit.participant_id), edit.to_group)
        payload: dict[str, object] = {
            "participant_id": str(edit.participant_id),
            "to_group": edit.to_group,
        }
    else:
        first, second = (str(p) for p in edit.participant_ids or ())
        engine_edit, payload = Swap(first, second), {"first": first, "second": second}
    where = {m: n for n, members in editor.state for m in members}
    try:
        editor.apply(engine_edit)
    except EditRefusedError as refused:
        raise RunEditRefusedError(
            refused.rule, _named(detail, refused.people), refused.group
        ) from None
    moving = payload.get("participant_id"), payload.get("first"), payload.get("second")
    touched = {where[str(p)] for p in moving if p is not None}
    if isinstance(engine_edit, Move):
        touched.add(engine_edit.to_group)
    return _write(store, detail, editor, edit.op, payload, edit.expected_edit_seq, touched)


def revert_run_edit(
    store: GroupingStore,
    *,
    run_id: UUID,
    kind: Literal["undo", "redo"],
    expected_seq: int,
    health: HealthAnswers | None = None,
) -> EditedRun:
    """Undoes the run's latest edit (or redoes the latest undone one): exactly the groups,
    members and scores before it (after it)."""
    detail, entries = _editable(store, run_id, expected_seq)
    target = revert_target(logged_edits(entries), kind)
    if target is None:
        raise NothingToUndoError() if kind == "undo" else NothingToRedoError()
    wanted = target.before if kind == "undo" else target.after
    groups = {**_members(detail), **{n: list(m) for n, m in wanted.items()}}
    editor = _editor(store, detail, groups, health)
    return _write(store, detail, editor, kind, {}, expected_seq, set(wanted))


def _editable(
    store: GroupingStore, run_id: UUID, expected_seq: int
) -> tuple[RunDetail, list[RunEditEntry]]:
    """The run and its edit log, when it can be edited at `expected_seq`."""
    detail = store.get_run(run_id=run_id)
    if detail.run.status != "succeeded":
        raise RunNotEditableError()
    entries = store.edits.list_edits(run_id=run_id)
    if max((e.seq for e in entries), default=0) != expected_seq:
        raise StaleRunEditError()
    return detail, entries


def _members(detail: RunDetail) -> dict[int, list[str]]:
    return {g.group_number: [str(m) for m in g.member_ids] for g in detail.groups}


def _editor(
    store: GroupingStore,
    detail: RunDetail,
    groups: Mapping[int, Sequence[str]],
    health: HealthAnswers | None,
) -> RunEditor:
    run = detail.run
    members = {m for group in groups.values() for m in group}
    people = [p for p in run_participants(store, run.event_id, health) if p.id in members]
    missing = sorted(members - {p.id for p in people})
    if missing:
        # Someone withdrew since the run: their group cannot be checked or scored.
        raise RunEditRefusedError("unknown-person", _named(detail, missing))
    return RunEditor(
        people,
        GroupingOptions.model_validate(run.options),
        groups,
        pairs=pair_requests(store, run.event_id, people),
        run_date=run.started_at.date(),
    )


def _write(
    store: GroupingStore,
    detail: RunDetail,
    editor: RunEditor,
    kind: Literal["move", "swap", "undo", "redo"],
    payload: dict[str, object],
    expected_seq: int,
    touched: set[int],
) -> EditedRun:
    try:
        scored = editor.groups(touched)
    except KeyError as missing:
        # A member the engine leaves out (an invalid profile now): not scored, not written.
        people = _named(detail, [str(missing.args[0])])
        raise RunEditRefusedError("unknown-person", people) from None
    run_id = detail.run.run_id
    seq = store.edits.apply_edit(
        run_id=run_id,
        expected_seq=expected_seq,
        kind=kind,
        edit=payload,
        groups=[group.model_dump(mode="json") for group in scored],
    )
    return EditedRun(
        run_id=run_id,
        edit_seq=seq,
        kind=kind,
        changed_groups=sorted(touched),
        groups=store.get_run(run_id=run_id).groups,
    )


def _named(detail: RunDetail, people: Sequence[str]) -> list[dict[str, str | None]]:
    names = {
        str(member): name
        for group in detail.groups
        for member, name in zip(group.member_ids, group.member_names, strict=True)
    }
    return [{"participant_id": person, "name": names.get(person)} for person in people]
