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

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID

from pydantic import ValidationError

from engine import GroupingOptions, GroupingResult, Participant, __version__, run_grouping
from engine.grouping.continuity.stable import run_stable
from functions.grouping.errors import (
    ArchivedPolicyError,
    ClosedEventError,
    GroupingRunFailedError,
    IdempotencyConflictError,
    NoActivePolicyError,
    RunInProgressError,
)
from functions.grouping.keeping import keeping_for
from functions.grouping.outcomes import RunOutcome, new_outcome, replayed_outcome
from functions.grouping.schemas import PolicyPublic, RunRecord, TriggerSource
from functions.grouping.store import GroupingStore
from functions.grouping.telemetry import record_run
from functions.web.errors import ServiceError
from functions.web.problems import invalid_input

logger = logging.getLogger("functions.grouping")

# Where a person whose sealed answers do not open is sent: the health part of the answers.
UNREADABLE_FIELD = "responses.dietary_restrictions"
UNREADABLE_PROBLEM = "the stored answers failed their integrity check; import them again"


class HealthAnswers(Protocol):
    """What a run needs of the health feature: everyone's health answers, opened."""

    def for_run(self, *, event_id: UUID | None) -> Mapping[str, Mapping[str, Any] | None]:
        """Participant id → their health answers; None for answers that do not open."""
        ...


@dataclass(frozen=True)
class RunRequest:
    trigger_source: TriggerSource
    policy_id: UUID | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    idempotency_key: str | None = None
    # The day birth dates are read against (default: today); the nightly job's date.
    run_date: date | None = None
    # The event whose registrations are grouped; None: every active participant.
    event_id: UUID | None = None
    # A run of the same event to start from (issue 15); `keep_latest`: the event's latest.
    keep_from_run_id: UUID | None = None
    keep_latest: bool = False


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
        replayed = _claim(store, key, request_hash(request))
        if replayed is not None:
            return replayed
    try:
        return _run(store, request, health)
    finally:
        # Saved or failed, the run is no longer in flight: a saved one is found by its key.
        if key is not None:
            _release(store, key)


def _claim(store: GroupingStore, key: str, asked: str) -> RunOutcome | None:
    """The replayed outcome when a run exists under `key`; None once this request owns it."""
    claim = store.claim_run(idempotency_key=key, request_hash=asked)
    if claim == "in-progress":
        raise RunInProgressError()
    if claim == "claimed":
        return None
    existing = store.find_run_by_idempotency_key(key=key)
    if existing is None:  # the claim saw a run that is not visible now: refuse, do not rerun
        raise RunInProgressError()
    if existing.request_hash != asked:
        raise IdempotencyConflictError()
    logger.info("run %s replayed for its idempotency key", existing.run_id)
    return replayed_outcome(store.get_run(run_id=existing.run_id).run)


def _release(store: GroupingStore, key: str) -> None:
    # Best effort: an unreleased claim only delays a retry until its lease runs out.
    try:
        store.release_run_claim(idempotency_key=key)
    except ServiceError as error:
        logger.warning("a run's claim stays until it expires: %s", type(error).__name__)


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
        saved = store.find_run_by_idempotency_key(key=request.idempotency_key)
        if saved is not None and saved.started_at != record.started_at:
            # The save found a run another request had saved under the key first (possible
            # only once a claim's lease ran out): report that run, as a replay.
            logger.info("run %s replayed: the save found it under its key", run_id)
            return replayed_outcome(store.get_run(run_id=run_id).run)
    return new_outcome(
        run_id, policy, record, result, dry_run=request.dry_run, event_id=request.event_id
    )


def run_participants(
    store: GroupingStore, event_id: UUID | None, health: HealthAnswers | None
) -> list[Participant]:
    """Whom a run of `event_id` groups, with their health answers opened (one audited read)
    when `health` is given: the one place runs and manual edits read people."""
    participants = store.list_active_participants(event_id=event_id)
    if health is None:
        return participants
    return with_health(participants, health.for_run(event_id=event_id))


def with_health(
    participants: list[Participant], opened: Mapping[str, Mapping[str, Any] | None]
) -> list[Participant]:
    """Each participant with their opened health answers beside the clear ones, in memory
    only; one whose sealed answers do not open carries the field as unreadable."""
    merged = []
    for person in participants:
        if person.id not in opened:
            merged.append(person)
            continue
        answers = opened[person.id]
        if answers is None:
            update: dict[str, Any] = {"unreadable": {UNREADABLE_FIELD: UNREADABLE_PROBLEM}}
        else:
            update = {"responses": {**person.responses, **answers}}
        merged.append(person.model_copy(update=update))
    return merged


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


def request_hash(request: RunRequest) -> str:
    """What was asked, as asked: a retry must repeat it to get the first run back.

    The policy is the one named (or "active"), not the one it resolved to, so a retry
    after another policy became active still finds its first run; two concurrent
    retries with one key store one run, since the save compares the same hash.
    """
    policy = str(request.policy_id) if request.policy_id is not None else "active"
    asked: list[Any] = [policy, dict(request.overrides), request.trigger_source]
    if request.event_id is not None:
        # Only then, so a run without an event hashes as it did before events existed.
        asked.append(str(request.event_id))
    if request.keep_from_run_id is not None or request.keep_latest:
        # The latest run is asked for as such: a retry after the first save asks the same.
        asked.append(str(request.keep_from_run_id or "latest"))
    text = json.dumps(asked, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


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
