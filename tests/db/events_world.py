"""Building blocks of the events database tests: an admin, open events, and people shaped as
`import_registrations` takes them, each test's under its own external-id prefix so that what
a test commits is found and removed by it alone."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import Actor, act_as, make_user, user_actor
from tests.db.grouping_world import scalar

Connection = psycopg.Connection[TupleRow]
EVENT_DATE = date(2026, 12, 4)


@dataclass(frozen=True)
class EventCast:
    """An admin and one open event, with the test's own prefix for external ids."""

    db: Connection
    admin: Actor
    event: UUID
    prefix: str

    def person(self, n: int, **fields: Any) -> dict[str, Any]:
        """Person `n` of this test, with an age and answers unless `fields` say otherwise."""
        return {
            "external_id": f"{self.prefix}{n}",
            "full_name": f"Person {n}",
            "age": 30 + n,
            "responses": {"diet": "vegan", "kosher": "yes"},
            **fields,
        }

    def add_event(self, *, name: str = "Another dinner", status: str = "open") -> UUID:
        return insert_event(self.db, name=name, status=status)

    def import_rows(
        self, rows: Sequence[Any], *, event: UUID | None = None, actor: Actor | None = None
    ) -> dict[str, int]:
        """import_registrations as `actor` (the admin by default), committed."""
        with act_as(self.db, actor or self.admin, commit=True) as conn:
            counts: dict[str, int] = scalar(
                conn,
                "select public.import_registrations(%s, %s::jsonb)",
                [event or self.event, json.dumps(rows)],
            )
        return counts

    def stored(self) -> list[tuple[Any, ...]]:
        """This test's participants as stored: external id, name, age, birth date, answers,
        and the row's version (updated_at, xmin), ordered by external id."""
        return self.db.execute(
            "select external_id, full_name, age, birth_date, responses, updated_at, xmin::text"
            " from public.participants where external_id like %s order by external_id",
            [self.prefix + "%"],
        ).fetchall()

    def registered(self, event: UUID | None = None) -> list[str]:
        rows = self.db.execute(
            "select p.external_id from public.event_registrations r"
            " join public.participants p on p.id = r.participant_id"
            " where r.event_id = %s order by p.external_id",
            [event or self.event],
        ).fetchall()
        return [str(external_id) for (external_id,) in rows]


def insert_event(
    conn: Connection, *, name: str = "Friday dinner", status: str = "open", day: date = EVENT_DATE
) -> UUID:
    event_id: UUID = scalar(
        conn,
        "insert into public.events (name, event_date, status) values (%s, %s, %s) returning id",
        [name, day, status],
    )
    return event_id


@pytest.fixture
def event_cast(db: Connection) -> Iterator[EventCast]:
    started = scalar(db, "select now()")
    admin_id = make_user(db, app_role="admin")
    cast = EventCast(
        db=db,
        admin=user_actor("admin", admin_id, app_role="admin"),
        event=insert_event(db),
        prefix=f"{uuid4().hex[:12]}-",
    )
    yield cast
    db.execute("delete from public.runs where created_at >= %s", [started])
    db.execute("delete from public.events where created_at >= %s", [started])
    db.execute("delete from public.participants where external_id like %s", [cast.prefix + "%"])
    db.execute("delete from auth.users where id = %s", [admin_id])
