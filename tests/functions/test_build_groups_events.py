"""POST /build-groups with an event through Mangum, on real PostgreSQL: the event's
registrations are grouped (no one else), the run keeps its event, a closed event is a 409
and an unknown one a 404, both before the engine runs; without an event, as before."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from engine import run_grouping
from functions.grouping import service as grouping_service
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.build_groups_fixtures import engine_calls as engine_calls

pytestmark = pytest.mark.db
REGISTERED = 30
EVERYONE_ELSE = 20


@pytest.fixture
def event(api_world: ApiWorld) -> UUID:
    """An open event with its registrations, other active participants, an active policy."""
    api_world.add_policy("Weekly", active=True)
    api_world.seed_participants(EVERYONE_ELSE)
    event_id = api_world.add_event()
    api_world.register(event_id, REGISTERED)
    return event_id


def _members(api_world: ApiWorld, run_id: str) -> set[UUID]:
    rows = api_world.db.execute(
        "select participant_id from public.group_members where run_id = %(run)s"
        " union all select participant_id from public.unassigned_queue where run_id = %(run)s",
        {"run": run_id},
    ).fetchall()
    return {row[0] for row in rows}


def _registered(api_world: ApiWorld, event_id: UUID) -> set[UUID]:
    rows = api_world.db.execute(
        "select participant_id from public.event_registrations where event_id = %s", [event_id]
    ).fetchall()
    return {row[0] for row in rows}


def test_a_run_of_an_event_groups_its_registrations_and_keeps_the_event(
    api_world: ApiWorld, call: Call, event: UUID
) -> None:
    body = {"event_id": str(event)}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 201, answer.text
    created = answer.json()
    assert created["event_id"] == str(event)
    assert created["counts"]["participants"] == REGISTERED
    assert _members(api_world, created["run_id"]) == _registered(api_world, event)
    shown = call("GET", f"/runs/{created['run_id']}", token=api_world.admin_token).json()
    assert shown["run"]["event_id"] == str(event)
    saved = api_world.db.execute(
        "select event_id from public.runs where id = %s", [created["run_id"]]
    ).fetchone()
    assert saved == (event,)


def test_without_an_event_every_active_participant_is_grouped_as_before(
    api_world: ApiWorld, call: Call, event: UUID
) -> None:
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 201, answer.text
    assert answer.json()["event_id"] is None
    assert answer.json()["counts"]["participants"] == REGISTERED + EVERYONE_ELSE
    shown = call("GET", f"/runs/{answer.json()['run_id']}", token=api_world.admin_token).json()
    assert shown["run"]["event_id"] is None


def test_a_dry_run_of_an_event_groups_its_registrations_and_saves_nothing(
    api_world: ApiWorld, call: Call, event: UUID
) -> None:
    body = {"event_id": str(event), "dry_run": True}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 200, answer.text
    grouped = {m for group in answer.json()["groups"] for m in group["members"]}
    left_out = {entry["participant_id"] for entry in answer.json()["unassigned"]}
    assert {UUID(p) for p in grouped | left_out} == _registered(api_world, event)
    assert api_world.runs() == 0


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_closed_event_is_a_409_before_the_engine_runs(
    api_world: ApiWorld, call: Call, event: UUID, engine_calls: list[int], dry_run: bool
) -> None:
    api_world.close_event(event)
    body = {"event_id": str(event), "dry_run": dry_run}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 409, answer.text
    assert answer.json()["type"].endswith(":event-closed")
    assert engine_calls == [] and api_world.runs() == 0


def test_an_unknown_event_is_a_404_before_the_engine_runs(
    api_world: ApiWorld, call: Call, event: UUID, engine_calls: list[int]
) -> None:
    body = {"event_id": str(uuid4())}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 404, answer.text
    assert engine_calls == [] and api_world.runs() == 0


def test_an_event_closed_while_the_engine_runs_is_refused_by_the_save(
    api_world: ApiWorld, call: Call, event: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    def closing_meanwhile(*args: Any, **kwargs: Any) -> Any:
        api_world.close_event(event)
        return run_grouping(*args, **kwargs)

    monkeypatch.setattr(grouping_service, "run_grouping", closing_meanwhile)
    body = {"event_id": str(event)}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 409, answer.text
    assert answer.json()["type"].endswith(":event-closed")
    assert api_world.runs() == 0


def test_one_key_for_another_event_is_a_409(
    api_world: ApiWorld, call: Call, event: UUID, engine_calls: list[int]
) -> None:
    other = api_world.add_event("Another dinner")
    key = {"Idempotency-Key": "event-" + uuid4().hex}
    first = call(
        "POST", "/build-groups", token=api_world.admin_token, body={"event_id": str(event)},
        headers=key,
    )  # fmt: skip
    again = call(
        "POST", "/build-groups", token=api_world.admin_token, body={"event_id": str(other)},
        headers=key,
    )  # fmt: skip
    assert first.status == 201 and again.status == 409, again.text
    assert len(engine_calls) == 1 and api_world.runs() == 1


def test_an_event_id_that_is_no_uuid_is_a_422(api_world: ApiWorld, call: Call) -> None:
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={"event_id": "x"})
    assert answer.status == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["event_id"]
