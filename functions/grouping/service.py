"""A grouping run from policy to saved run, shared by POST /build-groups and the nightly job.

No HTTP here: callers pass a store and a `RunRequest`, and get a `RunOutcome` or a
domain error (`NoActivePolicyError`, `ArchivedPolicyError` and, for a run of an event,
`ClosedEventError` → 409, an unknown event `NotFoundError` → 404, invalid options →
422 naming `options.<field>`, `RunInProgressError` → 409 while a request with the same
key runs, `GroupingRunFailedError` → 500 after the engine failed and the run was recorded
as failed, `DatabaseUnavailableError` → 503 with nothing saved). A retry with the same
idempotency key returns the first run without running the engine again. Logs carry ids,
counts and error types only: never answers or SQL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from engine import GroupingOptions, GroupingResult, Participant, __version__, run_grouping
from engine.grouping.continuity.stable import run_stable
from functions.grouping import idempotency
from functions.grouping.errors import (
    ArchivedPolicyError,
    ClosedEventError,
    GroupingRunFailedError,
    NoActivePolicyError,
)
from functions.grouping.keeping import keeping_for
from functions.grouping.outcomes import RunOutcome, new_outcome
from functions.grouping.people import HealthAnswers, run_participants
from functions.grouping.run_request import RunRequest, request_hash
from functions.grouping.schemas import PolicyPublic, RunRecord
from functions.grouping.store import GroupingStore
from functions.grouping.telemetry import record_run
from functions.web.errors import ServiceError
from functions.web.problems import invalid_input

logger = logging.getLogger("functions.grouping")


def run_policy(
    *, store: GroupingStore, request: RunRequest, health: HealthAnswers | None = None
) -> RunOutcome:
    """Run the engine for `request` and save the run (unless a dry run).

    With an idempotency key, the key is claimed first: a run already saved under it is
    replayed, and a second request while the first is running is refused
    (`RunInProgressError`, 409 `in-progress`), so the engine never runs twice for a key.
    `health` opens the sealed health answers (one audited read); a person whose answers do
    not open is unassigned as `invalid-profile` naming the field, and the run goes on.
    """
    key = None if request.dry_run else request.idempotency_key
    if key is not None:
        replayed = idempotency.claim(store, key, request_hash(request))
        if replayed is not None:
            return replayed
    try:
        return _run(store, request, health)
    finally:
        # Saved or failed, the run is no longer in flight: a saved one is found by its key.
        if key is not None:
            idempotency.release(store, key)


def _run(store: GroupingStore, request: RunRequest, health: HealthAnswers | None) -> RunOutcome:
    policy = policy_for(store=store, policy_id=request.policy_id)
    options = effective_options(policy=policy, overrides=request.overrides)
    if request.event_id is not None:
        _refuse_closed_event(store, request.event_id)
    participants = run_participants(store, request.event_id, health)
    record = RunRecord(
        trigger_source=request.trigger_source,
        options=options.model_dump(mode="json"),
        engine_version=__version__,
        started_at=datetime.now(UTC),
    )
    began = time.perf_counter()
    result = _engine_result(store, policy, record, participants, request)
    engine_done = time.perf_counter()
    run_id = None if request.dry_run else _save(store, policy, record, result, request)
    saved_in = None if request.dry_run else time.perf_counter() - engine_done
    record_run(
        result,
        trigger=request.trigger_source,
        engine_seconds=engine_done - began,
        save_seconds=saved_in,
    )
    if run_id is not None and request.idempotency_key is not None:
        key = request.idempotency_key
        replayed = idempotency.saved_first(store, key, run_id, record.started_at)
        if replayed is not None:
            return replayed
    return new_outcome(
        run_id, policy, record, result, dry_run=request.dry_run, event_id=request.event_id
    )


def policy_for(*, store: GroupingStore, policy_id: UUID | None) -> PolicyPublic:
    """The given policy, else the active one; `NoActivePolicyError` when none is active.

    An archived policy cannot run (`ArchivedPolicyError`, 409); the save refuses it too.
    """
    if policy_id is not None:
        policy = store.get_policy(policy_id=policy_id)
        if policy.archived_at is not None:
            raise ArchivedPolicyError()
        return policy
    active = store.get_active_policy()
    if active is None:
        raise NoActivePolicyError()
    return active


def _refuse_closed_event(store: GroupingStore, event_id: UUID) -> None:
    """A closed event is not grouped (`ClosedEventError`, 409), dry runs included; an unknown
    one is `NotFoundError`. The save refuses a closed event too (EV003), should it close
    while the engine runs."""
    if store.get_event(event_id=event_id).status == "closed":
        raise ClosedEventError()


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


def _engine_result(
    store: GroupingStore,
    policy: PolicyPublic,
    record: RunRecord,
    participants: list[Participant],
    request: RunRequest,
) -> GroupingResult:
    options = GroupingOptions.model_validate(record.options)
    keeping = keeping_for(
        store,
        event_id=request.event_id,
        keep_from_run_id=request.keep_from_run_id,
        keep_latest=request.keep_latest,
        participants=participants,
    )
    try:
        if keeping.start is None and not keeping.pairs:
            return run_grouping(participants, options, run_date=request.run_date)
        return run_stable(
            participants,
            options,
            start=keeping.start,
            pairs=keeping.pairs,
            run_date=request.run_date,
        )
    except Exception as error:
        if not request.dry_run:
            failure = f"engine failed: {type(error).__name__}"
            _record_failure(store, policy, record, failure, request.event_id)
        raise GroupingRunFailedError() from None


def _save(
    store: GroupingStore,
    policy: PolicyPublic,
    record: RunRecord,
    result: GroupingResult,
    request: RunRequest,
) -> UUID:
    """Saves the run in one transaction; a failure leaves nothing, and no failed-run row.

    A transient fault is `DatabaseUnavailableError` (503 with Retry-After): the client
    retries with the same key. Only an engine failure is recorded as a failed run.
    """
    finished = record.model_copy(update={"finished_at": datetime.now(UTC)})
    run_id = store.save_run(
        idempotency_key=request.idempotency_key,
        policy_id=policy.id,
        run=finished,
        result=result,
        request_hash=request_hash(request),
        event_id=request.event_id,
    )
    logger.info(
        "run %s saved: policy %s, event %s, %d groups, %d unassigned",
        run_id,
        policy.id,
        request.event_id,
        len(result.groups),
        len(result.unassigned),
    )
    return run_id


def _record_failure(
    store: GroupingStore,
    policy: PolicyPublic,
    record: RunRecord,
    failure: str,
    event_id: UUID | None,
) -> None:
    logger.error("grouping run for policy %s failed: %s", policy.id, failure)
    ended = record.model_copy(update={"finished_at": datetime.now(UTC)})
    try:
        store.record_failed_run(policy_id=policy.id, run=ended, failure=failure, event_id=event_id)
    except ServiceError as error:
        logger.error("the failed run could not be recorded: %s", type(error).__name__)
