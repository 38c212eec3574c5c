"""The nightly regroup as EventBridge delivers it, on real PostgreSQL as the service role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from functions.grouping.deps import service_role_store
from functions.grouping.run_request import RunRequest, request_hash
from functions.grouping.store import GroupingStore
from functions.nightly_regroup.handler import handler
from functions.web.settings import get_settings
from tests.functions.api_world import ApiWorld
from tests.functions.events import http_api_event, lambda_context

pytestmark = pytest.mark.db

FIRED = "2026-11-22T02:00:00Z"
# A marker in the refused events, which the log must not repeat.
SECRET = "do-not-log-me"


def scheduled_event(time: Any = FIRED, **changes: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time,
        "region": "eu-central-1",
        "resources": ["arn:aws:events:eu-central-1:123456789012:rule/nightly-regroup"],
        "detail": {},
        **changes,
    }


def clock_at(moment: str, *, later: timedelta = timedelta(seconds=3)) -> Callable[[], datetime]:
    """A clock stopped at `moment` (ISO 8601) plus `later`: when the event arrives."""
    return lambda: datetime.fromisoformat(moment) + later


def deliver(event: Any, now: str = FIRED, **clock: timedelta) -> dict[str, Any]:
    return handler(event, lambda_context(), now=clock_at(now, **clock))


@pytest.fixture
def service_env(api_world: ApiWorld, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "local")
    monkeypatch.setenv("DATABASE_URL", database_url)


def test_an_event_delivered_twice_makes_one_run(api_world: ApiWorld, service_env: None) -> None:
    api_world.seed_participants(24)
    policy_id = api_world.add_policy("Nightly", active=True)
    first = deliver(scheduled_event(FIRED))
    again = deliver(scheduled_event("2026-11-22T02:00:07Z"), later=timedelta(minutes=2))
    assert first["status"] == "succeeded" and again["status"] == "already-done"
    assert first["run_id"] == again["run_id"]
    assert first["policy_id"] == str(policy_id) and first["participants"] == 24
    rows = api_world.db.execute(
        "select trigger_source, triggered_by, idempotency_key from public.runs"
    ).fetchall()
    assert rows == [("nightly", None, "nightly-2026-11-22")]


def test_the_next_night_makes_a_new_run(api_world: ApiWorld, service_env: None) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)
    deliver(scheduled_event("2026-11-22T02:00:00Z"), "2026-11-22T02:00:00Z")
    deliver(scheduled_event("2026-11-23T02:00:00Z"), "2026-11-23T02:00:00Z")
    assert api_world.runs() == 2


def test_no_active_policy_is_skipped_not_an_error(
    api_world: ApiWorld, service_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Inactive")
    with caplog.at_level("INFO", logger="functions"):
        summary = deliver(scheduled_event(FIRED))
    assert summary == {"status": "skipped", "reason": "no-active-policy", "night": "2026-11-22"}
    assert api_world.runs() == 0
    assert any("skipped" in record.getMessage() for record in caplog.records)


def test_a_delivery_while_another_runs_the_night_is_not_reported_as_a_run(
    api_world: ApiWorld, service_env: None
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)
    # The first delivery has claimed the night and is running the engine.
    key = "nightly-2026-11-22"
    first = RunRequest(trigger_source="nightly", idempotency_key=key, run_date=date(2026, 11, 22))
    store = service_role_store(get_settings())
    assert store.claim_run(idempotency_key=key, request_hash=request_hash(first)) == "claimed"
    summary = deliver(scheduled_event("2026-11-22T02:00:07Z"))
    assert summary == {"status": "already-running", "night": "2026-11-22"}
    assert api_world.runs() == 0


REFUSED_EVENTS = {
    "an API Gateway request without a token": http_api_event("POST", f"/{SECRET}"),
    "an empty event": {},
    "not a dict": [SECRET],
    "another source": scheduled_event(source=f"aws.{SECRET}"),
    "another detail-type": scheduled_event(**{"detail-type": SECRET}),
    "a forged source": scheduled_event(source="my.app", note=SECRET),
    "no time": scheduled_event(time=None, note=SECRET),
    "an unreadable time": scheduled_event(time=SECRET),
    "a time without a zone": scheduled_event(time="2026-11-22T02:00:00", note=SECRET),
    "a time that is not text": scheduled_event(time=1_795_000_000, note=SECRET),
}


@pytest.mark.parametrize("event", REFUSED_EVENTS.values(), ids=REFUSED_EVENTS.keys())
def test_anything_but_a_scheduled_event_is_refused_untouched(
    api_world: ApiWorld,
    service_env: None,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    event: Any,
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)

    def no_database(*args: object) -> None:
        raise AssertionError("a refused event reached the database")

    monkeypatch.setattr("functions.nightly_regroup.handler.service_role_store", no_database)
    with caplog.at_level("INFO", logger="functions"):
        summary = deliver(event)
    assert summary["status"] == "refused"
    assert summary["reason"] in {"not-a-scheduled-event", "unreadable-time"}
    assert SECRET not in str(summary)
    assert api_world.runs() == 0
    assert len(caplog.records) == 1
    assert caplog.records[0].levelname == "WARNING"
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("fired", "now"),
    [
        ("2026-11-23T02:00:01Z", "2026-11-22T02:00:00Z"),  # a night still to come
        ("2030-01-01T02:00:00Z", "2026-11-22T02:00:00Z"),  # an invented night
        ("2026-11-20T02:00:00Z", "2026-11-22T02:00:00Z"),  # a replayed old event
        ("2026-11-21T01:59:59Z", "2026-11-22T02:00:00Z"),  # just past EventBridge's retries
    ],
)
def test_a_night_more_than_a_day_from_now_is_refused(
    api_world: ApiWorld, service_env: None, caplog: pytest.LogCaptureFixture, fired: str, now: str
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)
    with caplog.at_level("INFO", logger="functions"):
        summary = deliver(scheduled_event(fired), now, later=timedelta(0))
    assert summary == {"status": "refused", "reason": "night-out-of-range"}
    assert api_world.runs() == 0
    assert [record.levelname for record in caplog.records] == ["WARNING"]


@pytest.mark.parametrize(
    ("fired", "night"),
    [
        ("2026-11-21T02:00:00Z", "2026-11-21"),  # a retry a whole day late
        ("2026-11-23T02:00:00Z", "2026-11-23"),  # a day ahead of this Lambda's clock
        ("2026-11-22T03:30:00+01:00", "2026-11-22"),  # the night is the UTC date
    ],
)
def test_a_night_within_a_day_of_now_runs(
    api_world: ApiWorld, service_env: None, fired: str, night: str
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)
    summary = deliver(scheduled_event(fired), "2026-11-22T02:00:00Z", later=timedelta(0))
    assert summary["status"] == "succeeded" and summary["night"] == night
    assert api_world.runs() == 1


def test_a_delivery_whose_save_finds_the_first_run_reports_it_as_a_replay(
    api_world: ApiWorld, service_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Nightly", active=True)
    first = deliver(scheduled_event(FIRED))
    # As if the second delivery's claim came after the first's had lapsed: it runs the
    # engine again, and the save answers the first run's id.
    monkeypatch.setattr(GroupingStore, "claim_run", lambda self, **claim: "claimed")
    again = deliver(scheduled_event("2026-11-22T02:00:07Z"))
    assert again["run_id"] == first["run_id"] and api_world.runs() == 1
    assert again["status"] == "already-done"
