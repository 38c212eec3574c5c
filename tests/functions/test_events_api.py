"""The events routes through Mangum on real PostgreSQL: create, list by status, close, and
the people registered; 401 without a token, 403 for a non-admin, 404 and 422 as named."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.database.deps import transport_for_caller
from functions.events.store import EventsStore
from functions.events_api import handler
from functions.health.deps import key_service_for
from functions.health.service import ImportSealer
from functions.health.store import HealthStore
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

pytestmark = pytest.mark.db
Call = Callable[..., Answer]
FRIDAY = "2026-12-04"


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    undo = wire(handler.app, api_world.settings, verifier)

    tokens = {"admin": api_world.admin_token, "member": api_world.member_token}

    def invoke(method: str, path: str, *, token: str | None = "admin", **event: Any) -> Answer:
        """As the admin, the member (a signed-in non-admin), or without a token (None)."""
        bearer = None if token is None else tokens[token]
        return send(handler.handler, method, path, token=bearer, **event)

    yield invoke
    undo()


def create(call: Call, name: str = "Friday dinner", event_date: str = FRIDAY) -> dict[str, Any]:
    answer = call("POST", "/events", body={"name": name, "event_date": event_date})
    assert answer.status == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_create_list_and_close(call: Call) -> None:
    friday = create(call)
    later = create(call, "New year", "2027-01-01")
    assert friday["status"] == "open" and friday["closed_at"] is None
    assert set(friday) == {
        "id", "name", "event_date", "status", "created_at", "updated_at", "closed_at",
    }  # fmt: skip
    listed = call("GET", "/events").json()
    assert [event["id"] for event in listed] == [friday["id"], later["id"]]
    closed = call("POST", f"/events/{friday['id']}/close")
    assert closed.status == 200 and closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    again = call("POST", f"/events/{friday['id']}/close")
    assert again.status == 200 and again.json() == closed.json()
    assert [e["id"] for e in call("GET", "/events", query="status=open").json()] == [later["id"]]
    assert [e["id"] for e in call("GET", "/events", query="status=closed").json()] == [friday["id"]]


def test_the_registrations_show_each_person_with_their_answers(
    api_world: ApiWorld, call: Call
) -> None:
    event = create(call)
    people = [
        {"id": "dana@example.org", "full_name": "Dana Levi", "age": "31", "responses": {}},
        {"id": "row-3", "full_name": "Avi Cohen", "responses": {"diet": "טבעוני"}},
    ]
    people[0]["responses"] = {"dietary_restrictions": "severe peanut allergy", "kosher": "yes"}
    transport = transport_for_caller(api_world.settings, api_world.admin_token)
    sealer = ImportSealer(HealthStore(transport), key_service_for(api_world.settings), "test")
    EventsStore(transport).import_registrations(
        event_id=UUID(event["id"]), participants=people, sealer=sealer
    )
    answer = call("GET", f"/events/{event['id']}/registrations")
    assert answer.status == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["event"] == event
    shown = [
        (r["external_id"], r["full_name"], r["age"], r["responses"]) for r in body["registrations"]
    ]
    assert shown == [
        ("row-3", "Avi Cohen", None, {"diet": "טבעוני"}),
        # The health answers are sealed: only an audited read shows them.
        ("dana@example.org", "Dana Levi", 31, {"kosher": "yes"}),
    ]
    assert set(body["registrations"][0]) == {
        "participant_id", "external_id", "full_name", "age", "birth_date", "responses",
        "registered_at",
    }  # fmt: skip


ROUTES = [
    ("POST", "/events", {"name": "Friday", "event_date": FRIDAY}),
    ("GET", "/events", None),
    ("POST", "/events/{id}/close", None),
    ("GET", "/events/{id}/registrations", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_without_a_token_every_route_is_a_401(
    api_world: ApiWorld, call: Call, method: str, path: str, body: Any
) -> None:
    event = create(call)
    answer = call(method, path.format(id=event["id"]), token=None, body=body)
    assert answer.status == 401
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_non_admin_is_refused_every_route_with_a_403(
    api_world: ApiWorld, call: Call, method: str, path: str, body: Any
) -> None:
    event = create(call)
    answer = call(method, path.format(id=event["id"]), token="member", body=body)
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert api_world.count("select count(*) from public.events") == 1
    assert api_world.count("select count(*) from public.events where status = 'open'") == 1


@pytest.mark.parametrize("path", ["/events/{id}/close", "/events/{id}/registrations"])
def test_an_unknown_event_is_a_404(call: Call, path: str) -> None:
    method = "POST" if path.endswith("close") else "GET"
    answer = call(method, path.format(id=uuid4()))
    assert answer.status == 404
    assert answer.json()["type"].endswith(":not-found")


BAD_EVENTS: dict[str, tuple[dict[str, Any], str]] = {
    "no name": ({"event_date": FRIDAY}, "name"),
    "a blank name": ({"name": "   ", "event_date": FRIDAY}, "name"),
    "a name too long": ({"name": "x" * 201, "event_date": FRIDAY}, "name"),
    "a NUL in the name": ({"name": "Fri\x00day", "event_date": FRIDAY}, "name"),
    "no date": ({"name": "Friday"}, "event_date"),
    "a date that is no date": ({"name": "Friday", "event_date": "2026-02-30"}, "event_date"),
    "a status given": ({"name": "Friday", "event_date": FRIDAY, "status": "closed"}, "status"),
}


@pytest.mark.parametrize(("body", "field"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_bad_event_is_a_422_naming_the_field(
    api_world: ApiWorld, call: Call, body: dict[str, Any], field: str
) -> None:
    answer = call("POST", "/events", body=body)
    assert answer.status == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]]
    assert api_world.count("select count(*) from public.events") == 0


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("GET", "/events", "status=archived"),
        ("POST", "/events/not-a-uuid/close", ""),
        ("GET", "/events/not-a-uuid/registrations", ""),
    ],
)
def test_a_bad_status_or_id_is_a_422(call: Call, method: str, path: str, query: str) -> None:
    answer = call(method, path, query=query)
    assert answer.status == 422, answer.text
    assert answer.json()["errors"]
