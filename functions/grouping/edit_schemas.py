"""What manual edits of a run look like over HTTP (issue 15): the requests, the edit log's
rows, and the answer after an edit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.grouping.continuity.history import LoggedEdit
from functions.grouping.schemas import GroupScores, RunGroup

EditSeq = Annotated[
    int,
    Field(
        ge=0,
        le=1_000_000,
        description="the run's edit version this request was made against (its latest"
        " `edit_seq`, 0 before any edit); a stale one is 409 `stale-edit`",
    ),
]


class _EditBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_edit_seq: EditSeq


class GroupEdit(_EditBase):
    """One edit: `move` a person (`participant_id`) into group `to_group`, or `swap` two
    people (`participant_ids`) of different groups."""

    op: Literal["move", "swap"]
    participant_id: UUID | None = Field(None, description="move: who moves")
    to_group: Annotated[
        int | None, Field(gt=0, le=100_000, description="move: the group's number")
    ] = None
    participant_ids: Annotated[
        list[UUID] | None, Field(min_length=2, max_length=2, description="swap: the two people")
    ] = None

    @model_validator(mode="after")
    def _fields_of_the_op(self) -> GroupEdit:
        if self.op == "move" and (self.participant_id is None or self.to_group is None):
            raise ValueError("a move names participant_id and to_group")
        if self.op == "swap" and (
            self.participant_ids is None or len(set(self.participant_ids)) != 2
        ):
            raise ValueError("a swap names participant_ids: two different people")
        return self


class RevertRequest(_EditBase):
    """An undo or a redo: the run's latest edit version."""


class GroupState(GroupScores):
    """A group in the edit log: members (sorted ids) and the scores saved with them."""

    members: list[UUID]


class RunEditEntry(BaseModel):
    """One row of a run's edit log (`run_edits`): who changed which groups, and how."""

    seq: int
    kind: Literal["move", "swap", "undo", "redo"]
    edit: dict[str, Any]
    target_seq: int | None
    before: dict[int, GroupState]
    after: dict[int, GroupState]
    actor: UUID
    created_at: datetime


class EditedRun(BaseModel):
    """The run's groups after an edit, undo or redo, and its new edit version."""

    run_id: UUID
    edit_seq: int
    kind: Literal["move", "swap", "undo", "redo"]
    changed_groups: list[int]
    groups: list[RunGroup]


def logged_edits(entries: list[RunEditEntry]) -> list[LoggedEdit]:
    """The log as the engine reads it: each changed group's members, by number."""

    def members(states: dict[int, GroupState]) -> dict[int, list[str]]:
        return {number: [str(m) for m in state.members] for number, state in states.items()}

    return [
        LoggedEdit(e.seq, e.kind, members(e.before), members(e.after), e.target_seq)
        for e in entries
    ]
