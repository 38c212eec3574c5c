"""What a grouping run answers its caller: the policy and options used, counts, diagnostics."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel

from engine import GroupingResult
from functions.grouping.schemas import PolicyPublic, RunRecord, RunSummary


class PolicyUsed(BaseModel):
    id: UUID
    name: str


class RunCounts(BaseModel):
    participants: int
    assigned: int
    unassigned: int
    groups: int


class RunReport(BaseModel):
    """A run as its caller hears of it: which policy and options, and how it went."""

    run_id: UUID | None
    replayed: bool
    dry_run: bool
    policy: PolicyUsed
    # The event whose registrations were grouped; None for every active participant.
    event_id: UUID | None = None
    options: dict[str, Any]
    counts: RunCounts
    diagnostics: dict[str, Any]


class RunOutcome(RunReport):
    """What a run produced; `result` only for a dry run (nothing else shows members)."""

    result: GroupingResult | None = None


def new_outcome(
    run_id: UUID | None,
    policy: PolicyPublic,
    record: RunRecord,
    result: GroupingResult,
    *,
    dry_run: bool,
    event_id: UUID | None = None,
) -> RunOutcome:
    counts = result.diagnostics.counts
    return RunOutcome(
        run_id=run_id,
        replayed=False,
        dry_run=dry_run,
        policy=PolicyUsed(id=policy.id, name=policy.name),
        event_id=event_id,
        options=record.options,
        counts=RunCounts(
            participants=counts.assigned + counts.unassigned,
            assigned=counts.assigned,
            unassigned=counts.unassigned,
            groups=counts.groups,
        ),
        diagnostics=result.diagnostics.model_dump(mode="json"),
        result=result if dry_run else None,
    )


def replayed_outcome(run: RunSummary) -> RunOutcome:
    """The outcome of a run saved before, as its first request answered it."""
    return RunOutcome(
        run_id=run.run_id,
        replayed=True,
        dry_run=False,
        policy=PolicyUsed(id=run.policy_id, name=run.policy_name),
        event_id=run.event_id,
        options=run.options,
        counts=RunCounts(
            participants=run.participant_count,
            assigned=run.assigned_count,
            unassigned=run.unassigned_count,
            groups=run.group_count,
        ),
        diagnostics=run.diagnostics,
    )
