"""EventsStore over psycopg (acting as PostgREST) on the migrated database: events made,
listed, closed; imports of a survey reader's participant dicts as they come; refusals before
any request; an outsider sees and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from functions.database.postgres import SERVICE_IDENTITY, DatabaseIdentity, PostgresTransport
from functions.events.errors import MAX_IMPORT_ROWS, ClosedEventError, ImportTooLargeError
from functions.events.schemas import EventCreate
from functions.events.store import EventsStore
from functions.grouping.store import GroupingStore
from functions.web.errors import ForbiddenError, InvalidInputError, NotFoundError
from tests.db.actors import make_user, user_claims

Connection = psycopg.Connection[TupleRow]
FRIDAY = date(2026, 12, 4)


@dataclass(frozen=True)
class EventStores:
    admin: EventsStore
    outsider: EventsStore
    service: EventsStore
    grouping: GroupingStore
    prefix: str


@pytest.fixture
def stores(db: Connection, database_url: str) -> Iterator[EventStores]:
    started = db.execute("select now()").fetchone()
    assert started is not None
    admin_id, outsider_id = make_user(db, app_role="admin"), make_user(db)

    def transport(identity: DatabaseIdentity) -> PostgresTransport:
        return PostgresTransport(lambda: psycopg.connect(database_url), identity=identity)

    admin = transport(DatabaseIdentity("authenticated", user_claims(admin_id, app_role="admin")))
    yield EventStores(
        admin=EventsStore(admin),
        outsider=EventsStore(
            transport(DatabaseIdentity("authenticated", user_claims(outsider_id)))
        ),
        service=EventsStore(transport(SERVICE_IDENTITY)),
        grouping=GroupingStore(admin),
        prefix=f"{uuid4().hex[:12]}-",
    )
    db.execute("delete from public.events where created_at >= %s", [started[0]])
    db.execute("delete from public.participants where created_at >= %s", [started[0]])
    db.execute("delete from auth.users where id = any(%s)", [[admin_id, outsider_id]])


def reader_rows(prefix: str) -> list[dict[str, Any]]:
    """Participants as the survey reader gives them: ids from an id column, an email or the
    row number, answers as written (CSV cells are text)."""
    return [
        {
            "id": f"{prefix}7",
            "full_name": "Dana  Levi",
            "age": "31",
            "responses": {"diet": "vegan"},
        },
        {"id": f"{prefix}dana@example.org", "age": "thirty", "responses": {"kosher": "כן"}},
        {"id": f"{prefix}row-4", "birth_date": "1990-05-01", "responses": {}},
        {"id": f"{prefix}row-5", "birth_date": "01/05/1990", "age": 140},
    ]


def test_events_are_made_listed_and_closed(stores: EventStores) -> None:
    later = stores.admin.create_event(event=EventCreate(name="Later", event_date=date(2027, 1, 1)))
    friday = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    assert friday.status == "open" and friday.closed_at is None
    mine = {later.id, friday.id}
    assert [e.id for e in stores.admin.list_events() if e.id in mine] == [friday.id, later.id]
    closed = stores.admin.close_event(event_id=friday.id)
    assert closed.status == "closed" and closed.closed_at is not None
    assert closed.updated_at > friday.updated_at
    # Closing it again answers it as it stands.
    assert stores.admin.close_event(event_id=friday.id) == closed
    assert [e.id for e in stores.admin.list_events(status="open") if e.id in mine] == [later.id]
    assert [e.id for e in stores.admin.list_events(status="closed") if e.id in mine] == [friday.id]
    with pytest.raises(NotFoundError):
        stores.admin.close_event(event_id=uuid4())


def test_an_import_stores_a_readers_rows_as_the_columns_take_them(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    rows = reader_rows(stores.prefix)
    counts = stores.admin.import_registrations(event_id=event.id, participants=rows)
    assert counts.model_dump() == {"added": 4, "updated": 0, "unchanged": 0, "registered": 4}
    shown = stores.admin.list_registrations(event_id=event.id)
    assert shown.event == event
    by_id = {r.external_id: r for r in shown.registrations}
    seven, dana, four, five = (by_id[str(row["id"])] for row in rows)
    assert (seven.full_name, seven.age, seven.responses) == ("Dana Levi", 31, {"diet": "vegan"})
    # What the columns cannot hold stays in the answers, where the engine reads it.
    assert (dana.age, dana.responses) == (None, {"kosher": "כן", "age": "thirty"})
    assert (four.birth_date, four.responses) == (date(1990, 5, 1), {})
    assert (five.age, five.birth_date) == (None, None)
    assert five.responses == {"birth_date": "01/05/1990", "age": 140}
    # Read back for a run of the event, the engine gets every registered person.
    people = stores.grouping.list_active_participants(event_id=event.id)
    assert sorted(p.id for p in people) == sorted(
        str(r.participant_id) for r in shown.registrations
    )
    again = stores.admin.import_registrations(event_id=event.id, participants=rows)
    assert again.model_dump() == {"added": 0, "updated": 0, "unchanged": 4, "registered": 0}


def test_bad_rows_are_refused_by_name_before_any_request(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    rows = reader_rows(stores.prefix)
    cases: dict[str, list[dict[str, Any]]] = {
        "participants.1.full_name": [rows[0], {**rows[1], "full_name": "x" * 201}],
        # Named as the caller spelt it: a reader's `id`.
        "participants.0.id": [{**rows[0], "id": "  "}],
        "participants.2.responses": [rows[0], rows[1], {**rows[2], "responses": "vegan"}],
        "participants.3.responses": [*rows[:3], {**rows[3], "responses": {"note": "a\x00"}}],
        "participants.1.colour": [rows[0], {**rows[1], "colour": "red"}],
        "participants.2.external_id": [rows[0], rows[1], {**rows[0], "full_name": "Twice"}],
    }
    for field, bad in cases.items():
        with pytest.raises(InvalidInputError) as refused:
            stores.admin.import_registrations(event_id=event.id, participants=bad)
        assert field in [error.field for error in refused.value.errors], field
    assert stores.admin.list_registrations(event_id=event.id).registrations == []


def test_an_import_over_the_bound_is_refused_before_any_request(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    too_many = [{"id": str(n)} for n in range(MAX_IMPORT_ROWS + 1)]
    with pytest.raises(ImportTooLargeError) as refused:
        stores.admin.import_registrations(event_id=event.id, participants=too_many)
    assert refused.value.status == 422
    assert [error.field for error in refused.value.errors] == ["participants"]


def test_a_closed_or_unknown_event_refuses_an_import(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    stores.admin.close_event(event_id=event.id)
    rows = reader_rows(stores.prefix)
    with pytest.raises(ClosedEventError):
        stores.admin.import_registrations(event_id=event.id, participants=rows)
    with pytest.raises(NotFoundError):
        stores.admin.import_registrations(event_id=uuid4(), participants=rows)
    with pytest.raises(NotFoundError):
        stores.admin.list_registrations(event_id=uuid4())


def test_an_outsider_sees_no_event_and_imports_nothing(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    assert stores.outsider.list_events() == []
    with pytest.raises(NotFoundError):
        stores.outsider.get_event(event_id=event.id)
    with pytest.raises(NotFoundError):
        stores.outsider.close_event(event_id=event.id)
    with pytest.raises(ForbiddenError):
        stores.outsider.import_registrations(
            event_id=event.id, participants=reader_rows(stores.prefix)
        )
    assert stores.admin.get_event(event_id=event.id).status == "open"
    with pytest.raises(ForbiddenError):
        stores.outsider.create_event(event=EventCreate(name="Mine", event_date=FRIDAY))


def test_the_service_reads_every_event(stores: EventStores) -> None:
    event = stores.admin.create_event(event=EventCreate(name="Friday", event_date=FRIDAY))
    assert event.id in {e.id for e in stores.service.list_events(status="open")}
