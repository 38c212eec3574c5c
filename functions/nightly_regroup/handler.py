"""The nightly regroup: an EventBridge schedule runs the active policy as the service role.

Only an EventBridge Scheduled Event (`source` "aws.events", `detail-type` "Scheduled
Event", a `time` with its zone) within a day of now is run; anything else is refused
before the database is touched, with one log line that repeats nothing of the event,
and is answered, not raised: a bad event would fail the same way on Lambda's retries.
The day either way covers a clock a little off and EventBridge retrying a delivery for
up to 24 hours; an older event is a replay and must not regroup.

At most one run per night however often the event is delivered: the run's idempotency
key is the event's UTC date (`nightly-YYYY-MM-DD`), so a later delivery finds the first
run and answers `already-done`, and one that arrives while the first is still running
answers `already-running` (the first delivery owns the night: if it fails, its own
retry runs it again). No active policy is logged and skipped, not an error. An engine or
database failure is recorded as a failed run and raised, so Lambda's retry tries again.
The clock is passed in (`now`), so tests fix the moment the event arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from functions.grouping.deps import service_role_store
from functions.grouping.errors import NoActivePolicyError, RunInProgressError
from functions.grouping.service import RunRequest, run_policy
from functions.web.settings import get_settings

logger = logging.getLogger("functions.nightly_regroup")

Now = Callable[[], datetime]
SCHEDULED_SOURCE = "aws.events"
SCHEDULED_DETAIL_TYPE = "Scheduled Event"
# How far the event's time may be from now, either way.
MAX_DISTANCE = timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


class RefusedEventError(Exception):
    """Why an event is not a night to run; `reason` is all that is logged or answered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def night_of(event: object, now: datetime) -> date:
    """The UTC date a Scheduled Event fired for; `RefusedEventError` for anything else."""
    if (
        not isinstance(event, Mapping)
        or event.get("source") != SCHEDULED_SOURCE
        or event.get("detail-type") != SCHEDULED_DETAIL_TYPE
    ):
        raise RefusedEventError("not-a-scheduled-event")
    fired = event.get("time")
    try:
        moment = datetime.fromisoformat(fired) if isinstance(fired, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise RefusedEventError("unreadable-time")
    if abs(moment - now) > MAX_DISTANCE:
        raise RefusedEventError("night-out-of-range")
    return moment.astimezone(UTC).date()


def handler(event: Any, context: Any, *, now: Now = utc_now) -> dict[str, Any]:
    try:
        night = night_of(event, now())
    except RefusedEventError as refused:
        logger.warning("nightly regroup refused an event: %s", refused.reason)
        return {"status": "refused", "reason": refused.reason}
    request = RunRequest(
        trigger_source="nightly", idempotency_key=f"nightly-{night.isoformat()}", run_date=night
    )
    store = service_role_store(get_settings())
    try:
        outcome = run_policy(store=store, request=request)
    except NoActivePolicyError:
        logger.info("nightly regroup for %s skipped: no active policy", night)
        return {"status": "skipped", "reason": "no-active-policy", "night": night.isoformat()}
    except RunInProgressError:
        logger.info("nightly regroup for %s is already running in another delivery", night)
        return {"status": "already-running", "night": night.isoformat()}
    status = "already-done" if outcome.replayed else "succeeded"
    logger.info("nightly regroup for %s %s: run %s", night, status, outcome.run_id)
    return {
        "status": status,
        "night": night.isoformat(),
        "run_id": str(outcome.run_id),
        "policy_id": str(outcome.policy.id),
        **outcome.counts.model_dump(),
    }
