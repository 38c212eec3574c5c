"""A grouping run's metrics (CloudWatch embedded metric format, `functions.web.observability`):
runs, participants, assigned, unassigned by reason, and the engine's and the save's times.
Counts only, never who: the reasons are the spec's five slugs."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from engine import GroupingResult
from functions.web.observability import record, record_counts


def record_run(
    result: GroupingResult,
    *,
    trigger: str,
    engine_seconds: float,
    save_seconds: float | None,
) -> None:
    """The metrics of a run the engine finished; `save_seconds` is None for a dry run."""
    counts = result.diagnostics.counts
    record_counts(
        {"Runs": 1, "Participants": counts.participants, "Assigned": counts.assigned},
        trigger=trigger,
    )
    for reason, unassigned in sorted(counts.unassigned_by_reason.items()):
        record("Unassigned", unassigned, MetricUnit.Count, reason=str(reason))
    record("EngineDuration", engine_seconds * 1000, MetricUnit.Milliseconds)
    if save_seconds is not None:
        record("SaveDuration", save_seconds * 1000, MetricUnit.Milliseconds)
