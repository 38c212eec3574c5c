"""GroupingStore over psycopg (acting as PostgREST) on the real migrated database, as admin,
outsider and service: the store class production runs."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
import psycopg
import pytest
from psycopg.rows import TupleRow

from engine import GroupingOptions, run_grouping
from engine.grouping.models import GroupingResult
from functions.database.errors import (
    DatabaseUnavailableError,
    InvalidPayloadError,
    ReferentialIntegrityError,
)
from functions.database.postgres import (
    SERVICE_IDENTITY,
    DatabaseIdentity,
    PostgresTransport,
    identity_of_verified_token,
)
from functions.grouping.errors import (
    ActivePolicyError,
    ArchivedPolicyError,
    IdempotencyConflictError,
)
from functions.grouping.schemas import PolicyCreate, PolicyUpdate, RunRecord
from functions.grouping.store import GroupingStore
from functions.web.errors import ForbiddenError, NotFoundError, StaleVersionError
from infra.cli.demo import participant_row
from infra.sample_data import generate_participants
from tests.db.actors import make_user, user_claims

Connection = psycopg.Connection[TupleRow]
RUN_DATE = date(2026, 11, 1)


@dataclass(frozen=True)
class Stores:
    admin: GroupingStore
    outsider: GroupingStore
    service: GroupingStore
    admin_id: UUID


def _store(database_url: str, identity: DatabaseIdentity) -> GroupingStore:
    return GroupingStore(
        PostgresTransport(lambda: psycopg.connect(database_url), identity=identity)
    )


@pytest.fixture
def stores(db: Connection, database_url: str) -> Iterator[Stores]:
    """Stores for an admin, a signed-in non-admin and the service; rows they commit are removed."""
    started = db.execute("select now()").fetchone()
    assert started is not None
    admin_id, outsider_id = make_user(db, app_role="admin"), make_user(db)
    yield Stores(
        admin=_store(database_url, DatabaseIdentity("authenticated", _admin_claims(admin_id))),
        outsider=_store(database_url, DatabaseIdentity("authenticated", user_claims(outsider_id))),
        service=_store(database_url, SERVICE_IDENTITY),
        admin_id=admin_id,
    )
    # The active policy cannot be deleted; the schema says so on purpose.
    db.execute("update public.grouping_policies set is_active = false where is_active")
    for table in ("runs", "grouping_policies", "participants"):
        db.execute(f"delete from public.{table} where created_at >= %s", [started[0]])
    db.execute("delete from auth.users where id = any(%s)", [[admin_id, outsider_id]])


def _admin_claims(user_id: UUID) -> dict[str, Any]:
    return user_claims(user_id, app_role="admin")


def _insert_people(db: Connection, count: int, seed: int) -> dict[str, str | None]:
    """Generated participants as rows; unreadable ages stay in the survey answers."""
    names: dict[str, str | None] = {}
    for person in generate_participants(count, rng=random.Random(seed), as_of=RUN_DATE):
        full_name, age, responses = participant_row(person)
        row = db.execute(
            "insert into public.participants (full_name, age, responses)"
            " values (%s, %s, %s::jsonb) returning id::text",
            [full_name, age, json.dumps(responses)],
        ).fetchone()
        assert row is not None
        names[row[0]] = full_name
    return names


def _run_record(**changes: Any) -> RunRecord:
    started = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "trigger_source": "api",
        "options": {"seed": 7},
        "engine_version": "test",
        "started_at": started,
        "finished_at": started + timedelta(seconds=3),
    }
    return RunRecord(**{**fields, **changes})


def _grouped(store: GroupingStore, policy_id: UUID) -> GroupingResult:
    policy = store.get_policy(policy_id=policy_id)
    options = GroupingOptions(**policy.engine_options(), seed=7)
    return run_grouping(store.list_active_participants(), options, run_date=RUN_DATE)


def test_an_admin_creates_lists_and_reads_policies(stores: Stores) -> None:
    created = stores.admin.create_policy(
        policy=PolicyCreate(
            name="Kosher evening",
            kosher_only=True,
            target_group_size=8,
            age_bands=(20, 40),
            scoring_weights={"age": 0.5},
        )
    )
    assert (created.name, created.kosher_only, created.target_group_size) == (
        "Kosher evening",
        True,
        8,
    )
    assert created.age_bands == (20, 40)
    assert created.model_dump(mode="json")["scoring_weights"] == {"age": 0.5}
    assert (created.min_group_size, created.is_active, created.archived_at) == (4, False, None)
    assert stores.admin.get_policy(policy_id=created.id) == created
    assert [p.id for p in stores.admin.list_policies()] == [created.id]


def test_activation_moves_the_single_active_flag(stores: Stores) -> None:
    first = stores.admin.create_policy(policy=PolicyCreate(name="first"))
    second = stores.admin.create_policy(policy=PolicyCreate(name="second"))
    assert stores.admin.get_active_policy() is None
    assert stores.admin.activate_policy(policy_id=first.id).is_active
    assert stores.admin.activate_policy(policy_id=second.id).is_active
    active = stores.admin.get_active_policy()
    assert active is not None and active.id == second.id
    assert not stores.admin.get_policy(policy_id=first.id).is_active
    with pytest.raises(NotFoundError):
        stores.admin.activate_policy(policy_id=uuid4())


def test_updates_change_fields_and_refuse_stale_versions(stores: Stores) -> None:
    policy = stores.admin.create_policy(policy=PolicyCreate(name="before"))
    changed = stores.admin.update_policy(
        policy_id=policy.id,
        changes=PolicyUpdate(name="after", max_allergy_count=1),
        expected_updated_at=policy.updated_at,
    )
    assert (changed.name, changed.max_allergy_count, changed.kosher_only) == ("after", 1, False)
    assert changed.updated_at > policy.updated_at
    with pytest.raises(StaleVersionError):
        stores.admin.update_policy(
            policy_id=policy.id,
            changes=PolicyUpdate(name="lost update"),
            expected_updated_at=policy.updated_at,
        )
    # The database's CHECK refuses a minimum above the stored fallback size (5).
    with pytest.raises(InvalidPayloadError):
        stores.admin.update_policy(policy_id=policy.id, changes=PolicyUpdate(min_group_size=9))
    with pytest.raises(NotFoundError):
        stores.admin.update_policy(policy_id=uuid4(), changes=PolicyUpdate(name="x"))
    assert stores.admin.get_policy(policy_id=policy.id).name == "after"


def test_delete_removes_an_unused_policy_archives_a_used_one_and_refuses_the_active(
    db: Connection, stores: Stores
) -> None:
    unused = stores.admin.create_policy(policy=PolicyCreate(name="unused"))
    used = stores.admin.create_policy(policy=PolicyCreate(name="used"))
    active = stores.admin.create_policy(policy=PolicyCreate(name="active"))
    stores.admin.activate_policy(policy_id=active.id)
    _insert_people(db, 6, seed=1)
    stores.admin.save_run(
        idempotency_key=None,
        policy_id=used.id,
        run=_run_record(),
        result=_grouped(stores.admin, used.id),
    )

    assert stores.admin.delete_policy(policy_id=unused.id) == "deleted"
    with pytest.raises(NotFoundError):
        stores.admin.get_policy(policy_id=unused.id)
    assert stores.admin.delete_policy(policy_id=used.id) == "archived"
    assert stores.admin.get_policy(policy_id=used.id).archived_at is not None
    assert [p.id for p in stores.admin.list_policies()] == [active.id]
    assert {p.id for p in stores.admin.list_policies(include_archived=True)} == {used.id, active.id}
    with pytest.raises(ActivePolicyError):
        stores.admin.delete_policy(policy_id=active.id)
    with pytest.raises(ArchivedPolicyError):
        stores.admin.activate_policy(policy_id=used.id)
    with pytest.raises(ArchivedPolicyError):
        stores.admin.update_policy(policy_id=used.id, changes=PolicyUpdate(name="renamed"))
    with pytest.raises(NotFoundError):
        stores.admin.delete_policy(policy_id=uuid4())


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


def test_a_non_admin_is_refused_writes_and_sees_nothing(db: Connection, stores: Stores) -> None:
    _insert_people(db, 6, seed=2)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="private"))
    run_id = stores.admin.record_failed_run(policy_id=policy.id, run=_run_record(), failure="x")

    with pytest.raises(ForbiddenError):
        stores.outsider.create_policy(policy=PolicyCreate(name="mine"))
    with pytest.raises(ForbiddenError):
        stores.outsider.activate_policy(policy_id=policy.id)
    with pytest.raises(ForbiddenError):
        stores.outsider.record_failed_run(policy_id=policy.id, run=_run_record(), failure="x")
    assert stores.outsider.list_policies() == []
    assert stores.outsider.get_active_policy() is None
    assert stores.outsider.list_active_participants() == []
    assert stores.outsider.find_run_by_idempotency_key(key="anything") is None
    with pytest.raises(NotFoundError):
        stores.outsider.get_policy(policy_id=policy.id)
    with pytest.raises(NotFoundError):
        stores.outsider.get_run(run_id=run_id)
    with pytest.raises(NotFoundError):
        stores.outsider.delete_policy(policy_id=policy.id)
    assert stores.admin.get_policy(policy_id=policy.id).name == "private"


def test_database_refusals_become_domain_errors_by_sqlstate(db: Connection, stores: Stores) -> None:
    _insert_people(db, 6, seed=4)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="refusals"))
    result = _grouped(stores.admin, policy.id)
    # 23503: the run names a policy that does not exist.
    with pytest.raises(ReferentialIntegrityError) as refused:
        stores.admin.save_run(
            idempotency_key=None, policy_id=uuid4(), run=_run_record(), result=result
        )
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    # 23514: an empty idempotency key breaks a CHECK.
    with pytest.raises(InvalidPayloadError):
        stores.admin.save_run(
            idempotency_key="", policy_id=policy.id, run=_run_record(), result=result
        )
    assert "select" not in str(refused.value).lower()


def test_an_unreachable_database_is_unavailable() -> None:
    def refuse() -> psycopg.Connection[Any]:
        return psycopg.connect("postgresql://postgres@127.0.0.1:1/none", connect_timeout=2)

    store = GroupingStore(PostgresTransport(refuse, identity=SERVICE_IDENTITY))
    with pytest.raises(DatabaseUnavailableError):
        store.list_policies()


def test_a_verified_tokens_claims_become_the_database_identity() -> None:
    user_id = uuid4()
    token = jwt.encode(_admin_claims(user_id), "k" * 32, algorithm="HS256")
    identity = identity_of_verified_token(token)
    assert identity.role == "authenticated"
    assert identity.claims["sub"] == str(user_id)
    assert identity.claims["app_metadata"]["role"] == "admin"
