"""GroupingStore's participant and run requests to PostgREST, exactly, through supabase-py
and a MockTransport: participants page by page, saving a run (or a failed one) through the
RPC, and finding and reading runs."""

from __future__ import annotations

from uuid import UUID

import pytest

from functions.database.postgrest import PAGE_SIZE
from functions.grouping.schemas import RunRecord
from functions.grouping.store import GroupingStore
from functions.web.errors import NotFoundError
from tests.functions.grouping_store_fake import FIRST_PAGE, STARTED
from tests.functions.grouping_store_fake import fake as fake
from tests.functions.grouping_store_fake import query_params as _params
from tests.functions.grouping_store_fake import store as store
from tests.functions.postgrest_fake import (
    PERSON_ID,
    POLICY_ID,
    RUN_ID,
    FakePostgrest,
    body_of,
    empty_grouping_result,
    relation_of,
)


def test_participants_are_read_page_by_page(fake: FakePostgrest, store: GroupingStore) -> None:
    template = fake.rows["participants"][0]
    people = [{**template, "id": f"{n:08d}-0000-4000-8000-000000000000"} for n in range(2500)]
    fake.rows["participants"] = people
    participants = store.list_active_participants()
    assert [p.id for p in participants] == [p["id"] for p in people]
    assert [(r.url.params["offset"], r.url.params["limit"]) for r in fake.requests] == [
        ("0", str(PAGE_SIZE)),
        ("1000", str(PAGE_SIZE)),
        ("2000", str(PAGE_SIZE)),
    ]
    assert _params(fake.requests[0])[:3] == [
        ("select", "id,full_name,age,birth_date,responses"),
        ("active", "is.true"),
        ("order", "id.asc"),
    ]


def test_save_sends_the_run_and_result_to_the_rpc(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    run = RunRecord(trigger_source="api", options={"seed": 3}, started_at=STARTED)
    run_id = store.save_run(
        idempotency_key="key-1",
        policy_id=UUID(POLICY_ID),
        run=run,
        result=empty_grouping_result(),
        request_hash="abc",
    )
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/save_grouping_run")
    body = body_of(request)
    assert set(body) == {"idempotency_key", "policy_id", "run", "result", "request_hash"}
    assert (body["idempotency_key"], body["policy_id"], body["request_hash"]) == (
        "key-1",
        POLICY_ID,
        "abc",
    )
    assert body["run"] == {
        "trigger_source": "api",
        "options": {"seed": 3},
        "engine_version": None,
        "started_at": "2026-11-01T20:00:00Z",
        "finished_at": None,
        "status": "succeeded",
        "error": None,
    }
    assert body["result"]["groups"] == []
    assert body["result"]["diagnostics"]["engine"]["seed"] == 1
    assert run_id == UUID(RUN_ID)


def test_a_failed_run_is_saved_without_key_or_rows(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    run = RunRecord(trigger_source="nightly", started_at=STARTED)
    store.record_failed_run(policy_id=UUID(POLICY_ID), run=run, failure="engine-error")
    body = body_of(fake.requests[0])
    assert body["idempotency_key"] is None
    assert (body["run"]["status"], body["run"]["error"]) == ("failed", "engine-error")
    assert body["result"] == {"groups": [], "unassigned": [], "diagnostics": {}}


def test_a_run_is_found_by_its_idempotency_key(fake: FakePostgrest, store: GroupingStore) -> None:
    found = store.find_run_by_idempotency_key(key="key, with (odd) chars")
    assert found is not None
    assert (found.run_id, found.request_hash) == (UUID(RUN_ID), "hash-of-the-first-request")
    (request,) = fake.requests
    assert request.url.path == "/rest/v1/runs"
    assert _params(request) == [
        ("select", "id,payload_hash,started_at"),
        ("idempotency_key", "eq.key, with (odd) chars"),
        *FIRST_PAGE,
    ]
    fake.rows["runs"] = []
    assert store.find_run_by_idempotency_key(key="unknown") is None


def test_a_run_is_read_with_its_groups_and_queue(fake: FakePostgrest, store: GroupingStore) -> None:
    detail = store.get_run(run_id=UUID(RUN_ID))
    assert [relation_of(r) for r in fake.requests] == [
        "run_history",
        "runs",
        "run_groups",
        "run_unassigned",
    ]
    assert _params(fake.requests[1]) == [
        ("select", "options,diagnostics"),
        ("id", f"eq.{RUN_ID}"),
        *FIRST_PAGE,
    ]
    assert ("order", "group_number.asc") in _params(fake.requests[2])
    assert ("order", "participant_id.asc") in _params(fake.requests[3])
    assert (detail.run.run_number, detail.run.options) == (42, {"seed": 1})
    assert detail.groups[0].member_ids == [UUID(PERSON_ID)]
    assert detail.unassigned[0].reason == "missing-age"


def test_a_run_nobody_can_see_is_not_found(fake: FakePostgrest, store: GroupingStore) -> None:
    fake.rows["run_history"] = []
    with pytest.raises(NotFoundError):
        store.get_run(run_id=UUID(RUN_ID))
