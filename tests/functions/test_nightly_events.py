"""The nightly regroup once events exist: each open event whose date is the night or later
gets one run a night (its registrations, keyed `nightly-<event id>-<date>`); no run of
every active participant; none ahead is skipped; no events at all keeps the night as it was
(tests/functions/test_nightly.py)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest

from engine import run_grouping
from functions.grouping import service as grouping_service
from functions.grouping.errors import GroupingRunFailedError
from tests.functions.api_world import ApiWorld
from tests.functions.test_nightly import deliver, scheduled_event
from tests.functions.test_nightly import service_env as service_env

pytestmark = pytest.mark.db

NIGHT = "2026-11-22"
FIRED = f"{NIGHT}T02:00:00Z"


def runs(api_world: ApiWorld) -> list[tuple[Any, ...]]:
    return api_world.db.execute(
        "select event_id, idempotency_key, trigger_source, participant_count, status"
        " from public.runs order by run_number"
    ).fetchall()


def _event(api_world: ApiWorld, name: str, day: date, registered: int, **kw: Any) -> UUID:
    event = api_world.add_event(name, event_date=day)
    api_world.register(event, registered, seed=registered)
    if kw.get("closed"):
        api_world.close_event(event)
    return event


@pytest.fixture
def week(api_world: ApiWorld, service_env: None) -> dict[str, UUID]:
    """An active policy, people in no event, and four events around the night of the 22nd."""
    api_world.add_policy("Nightly", active=True)
    api_world.seed_participants(10)
    return {
        "tonight": _event(api_world, "Tonight", date(2026, 11, 22), 12),
        "friday": _event(api_world, "Friday", date(2026, 11, 27), 14),
        "past": _event(api_world, "Last week", date(2026, 11, 20), 8),
        "closed": _event(api_world, "Closed", date(2026, 11, 29), 9, closed=True),
    }


def test_each_open_event_ahead_gets_one_run_and_no_one_else_is_grouped(
    api_world: ApiWorld, week: dict[str, UUID]
) -> None:
    summary = deliver(scheduled_event(FIRED), FIRED)
    assert summary["status"] == "succeeded" and summary["night"] == NIGHT
    assert [(e["event_id"], e["status"], e["participants"]) for e in summary["events"]] == [
        (str(week["tonight"]), "succeeded", 12),
        (str(week["friday"]), "succeeded", 14),
    ]
    assert runs(api_world) == [
        (week["tonight"], f"nightly-{week['tonight']}-{NIGHT}", "nightly", 12, "succeeded"),
        (week["friday"], f"nightly-{week['friday']}-{NIGHT}", "nightly", 14, "succeeded"),
    ]


def test_a_second_delivery_of_the_night_makes_no_run(
    api_world: ApiWorld, week: dict[str, UUID]
) -> None:
    first = deliver(scheduled_event(FIRED), FIRED)
    again = deliver(scheduled_event(f"{NIGHT}T02:00:07Z"), FIRED)
    assert [e["status"] for e in again["events"]] == ["already-done", "already-done"]
    assert [e["run_id"] for e in again["events"]] == [e["run_id"] for e in first["events"]]
    assert len(runs(api_world)) == 2


def test_the_next_night_regroups_the_events_still_ahead(
    api_world: ApiWorld, week: dict[str, UUID]
) -> None:
    deliver(scheduled_event(FIRED), FIRED)
    after = "2026-11-23T02:00:00Z"
    summary = deliver(scheduled_event(after), after)
    assert [e["event_id"] for e in summary["events"]] == [str(week["friday"])]
    assert runs(api_world)[-1][:2] == (week["friday"], f"nightly-{week['friday']}-2026-11-23")


def test_no_open_event_ahead_is_skipped_even_with_active_participants(
    api_world: ApiWorld, service_env: None
) -> None:
    api_world.add_policy("Nightly", active=True)
    api_world.seed_participants(12)
    _event(api_world, "Last week", date(2026, 11, 20), 8)
    _event(api_world, "Closed", date(2026, 11, 29), 8, closed=True)
    summary = deliver(scheduled_event(FIRED), FIRED)
    assert summary == {"status": "skipped", "reason": "no-open-event", "night": NIGHT}
    assert runs(api_world) == []


def test_no_active_policy_skips_the_night(api_world: ApiWorld, service_env: None) -> None:
    api_world.add_policy("Inactive")
    _event(api_world, "Friday", date(2026, 11, 27), 8)
    summary = deliver(scheduled_event(FIRED), FIRED)
    assert summary == {"status": "skipped", "reason": "no-active-policy", "night": NIGHT}
    assert runs(api_world) == []


def test_one_events_failure_does_not_stop_the_others_and_its_retry_runs_it(
    api_world: ApiWorld, week: dict[str, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def failing_first(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the engine broke")
        return run_grouping(*args, **kwargs)

    monkeypatch.setattr(grouping_service, "run_grouping", failing_first)
    with pytest.raises(GroupingRunFailedError):
        deliver(scheduled_event(FIRED), FIRED)
    # Tonight's run failed (recorded as failed, with its event); Friday's was saved.
    assert [(r[0], r[1], r[4]) for r in runs(api_world)] == [
        (week["tonight"], None, "failed"),
        (week["friday"], f"nightly-{week['friday']}-{NIGHT}", "succeeded"),
    ]
    retried = deliver(scheduled_event(FIRED), FIRED)
    assert [e["status"] for e in retried["events"]] == ["succeeded", "already-done"]
    assert len(runs(api_world)) == 3


def test_the_next_night_starts_from_the_latest_run_of_each_event(
    api_world: ApiWorld, week: dict[str, UUID]
) -> None:
    deliver(scheduled_event(FIRED), FIRED)
    next_night = "2026-11-23T02:00:00Z"
    summary = deliver(scheduled_event(next_night), next_night)
    assert summary["status"] == "succeeded"
    latest = api_world.db.execute(
        "select diagnostics -> 'continuity' from public.runs where event_id = %s"
        " order by run_number desc limit 1",
        [week["friday"]],
    ).fetchone()
    assert latest is not None
    continuity = latest[0]
    # Nobody changed: every group of the first night is kept, nobody moved.
    assert continuity["started_from_groups"] > 0
    assert continuity["groups_kept"] == continuity["started_from_groups"]
    assert continuity["moved"] == 0
