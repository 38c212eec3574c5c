"""GroupingStore's runs on the real migrated database: a real engine result saved and read
back, idempotent saves, failed runs, and the service role's nightly run."""

from __future__ import annotations

from uuid import UUID

import pytest

from functions.grouping.errors import IdempotencyConflictError
from functions.grouping.schemas import PolicyCreate, RunRecord
from tests.db.grouping_store_world import Connection, Stores
from tests.db.grouping_store_world import grouped as _grouped
from tests.db.grouping_store_world import insert_people as _insert_people
from tests.db.grouping_store_world import run_record as _run_record
from tests.db.grouping_store_world import stores as stores


def test_a_real_engine_result_is_saved_and_read_back(db: Connection, stores: Stores) -> None:
    names = _insert_people(db, 40, seed=11)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="dinner", target_group_size=5))
    participants = stores.admin.list_active_participants()
    assert {p.id for p in participants} == set(names)
    result = _grouped(stores.admin, policy.id)
    assert result.groups and result.unassigned  # the sample has people the engine leaves out

    run_id = stores.admin.save_run(
        idempotency_key="evening-1", policy_id=policy.id, run=_run_record(), result=result
    )
    detail = stores.admin.get_run(run_id=run_id)

    run = detail.run
    assert (run.run_id, run.status, run.policy_id, run.policy_name) == (
        run_id,
        "succeeded",
        policy.id,
        "dinner",
    )
    assert (run.participant_count, run.group_count, run.unassigned_count) == (
        40,
        len(result.groups),
        len(result.unassigned),
    )
    assert (run.triggered_by, run.duration_ms, run.options) == (
        stores.admin_id,
        3000,
        {"seed": 7},
    )
    assert run.diagnostics == result.model_dump(mode="json")["diagnostics"]
    saved_groups = {g.group_number: {str(m) for m in g.member_ids} for g in detail.groups}
    assert saved_groups == {g.number: set(g.members) for g in result.groups}
    for group in detail.groups:
        assert sorted(group.member_names, key=str) == sorted(
            (names[str(m)] for m in group.member_ids), key=str
        )
    assert {(str(u.participant_id), u.reason) for u in detail.unassigned} == {
        (u.participant_id, u.reason) for u in result.unassigned
    }


def test_saving_is_idempotent_by_key(db: Connection, stores: Stores) -> None:
    _insert_people(db, 12, seed=3)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="retry"))
    result = _grouped(stores.admin, policy.id)

    def save(run: RunRecord) -> UUID:
        return stores.admin.save_run(
            idempotency_key="retry-key", policy_id=policy.id, run=run, result=result
        )

    first = save(_run_record())
    assert save(_run_record()) == first
    found = stores.admin.find_run_by_idempotency_key(key="retry-key")
    assert found is not None and found.run_id == first
    assert found.request_hash  # the payload hash the save computed and stored
    assert stores.admin.find_run_by_idempotency_key(key="never-used") is None
    runs = db.execute("select count(*) from public.runs where policy_id = %s", [policy.id])
    assert runs.fetchone() == (1,)
    with pytest.raises(IdempotencyConflictError):
        save(_run_record(options={"seed": 8}))


def test_a_failed_run_is_recorded_with_its_error_and_no_rows(stores: Stores) -> None:
    policy = stores.admin.create_policy(policy=PolicyCreate(name="failing"))
    run_id = stores.admin.record_failed_run(
        policy_id=policy.id, run=_run_record(), failure="engine-error"
    )
    detail = stores.admin.get_run(run_id=run_id)
    assert (detail.run.status, detail.run.error, detail.run.participant_count) == (
        "failed",
        "engine-error",
        0,
    )
    assert (detail.groups, detail.unassigned) == ([], [])


def test_the_service_role_saves_a_nightly_run_without_a_user(
    db: Connection, stores: Stores
) -> None:
    _insert_people(db, 8, seed=5)
    policy = stores.service.create_policy(policy=PolicyCreate(name="nightly"))
    stores.service.activate_policy(policy_id=policy.id)
    result = _grouped(stores.service, policy.id)
    run_id = stores.service.save_run(
        idempotency_key="nightly-2026-11-01",
        policy_id=policy.id,
        run=_run_record(trigger_source="nightly"),
        result=result,
    )
    run = stores.admin.get_run(run_id=run_id).run
    assert (run.trigger_source, run.triggered_by, run.participant_count) == ("nightly", None, 8)
