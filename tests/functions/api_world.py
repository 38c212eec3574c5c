"""A migrated PostgreSQL behind the functions: users, participants, policies, tokens.

The database fixtures are tests/db's (one database per session); `api_world` adds an
admin and a non-admin with signed tokens, settings that point the functions' stores (over
the psycopg transport) at that database, and removes every row a test committed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow
from pydantic import SecretStr

from functions.web.settings import Settings
from infra.cli.demo import participant_row
from infra.sample_data import generate_participants
from tests.db.actors import make_user
from tests.db.conftest import database_url, db, owner_connection, server_url
from tests.db.health_seed import insert_people
from tests.functions.tokens import SigningKey, user_claims

__all__ = ["ApiWorld", "api_world", "database_url", "db", "owner_connection", "server_url"]

Connection = psycopg.Connection[TupleRow]
AS_OF = date(2026, 11, 1)
EVENT_DATE = date(2026, 11, 27)


@dataclass(frozen=True)
class ApiWorld:
    db: Connection
    settings: Settings
    admin_token: str
    member_token: str

    def seed_participants(self, count: int, *, seed: int = 7) -> None:
        """`count` realistic active participants (raw answers kept in `responses`)."""
        rows = []
        for person in generate_participants(count, rng=random.Random(seed), as_of=AS_OF):
            full_name, age, responses = participant_row(person)
            rows.append({"full_name": full_name, "age": age, "responses": responses})
        insert_people(self.db, rows)

    def add_event(
        self, name: str = "Friday dinner", *, event_date: date = EVENT_DATE, status: str = "open"
    ) -> UUID:
        row = self.db.execute(
            "insert into public.events (name, event_date, status) values (%s, %s, %s) returning id",
            [name, event_date, status],
        ).fetchone()
        assert row is not None
        event_id: UUID = row[0]
        return event_id

    def register(self, event_id: UUID, count: int, *, seed: int = 11) -> list[UUID]:
        """`count` realistic participants (external ids `<event>-<n>`), registered for the
        event; returns their ids."""
        people = generate_participants(count, rng=random.Random(seed), as_of=AS_OF)
        rows = []
        for n, person in enumerate(people):
            full_name, age, responses = participant_row(person)
            row = {"external_id": f"{event_id}-{n}", "full_name": full_name, "age": age}
            rows.append({**row, "responses": responses})
        return insert_people(self.db, rows, registered_for=event_id)

    def close_event(self, event_id: UUID) -> None:
        self.db.execute("update public.events set status = 'closed' where id = %s", [event_id])

    def add_policy(self, name: str, *, active: bool = False, **options: Any) -> UUID:
        columns = ["name", *options]
        values = [name, *(json.dumps(v) if isinstance(v, dict) else v for v in options.values())]
        row = self.db.execute(
            f"insert into public.grouping_policies ({', '.join(columns)})"
            f" values ({', '.join(['%s'] * len(columns))}) returning id",
            values,
        ).fetchone()
        assert row is not None
        if active:
            self.db.execute(
                "update public.grouping_policies set is_active = true where id = %s", [row[0]]
            )
        policy_id: UUID = row[0]
        return policy_id

    def count(self, query: str, params: list[Any] | None = None) -> int:
        row = self.db.execute(query, params or []).fetchone()
        assert row is not None
        return int(row[0])

    def rows_of_run(self, table: str, run_id: object) -> int:
        return self.count(f"select count(*) from public.{table} where run_id = %s", [run_id])

    def runs(self) -> int:
        return self.count("select count(*) from public.runs")


@pytest.fixture
def api_world(
    db: Connection, database_url: str, test_settings: Settings, rsa_signer: SigningKey
) -> Iterator[ApiWorld]:
    started = db.execute("select now()").fetchone()
    assert started is not None
    admin_id, member_id = make_user(db, app_role="admin"), make_user(db)
    yield ApiWorld(
        db=db,
        settings=test_settings.model_copy(update={"database_url": SecretStr(database_url)}),
        admin_token=rsa_signer.sign(user_claims(user_id=admin_id, admin=True)),
        member_token=rsa_signer.sign(user_claims(user_id=member_id)),
    )
    # The active policy cannot be deleted; the schema says so on purpose.
    db.execute("update public.grouping_policies set is_active = false where is_active")
    db.execute("delete from public.run_claims")
    for table in ("runs", "events", "grouping_policies", "participants"):
        db.execute(f"delete from public.{table} where created_at >= %s", [started[0]])
    db.execute("delete from auth.users where id = any(%s)", [[admin_id, member_id]])
