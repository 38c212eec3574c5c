"""The nightly regroup as EventBridge delivers it, on real PostgreSQL as the service role."""

from __future__ import annotations

from typing import Any

import pytest

from functions.nightly_regroup.handler import handler
from tests.functions.api_world import ApiWorld
from tests.functions.events import lambda_context

pytestmark = pytest.mark.db


def scheduled_event(time: str) -> dict[str, Any]:
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
    }


@pytest.fixture
def service_env(api_world: ApiWorld, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "local")
    monkeypatch.setenv("DATABASE_URL", database_url)


def test_an_event_delivered_twice_makes_one_run(api_world: ApiWorld, service_env: None) -> None:
    api_world.seed_participants(24)
    policy_id = api_world.add_policy("Nightly", active=True)
    first = handler(scheduled_event("2026-11-22T02:00:00Z"), lambda_context())
    again = handler(scheduled_event("2026-11-22T02:00:07Z"), lambda_context())
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
    handler(scheduled_event("2026-11-22T02:00:00Z"), lambda_context())
    handler(scheduled_event("2026-11-23T02:00:00Z"), lambda_context())
    assert api_world.runs() == 2


def test_no_active_policy_is_skipped_not_an_error(
    api_world: ApiWorld, service_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    api_world.seed_participants(12)
    api_world.add_policy("Inactive")
    with caplog.at_level("INFO", logger="functions"):
        summary = handler(scheduled_event("2026-11-22T02:00:00Z"), lambda_context())
    assert summary == {"status": "skipped", "reason": "no-active-policy", "night": "2026-11-22"}
    assert api_world.runs() == 0
    assert any("skipped" in record.getMessage() for record in caplog.records)
