"""A grouping run from policy to saved run, shared by POST /build-groups and the nightly job.

No HTTP here: callers pass a store and a `RunRequest`, and get a `RunOutcome` or a
domain error (`NoActivePolicyError` → 409, invalid options → 422 naming
`options.<field>`, `GroupingRunFailedError` → 500 after the run was recorded as failed).
A retry with the same idempotency key returns the first run without running the
engine again. Logs carry ids, counts and error types only: never answers or SQL.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from engine import GroupingOptions, GroupingResult, Participant, __version__, run_grouping
from functions.grouping.errors import (
    ArchivedPolicyError,
    GroupingRunFailedError,
    IdempotencyConflictError,
    NoActivePolicyError,
)
from functions.grouping.schemas import PolicyPublic, RunRecord, RunSummary, TriggerSource
from functions.grouping.store import GroupingStore
from functions.web.errors import ServiceError
from functions.web.problems import invalid_input

logger = logging.getLogger("functions.grouping")


@dataclass(frozen=True)
class RunRequest:
    trigger_source: TriggerSource
    policy_id: UUID | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    idempotency_key: str | None = None
    # The day birth dates are read against (default: today); the nightly job's date.
    run_date: date | None = None


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
    options: dict[str, Any]
    counts: RunCounts
    diagnostics: dict[str, Any]


class RunOutcome(RunReport):
    """What a run produced; `result` only for a dry run (nothing else shows members)."""

    result: GroupingResult | None = None


def run_policy(*, store: GroupingStore, request: RunRequest) -> RunOutcome:
    """Run the engine for `request` and save the run (unless a dry run)."""
    if request.idempotency_key is not None and not request.dry_run:
        existing = store.find_run_by_idempotency_key(key=request.idempotency_key)
        if existing is not None:
            if existing.request_hash != request_hash(request):
                raise IdempotencyConflictError()
            logger.info("run %s replayed for its idempotency key", existing.run_id)
            return replayed_outcome(store.get_run(run_id=existing.run_id).run)
    policy = policy_for(store=store, policy_id=request.policy_id)
    options = effective_options(policy=policy, overrides=request.overrides)
    participants = store.list_active_participants()
    record = RunRecord(
        trigger_source=request.trigger_source,
        options=options.model_dump(mode="json"),
        engine_version=__version__,
        started_at=datetime.now(UTC),
    )
    result = _engine_result(store, policy, record, participants, request)
    run_id = None if request.dry_run else _save(store, policy, record, result, request)
    return _outcome(run_id, policy, record, result, dry_run=request.dry_run)


def policy_for(*, store: GroupingStore, policy_id: UUID | None) -> PolicyPublic:
    """The given policy, else the active one; `NoActivePolicyError` when none is active."""
    if policy_id is not None:
        return store.get_policy(policy_id=policy_id)
    active = store.get_active_policy()
    if active is None:
        raise NoActivePolicyError()
    return active


def effective_options(
    *, policy: PolicyPublic, overrides: Mapping[str, Any], prefix: str = "options"
) -> GroupingOptions:
    """The policy's options with `overrides` on top, validated as the engine's options.

    Invalid values are a 422 naming `<prefix>.<field>`.
    """
    merged: dict[str, Any] = {**policy.engine_options(), **overrides}
    weights = overrides.get("scoring_weights")
    if isinstance(weights, Mapping):
        # A partial weights override changes only the weights it names.
        merged["scoring_weights"] = {
            **policy.scoring_weights.model_dump(exclude_unset=True),
            **weights,
        }
    try:
        return GroupingOptions.model_validate(merged)
    except ValidationError as error:
        raise invalid_input(error, prefix=prefix) from None


def request_hash(request: RunRequest) -> str:
    """What was asked, as asked: a retry must repeat it to get the first run back.

    The policy is the one named (or "active"), not the one it resolved to, so a retry
    after another policy became active still finds its first run; two concurrent
    retries with one key store one run, since the save compares the same hash.
    """
    policy = str(request.policy_id) if request.policy_id is not None else "active"
    asked = json.dumps([policy, dict(request.overrides), request.trigger_source], sort_keys=True)
    return hashlib.sha256(asked.encode()).hexdigest()


def _engine_result(
    store: GroupingStore,
    policy: PolicyPublic,
    record: RunRecord,
    participants: list[Participant],
    request: RunRequest,
) -> GroupingResult:
    options = GroupingOptions.model_validate(record.options)
    try:
        return run_grouping(participants, options, run_date=request.run_date)
    except Exception as error:
        if not request.dry_run:
            _record_failure(store, policy, record, f"engine failed: {type(error).__name__}")
        raise GroupingRunFailedError() from None


def _save(
    store: GroupingStore,
    policy: PolicyPublic,
    record: RunRecord,
    result: GroupingResult,
    request: RunRequest,
) -> UUID:
    finished = record.model_copy(update={"finished_at": datetime.now(UTC)})
    asked = request_hash(request)
    try:
        run_id = store.save_run(
            idempotency_key=request.idempotency_key,
            policy_id=policy.id,
            run=finished,
            result=result,
            request_hash=asked,
        )
    except (IdempotencyConflictError, ArchivedPolicyError):
        # Refusals of the request, not failures of the run: nothing to record (GR001, GR002).
        raise
    except ServiceError as error:
        _record_failure(store, policy, finished, f"saving failed: {type(error).__name__}")
        raise GroupingRunFailedError() from None
    logger.info(
        "run %s saved: policy %s, %d groups, %d unassigned",
        run_id,
        policy.id,
        len(result.groups),
        len(result.unassigned),
    )
    return run_id


def _record_failure(
    store: GroupingStore, policy: PolicyPublic, record: RunRecord, failure: str
) -> None:
    logger.error("grouping run for policy %s failed: %s", policy.id, failure)
    ended = record.model_copy(update={"finished_at": datetime.now(UTC)})
    try:
        store.record_failed_run(policy_id=policy.id, run=ended, failure=failure)
    except ServiceError as error:
        logger.error("the failed run could not be recorded: %s", type(error).__name__)


def _outcome(
    run_id: UUID | None,
    policy: PolicyPublic,
    record: RunRecord,
    result: GroupingResult,
    *,
    dry_run: bool,
) -> RunOutcome:
    counts = result.diagnostics.counts
    return RunOutcome(
        run_id=run_id,
        replayed=False,
        dry_run=dry_run,
        policy=PolicyUsed(id=policy.id, name=policy.name),
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
        options=run.options,
        counts=RunCounts(
            participants=run.participant_count,
            assigned=run.assigned_count,
            unassigned=run.unassigned_count,
            groups=run.group_count,
        ),
        diagnostics=run.diagnostics,
    )
