"""What the API shows of a run: summaries, groups and a queue without anyone's allergies.

The engine explains a left-out participant with details that may name their severe
allergens; a response keeps only the details listed here (pool, sizes, counts), so a
person's allergies never leave the database through the API. Groups carry only their
group-level allergy summary. Each unassigned entry carries a sentence saying why
(`explanation`, English or Hebrew), written from those safe details only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from engine import Group, UnassignedParticipant
from engine.grouping.report.reasons import Lang, explain
from functions.grouping.outcomes import RunOutcome, RunReport
from functions.grouping.schemas import SAFE_DETAIL_KEYS, RunDetail, RunGroup, RunSummary


def safe_details(details: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in details.items() if key in SAFE_DETAIL_KEYS}


class UnassignedView(BaseModel):
    participant_id: str
    full_name: str | None = None
    # The id the person's import gave them (how to show one without a name).
    input_id: str | None = None
    reason: str
    details: dict[str, Any]
    # The reason as a sentence, from the safe details only.
    explanation: str = ""


def unassigned_view(
    participant_id: str,
    full_name: str | None,
    reason: str,
    details: Mapping[str, Any],
    lang: Lang = "en",
    input_id: str | None = None,
) -> UnassignedView:
    shown = safe_details(details)
    return UnassignedView(
        participant_id=participant_id,
        full_name=full_name,
        input_id=input_id,
        reason=reason,
        details=shown,
        explanation=explain(reason, shown, lang),
    )


class RunView(BaseModel):
    """GET /runs/{run_id}: the run, its groups and its unassigned queue."""

    run: RunSummary
    groups: list[RunGroup]
    unassigned: list[UnassignedView]


class BuildGroupsAnswer(RunReport):
    """POST /build-groups: the run made (or, for a dry run, the groups it would make)."""

    groups: list[Group] | None = None
    unassigned: list[UnassignedView] | None = None


def _unassigned(entry: UnassignedParticipant, lang: Lang) -> UnassignedView:
    return unassigned_view(entry.participant_id, None, entry.reason, entry.details, lang)


def build_groups_answer(outcome: RunOutcome, lang: Lang = "en") -> BuildGroupsAnswer:
    answer = BuildGroupsAnswer(**outcome.model_dump(exclude={"result"}))
    if outcome.result is not None:
        answer.groups = outcome.result.groups
        answer.unassigned = [_unassigned(entry, lang) for entry in outcome.result.unassigned]
    return answer


def run_view(detail: RunDetail, lang: Lang = "en") -> RunView:
    return RunView(
        run=detail.run,
        groups=detail.groups,
        unassigned=[
            unassigned_view(
                str(entry.participant_id),
                entry.full_name,
                entry.reason,
                entry.details,
                lang,
                input_id=entry.input_id,
            )
            for entry in detail.unassigned
        ],
    )
