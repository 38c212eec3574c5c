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

Events. Once an organiser works in events (any event exists, open or closed), a night
regroups each open event whose date is that night or later, one run per event and night
(key `nightly-<event id>-<YYYY-MM-DD>`, the event's registrations, starting from the
event's latest run so only what changed moves people), soonest first, and no
longer runs every active participant: such a run belongs to no dinner, and as the latest
run it would become the group a participant sees (`my_group`). No open event ahead is
logged and skipped. Only where there are no events at all does a night run as before
(every active participant, `nightly-YYYY-MM-DD`). One event's failure does not stop the
others; it is raised once all have run, so Lambda's retry runs it again and the others,
already saved under their keys, answer `already-done`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from functions.events.deps import service_role_events_store
from functions.events.schemas import EventPublic
from functions.grouping.deps import service_role_store
from functions.grouping.errors import ClosedEventError, NoActivePolicyError, RunInProgressError
from functions.grouping.people import HealthAnswers
from functions.grouping.run_request import RunRequest
from functions.grouping.service import run_policy
from functions.grouping.store import GroupingStore
from functions.health.deps import service_role_run_answers
from functions.web.errors import NotFoundError, ServiceError
from functions.web.observability import configure_logging, lambda_entry
from functions.web.settings import get_settings

logger = logging.getLogger("functions.nightly_regroup")

Now = Callable[[], datetime]
SCHEDULED_SOURCE = "aws.events"
SCHEDULED_DETAIL_TYPE = "Scheduled Event"
# How far the event's time may be from now, either way.
MAX_DISTANCE = timedelta(days=1)


# The route the nightly job's health reads are audited under.
NIGHTLY_ROUTE = "nightly_regroup"


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


def events_due(events: list[EventPublic], night: date) -> list[EventPublic] | None:
    """The events a night regroups, soonest first; None when there are no events at all
    (the night then runs every active participant, as before events)."""
    if not events:
        return None
    return [event for event in events if event.status == "open" and event.event_date >= night]


def nightly(event: Any, context: Any, *, now: Now = utc_now) -> dict[str, Any]:
    """The schedule's entry point (as `handler`, with the invocation's log keys)."""
    try:
        night = night_of(event, now())
    except RefusedEventError as refused:
        logger.warning("nightly regroup refused an event: %s", refused.reason)
        return {"status": "refused", "reason": refused.reason}
    settings = get_settings()
    store = service_role_store(settings)
    health = service_role_run_answers(settings, NIGHTLY_ROUTE)
    due = events_due(service_role_events_store(settings).list_events(), night)
    try:
        if due is None:
            return regroup_everyone(store, night, health=health)
        return regroup_events(store, night, due, health=health)
    except NoActivePolicyError:
        logger.info("nightly regroup for %s skipped: no active policy", night)
        return {"status": "skipped", "reason": "no-active-policy", "night": night.isoformat()}


def regroup_everyone(
    store: GroupingStore, night: date, *, health: HealthAnswers | None = None
) -> dict[str, Any]:
    """The night without events: every active participant, one run a night."""
    request = RunRequest(
        trigger_source="nightly", idempotency_key=f"nightly-{night.isoformat()}", run_date=night
    )
    try:
        outcome = run_policy(store=store, request=request, health=health)
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


def regroup_events(
    store: GroupingStore,
    night: date,
    due: list[EventPublic],
    *,
    health: HealthAnswers | None = None,
) -> dict[str, Any]:
    """Each open event ahead, one run per event and night; a failure is raised at the end."""
    if not due:
        logger.info("nightly regroup for %s skipped: no open event ahead", night)
        return {"status": "skipped", "reason": "no-open-event", "night": night.isoformat()}
    summaries: list[dict[str, Any]] = []
    failures: list[ServiceError] = []
    for event in due:
        try:
            summaries.append(regroup_event(store, night, event, health=health))
        except NoActivePolicyError:
            raise
        except ServiceError as error:
            logger.error("nightly regroup of event %s failed: %s", event.id, type(error).__name__)
            failures.append(error)
    if failures:
        raise failures[0]
    return {"status": "succeeded", "night": night.isoformat(), "events": summaries}


def regroup_event(
    store: GroupingStore, night: date, event: EventPublic, *, health: HealthAnswers | None = None
) -> dict[str, Any]:
    """One event's run for the night (its registrations), or why there is none."""
    request = RunRequest(
        trigger_source="nightly",
        event_id=event.id,
        idempotency_key=f"nightly-{event.id}-{night.isoformat()}",
        run_date=night,
        # Start from the event's latest run: people already told their group keep it.
        keep_latest=True,
    )
    named = {"event_id": str(event.id)}
    try:
        outcome = run_policy(store=store, request=request, health=health)
    except RunInProgressError:
        logger.info("nightly regroup of event %s is already running", event.id)
        return {**named, "status": "already-running"}
    except (ClosedEventError, NotFoundError) as gone:
        # Closed (or deleted) since the events were read.
        reason = "event-closed" if isinstance(gone, ClosedEventError) else "no-such-event"
        logger.info("nightly regroup of event %s skipped: %s", event.id, reason)
        return {**named, "status": "skipped", "reason": reason}
    status = "already-done" if outcome.replayed else "succeeded"
    logger.info(
        "nightly regroup of event %s for %s %s: run %s", event.id, night, status, outcome.run_id
    )
    return {**named, "status": status, "run_id": str(outcome.run_id), **outcome.counts.model_dump()}


# The JSON logs every function has (HTTP ones get them through create_app).
configure_logging()
handler = lambda_entry(nightly, function="nightly_regroup")
