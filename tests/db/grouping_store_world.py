"""GroupingStores over psycopg (acting as PostgREST) for an admin, a signed-in non-admin and
the service, with generated participants, run records and real engine results: the world of
the GroupingStore tests on the real migrated database."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from engine import GroupingOptions, run_grouping
from engine.grouping.models import GroupingResult
from functions.database.postgres import SERVICE_IDENTITY, DatabaseIdentity, PostgresTransport
from functions.grouping.schemas import RunRecord
from functions.grouping.store import GroupingStore
from infra.cli.demo import participant_row
from infra.sample_data import generate_participants
from tests.db.actors import make_user, user_claims
from tests.db.health_seed import insert_people as insert_sealed_people

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
        admin=_store(database_url, DatabaseIdentity("authenticated", admin_claims(admin_id))),
        outsider=_store(database_url, DatabaseIdentity("authenticated", user_claims(outsider_id))),
        service=_store(database_url, SERVICE_IDENTITY),
        admin_id=admin_id,
    )
    # The active policy cannot be deleted; the schema says so on purpose.
    db.execute("update public.grouping_policies set is_active = false where is_active")
    for table in ("runs", "events", "grouping_policies", "participants"):
        db.execute(f"delete from public.{table} where created_at >= %s", [started[0]])
    db.execute("delete from auth.users where id = any(%s)", [[admin_id, outsider_id]])


def admin_claims(user_id: UUID) -> dict[str, Any]:
    return user_claims(user_id, app_role="admin")


def insert_people(db: Connection, count: int, seed: int) -> dict[str, str | None]:
    """Generated participants as rows (health answers sealed, as imports store them);
    unreadable ages stay in the survey answers."""
    rows: list[dict[str, Any]] = []
    names: list[str | None] = []
    for person in generate_participants(count, rng=random.Random(seed), as_of=RUN_DATE):
        full_name, age, responses = participant_row(person)
        rows.append({"full_name": full_name, "age": age, "responses": responses})
        names.append(full_name)
    ids = insert_sealed_people(db, rows)
    return {str(pid): name for pid, name in zip(ids, names, strict=True)}


def run_record(**changes: Any) -> RunRecord:
    """A three-second API run, with `changes` to its fields."""
    started = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
    fields: dict[str, Any] = {
        "trigger_source": "api",
        "options": {"seed": 7},
        "engine_version": "test",
        "started_at": started,
        "finished_at": started + timedelta(seconds=3),
    }
    return RunRecord(**{**fields, **changes})


def grouped(store: GroupingStore, policy_id: UUID) -> GroupingResult:
    """The engine's groups of the active participants under the policy, seed 7."""
    policy = store.get_policy(policy_id=policy_id)
    options = GroupingOptions(**policy.engine_options(), seed=7)
    return run_grouping(store.list_active_participants(), options, run_date=RUN_DATE)
