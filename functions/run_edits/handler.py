"""Manual edits of a saved run (issue 15). Admins only.

PATCH /runs/{run_id}/groups: one move (`op: move`, a person into group `to_group`) or
swap (`op: swap`, two people of different groups), against the run's edit version
`expected_edit_seq`; checked against the hard rules (a refusal is 409 `edit-refused`
naming the rule and the people), the changed groups rescored. POST
/runs/{run_id}/groups/undo and /redo: the latest edit undone (redone), exactly. GET
/runs/{run_id}/edits: the audit log, who edited what. A stale version is 409 `stale-edit`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Body

from functions.auth.deps import AdminDep
from functions.grouping.deps import StoreDep
from functions.grouping.edit_schemas import EditedRun, GroupEdit, RevertRequest, RunEditEntry
from functions.grouping.editing import edit_run, revert_run_edit
from functions.health.deps import RunAnswersDep
from functions.web.app import create_app, mangum_handler

router = APIRouter()


@router.patch("/runs/{run_id}/groups")
def edit_groups(
    caller: AdminDep,
    store: StoreDep,
    health: RunAnswersDep,
    run_id: UUID,
    edit: Annotated[GroupEdit, Body()],
) -> EditedRun:
    return edit_run(store, run_id=run_id, edit=edit, health=health)


@router.post("/runs/{run_id}/groups/{kind}")
def revert_edit(
    caller: AdminDep,
    store: StoreDep,
    health: RunAnswersDep,
    run_id: UUID,
    kind: Literal["undo", "redo"],
    body: Annotated[RevertRequest, Body()],
) -> EditedRun:
    """`undo`: the latest edit undone; `redo`: the latest undone edit made again."""
    seq = body.expected_edit_seq
    return revert_run_edit(store, run_id=run_id, kind=kind, expected_seq=seq, health=health)


@router.get("/runs/{run_id}/edits")
def list_edits(caller: AdminDep, store: StoreDep, run_id: UUID) -> list[RunEditEntry]:
    return store.edits.list_edits(run_id=run_id)


app = create_app("run_edits", router)
handler = mangum_handler(app)
