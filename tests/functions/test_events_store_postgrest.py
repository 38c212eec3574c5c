"""EventsStore's requests to PostgREST, exactly, through supabase-py and a MockTransport: the
import as one RPC whose rows are a survey reader's participants as the columns take them,
the event filters, and a close as one PATCH of an open event."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from functions.database.postgrest import PostgrestTransport
from functions.events.errors import ClosedEventError, ImportTooLargeError
from functions.events.store import EventsStore
from functions.web.errors import InvalidInputError
from tests.functions.grouping_store_fake import FIRST_PAGE, query_params
from tests.functions.postgrest_fake import (
    CALLER_TOKEN,
    EVENT_ID,
    FakePostgrest,
    body_of,
    relation_of,
)


@pytest.fixture
def fake() -> FakePostgrest:
    return FakePostgrest()


@pytest.fixture
def store(fake: FakePostgrest) -> EventsStore:
    return EventsStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN))


def test_an_import_is_one_rpc_of_the_readers_rows_as_the_columns_take_them(
    fake: FakePostgrest, store: EventsStore
) -> None:
    read: list[dict[str, Any]] = [
        {"id": " 17 ", "full_name": "Dana   Levi", "age": "31", "responses": {"diet": "vegan"}},
        {"id": "avi@example.org", "age": "about 40", "birth_date": "1985-02-30", "responses": {}},
        {"id": "row-4", "full_name": "", "birth_date": "1990-05-01"},
    ]
    counts = store.import_registrations(event_id=UUID(EVENT_ID), participants=read)
    assert counts.model_dump() == {"added": 1, "updated": 0, "unchanged": 0, "registered": 1}
    (request,) = fake.requests
    assert (request.method, relation_of(request)) == ("POST", "rpc/import_registrations")
    assert body_of(request) == {
        "p_event_id": EVENT_ID,
        "p_participants": [
            {
                "external_id": "17",
                "full_name": "Dana Levi",
                "age": 31,
                "birth_date": None,
                "responses": {"diet": "vegan"},
            },
            {
                "external_id": "avi@example.org",
                "full_name": None,
                "age": None,
                "birth_date": None,
                "responses": {"age": "about 40", "birth_date": "1985-02-30"},
            },
            {
                "external_id": "row-4",
                "full_name": None,
                "age": None,
                "birth_date": "1990-05-01",
                "responses": {},
            },
        ],
    }


def test_refused_imports_send_nothing(fake: FakePostgrest, store: EventsStore) -> None:
    event = UUID(EVENT_ID)
    with pytest.raises(ImportTooLargeError):
        store.import_registrations(event_id=event, participants=[{"id": "x"}] * 50_001)
    with pytest.raises(InvalidInputError) as refused:
        store.import_registrations(event_id=event, participants=[{"id": "a"}, {"id": "a"}])
    assert [e.field for e in refused.value.errors] == ["participants.1.external_id"]
    assert fake.requests == []


def test_a_closed_event_answered_by_the_database_is_a_409(
    fake: FakePostgrest, store: EventsStore
) -> None:
    fake.fail("POST", "rpc/import_registrations", 400, "EV002")
    with pytest.raises(ClosedEventError) as refused:
        store.import_registrations(event_id=UUID(EVENT_ID), participants=[{"id": "a"}])
    assert refused.value.status == 409
    fake.fail("POST", "rpc/import_registrations", 400, "EV001")
    with pytest.raises(ImportTooLargeError):
        store.import_registrations(event_id=UUID(EVENT_ID), participants=[{"id": "a"}])


def test_events_are_listed_soonest_first_and_filtered_by_status(
    fake: FakePostgrest, store: EventsStore
) -> None:
    store.list_events(status="open")
    (request,) = fake.requests
    assert query_params(request) == [
        ("select", "name,event_date,id,status,created_at,updated_at,closed_at"),
        ("status", "eq.open"),
        ("order", "event_date.asc,created_at.asc,id.asc"),
        *FIRST_PAGE,
    ]


def test_a_close_is_one_patch_of_the_event_while_open(
    fake: FakePostgrest, store: EventsStore
) -> None:
    closed = store.close_event(event_id=UUID(EVENT_ID))
    assert closed.id == UUID(EVENT_ID)
    (request,) = fake.requests
    assert (request.method, relation_of(request)) == ("PATCH", "events")
    assert body_of(request) == {"status": "closed"}
    assert ("id", f"eq.{EVENT_ID}") in query_params(request)
    assert ("status", "eq.open") in query_params(request)
