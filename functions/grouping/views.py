"""What the API shows of a run: summaries, groups and a queue without anyone's allergies.

The engine explains a left-out participant with details that may name their severe
allergens; a response keeps only the details listed here (pool, sizes, counts), so a
person's allergies never leave the database through the API. Groups carry only their
group-level allergy summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from engine import Group, UnassignedParticipant
from functions.grouping.outcomes import RunOutcome, RunReport
from functions.grouping.schemas import RunDetail, RunGroup, RunSummary

# Details of the unassigned queue that describe the pool and the rules, not the person's
# answers. Anything else (e.g. `severe_allergens`) is left out of every response.
SAFE_DETAIL_KEYS = frozenset(
    {
        "pool",
        "pool_size",
        "placed_in_pool",
        "left_out_in_pool",
        "groups_in_pool",
        "min_group_size",
        "target_group_size",
        "more_participants_needed_for_a_group",
        "max_allergy_count",
        "alone_exceeds_limit",
        "youngest_band_starts_at",
        "field",
    }
)


def safe_details(details: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in details.items() if key in SAFE_DETAIL_KEYS}


class UnassignedView(BaseModel):
    participant_id: str
    full_name: str | None = None
    reason: str
    details: dict[str, Any]


class RunView(BaseModel):
    """GET /runs/{run_id}: the run, its groups and its unassigned queue."""

    run: RunSummary
    groups: list[RunGroup]
    unassigned: list[UnassignedView]


class BuildGroupsAnswer(RunReport):
    """POST /build-groups: the run made (or, for a dry run, the groups it would make)."""

    groups: list[Group] | None = None
    unassigned: list[UnassignedView] | None = None


def _unassigned(entry: UnassignedParticipant) -> UnassignedView:
    return UnassignedView(
        participant_id=entry.participant_id,
        reason=entry.reason,
        details=safe_details(entry.details),
    )


def build_groups_answer(outcome: RunOutcome) -> BuildGroupsAnswer:
    answer = BuildGroupsAnswer(**outcome.model_dump(exclude={"result"}))
    if outcome.result is not None:
        answer.groups = outcome.result.groups
        answer.unassigned = [_unassigned(entry) for entry in outcome.result.unassigned]
    return answer


def run_view(detail: RunDetail) -> RunView:
    return RunView(
        run=detail.run,
        groups=detail.groups,
        unassigned=[
            UnassignedView(
                participant_id=str(entry.participant_id),
                full_name=entry.full_name,
                reason=entry.reason,
                details=safe_details(entry.details),
            )
            for entry in detail.unassigned
        ],
    )
