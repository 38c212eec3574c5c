"""POST /build-groups and GET /runs/{run_id} through Mangum, on real PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.database.errors import DatabaseUnavailableError
from functions.grouping import service as grouping_service
from functions.grouping.store import GroupingStore
from tests.db.health_seed import insert_people
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.build_groups_fixtures import engine_calls as engine_calls

pytestmark = pytest.mark.db
SEEDED = 40


@pytest.fixture
def seeded(api_world: ApiWorld) -> UUID:
    api_world.seed_participants(SEEDED)
    return api_world.add_policy("Kosher dinners", active=True, kosher_only=True)


def test_build_groups_saves_a_run_and_answers_201_with_its_counts(
    api_world: ApiWorld, call: Call, seeded: UUID
) -> None:
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 201, answer.text
    body = answer.json()
    run_id = body["run_id"]
    assert body["policy"] == {"id": str(seeded), "name": "Kosher dinners"}
    assert body["options"]["kosher_only"] is True
    counts = body["counts"]
    assert counts["participants"] == SEEDED
    assert counts["assigned"] + counts["unassigned"] == SEEDED
    assert counts["groups"] == api_world.rows_of_run("groups", run_id)
    assert counts["assigned"] == api_world.rows_of_run("group_members", run_id)
    assert counts["unassigned"] == api_world.rows_of_run("unassigned_queue", run_id)
    assert body["diagnostics"]["counts"]["groups"] == counts["groups"]
    assert api_world.runs() == 1


def test_dry_run_answers_the_groups_and_saves_nothing(
    api_world: ApiWorld, call: Call, seeded: UUID
) -> None:
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={"dry_run": True})
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["run_id"] is None and body["dry_run"] is True
    assert sum(group["size"] for group in body["groups"]) == body["counts"]["assigned"]
    assert len(body["unassigned"]) == body["counts"]["unassigned"]
    assert api_world.runs() == 0


def test_a_retry_with_the_same_key_returns_the_first_run_without_running_again(
    api_world: ApiWorld, call: Call, seeded: UUID, engine_calls: list[int]
) -> None:
    key = {"Idempotency-Key": "retry-" + uuid4().hex}
    first = call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=key)
    again = call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=key)
    assert first.status == again.status == 201
    assert again.json()["run_id"] == first.json()["run_id"]
    assert again.json()["replayed"] is True and first.json()["replayed"] is False
    assert again.json()["counts"] == first.json()["counts"]
    assert len(engine_calls) == 1
    assert api_world.runs() == 1


def test_the_same_key_with_another_body_is_a_409_and_runs_nothing(
    api_world: ApiWorld, call: Call, seeded: UUID, engine_calls: list[int]
) -> None:
    key = {"Idempotency-Key": "reused-" + uuid4().hex}
    first = call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=key)
    other = {"options": {"seed": 99}}
    reused = call("POST", "/build-groups", token=api_world.admin_token, body=other, headers=key)
    assert first.status == 201
    assert reused.status == 409, reused.text
    assert reused.headers["content-type"] == "application/problem+json"
    assert len(engine_calls) == 1
    assert api_world.runs() == 1


def test_a_retry_still_finds_its_run_after_another_policy_became_active(
    api_world: ApiWorld, call: Call, seeded: UUID, engine_calls: list[int]
) -> None:
    key = {"Idempotency-Key": "later-" + uuid4().hex}
    first = call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=key)
    newer = api_world.add_policy("Newer")
    api_world.db.execute("update public.grouping_policies set is_active = false where is_active")
    api_world.db.execute(
        "update public.grouping_policies set is_active = true where id = %s", [newer]
    )
    again = call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=key)
    assert again.status == 201 and again.json()["run_id"] == first.json()["run_id"]
    assert len(engine_calls) == 1


def test_no_active_policy_is_a_409(api_world: ApiWorld, call: Call) -> None:
    api_world.seed_participants(8)
    api_world.add_policy("Not active")
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 409
    assert answer.json()["type"].endswith("no-active-policy")
    assert api_world.runs() == 0


def test_a_run_of_an_archived_policy_is_a_409_and_saves_nothing(
    api_world: ApiWorld, call: Call, seeded: UUID, engine_calls: list[int]
) -> None:
    archived = api_world.add_policy("Retired")
    api_world.db.execute(
        "update public.grouping_policies set archived_at = now() where id = %s", [archived]
    )
    body = {"policy_id": str(archived)}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 409, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    # Refused before the engine runs, not only by the save.
    assert api_world.runs() == 0 and engine_calls == []


def test_an_invalid_option_is_a_422_naming_the_option(
    api_world: ApiWorld, call: Call, seeded: UUID
) -> None:
    body = {"options": {"min_group_size": 1, "max_allergy_count": -2}}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 422
    fields = {error["field"] for error in answer.json()["errors"]}
    assert fields == {"options.min_group_size", "options.max_allergy_count"}
    assert api_world.runs() == 0


def test_an_unknown_option_and_an_unknown_body_field_are_422(
    api_world: ApiWorld, call: Call, seeded: UUID
) -> None:
    unknown_option = call(
        "POST", "/build-groups", token=api_world.admin_token, body={"options": {"speed": 3}}
    )
    unknown_field = call("POST", "/build-groups", token=api_world.admin_token, body={"force": True})
    assert unknown_option.status == unknown_field.status == 422
    assert [e["field"] for e in unknown_option.json()["errors"]] == ["options.speed"]
    assert [e["field"] for e in unknown_field.json()["errors"]] == ["force"]
    assert api_world.runs() == 0


def test_a_non_admin_gets_403_and_nothing_is_written(
    api_world: ApiWorld, call: Call, seeded: UUID, engine_calls: list[int]
) -> None:
    answer = call("POST", "/build-groups", token=api_world.member_token, body={})
    assert answer.status == 403
    assert api_world.runs() == 0 and engine_calls == []


def test_a_missing_token_gets_401(api_world: ApiWorld, call: Call, seeded: UUID) -> None:
    answer = call("POST", "/build-groups", body={})
    assert answer.status == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert api_world.runs() == 0


def test_get_run_shows_groups_and_queue_without_anyones_allergies(
    api_world: ApiWorld, call: Call, seeded: UUID
) -> None:
    # A severe allergy list longer than the limit is left out (the engine names the
    # allergens in memory; neither the database nor the answer keeps them).
    allergies = ["severe peanut allergy", "severe sesame allergy (EpiPen)"]
    responses = {"kosher": "yes", "dietary_restrictions": allergies}
    insert_people(
        api_world.db, [{"full_name": "Allergic Person", "age": 30, "responses": responses}]
    )
    body = {"options": {"max_allergy_count": 1}}
    created = call("POST", "/build-groups", token=api_world.admin_token, body=body).json()
    answer = call("GET", f"/runs/{created['run_id']}", token=api_world.admin_token)
    assert answer.status == 200, answer.text
    run = answer.json()
    assert run["run"]["run_id"] == created["run_id"]
    assert len(run["groups"]) == created["counts"]["groups"]
    assert sum(len(group["member_ids"]) for group in run["groups"]) == created["counts"]["assigned"]
    assert len(run["unassigned"]) == created["counts"]["unassigned"]
    stored = api_world.db.execute(
        "select details from public.unassigned_queue where run_id = %s", [created["run_id"]]
    ).fetchall()
    assert stored and not any("severe_allergens" in details for (details,) in stored)
    assert "severe_allergens" not in answer.text
    entry = next(e for e in run["unassigned"] if e["full_name"] == "Allergic Person")
    assert entry["reason"] == "allergy-limit-exceeded"
    assert entry["details"] == {"max_allergy_count": 1, "alone_exceeds_limit": True}


def test_an_unknown_run_is_a_404(api_world: ApiWorld, call: Call) -> None:
    answer = call("GET", f"/runs/{uuid4()}", token=api_world.admin_token)
    assert answer.status == 404


def test_an_engine_failure_is_a_500_with_a_request_id_and_a_failed_run(
    api_world: ApiWorld, call: Call, seeded: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("select * from participants where allergies = 'peanuts'")

    monkeypatch.setattr(grouping_service, "run_grouping", broken)
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 500
    problem = answer.json()
    assert problem["request_id"] == answer.headers["x-request-id"]
    assert "peanuts" not in answer.text and "select" not in answer.text
    failed = api_world.db.execute("select id, status, error from public.runs").fetchall()
    assert [(status, error) for _, status, error in failed] == [
        ("failed", "engine failed: RuntimeError")
    ]
    run_id = failed[0][0]
    for table in ("groups", "group_members", "unassigned_queue"):
        assert api_world.rows_of_run(table, run_id) == 0


def test_a_database_fault_while_saving_is_a_503_and_leaves_no_run(
    api_world: ApiWorld, call: Call, seeded: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(self: GroupingStore, **kwargs: Any) -> UUID:
        raise DatabaseUnavailableError()

    monkeypatch.setattr(GroupingStore, "save_run", unavailable)
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 503 and answer.json()["request_id"]
    # Only an engine failure is recorded as a failed run: a fault leaves nothing behind.
    assert api_world.count("select count(*) from public.runs") == 0
    assert api_world.count("select count(*) from public.group_members") == 0
