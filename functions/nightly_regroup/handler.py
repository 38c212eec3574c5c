"""The nightly regroup: an EventBridge schedule runs the active policy as the service role.

At most one run per night however often the event is delivered: the run's idempotency
key is the event's date (`nightly-YYYY-MM-DD`), so a second delivery finds the first
run and stops. No active policy is logged and skipped, not an error. An engine or
database failure is recorded as a failed run and raised, so Lambda's retry tries again.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from functions.grouping.deps import service_role_store
from functions.grouping.errors import NoActivePolicyError
from functions.grouping.service import RunRequest, run_policy
from functions.web.settings import get_settings

logger = logging.getLogger("functions.nightly_regroup")


def night_of(event: dict[str, Any]) -> date:
    """The UTC date the schedule fired for (`time` in the event), else today's."""
    fired = event.get("time")
    if isinstance(fired, str):
        try:
            return datetime.fromisoformat(fired).astimezone(UTC).date()
        except ValueError:
            logger.warning("nightly event has an unreadable time; using today's date")
    return datetime.now(UTC).date()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    night = night_of(event)
    request = RunRequest(
        trigger_source="nightly", idempotency_key=f"nightly-{night.isoformat()}", run_date=night
    )
    store = service_role_store(get_settings())
    try:
        outcome = run_policy(store=store, request=request)
    except NoActivePolicyError:
        logger.info("nightly regroup for %s skipped: no active policy", night)
        return {"status": "skipped", "reason": "no-active-policy", "night": night.isoformat()}
    status = "already-done" if outcome.replayed else "succeeded"
    logger.info("nightly regroup for %s %s: run %s", night, status, outcome.run_id)
    return {
        "status": status,
        "night": night.isoformat(),
        "run_id": str(outcome.run_id),
        "policy_id": str(outcome.policy.id),
        **outcome.counts.model_dump(),
    }
