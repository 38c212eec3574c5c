"""The venues routes through Mangum on real PostgreSQL: create, list, read, change;
401 without a token, 403 for a non-admin, 404, and 422 naming the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.venues_api import handler
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

pytestmark = pytest.mark.db
Call = Callable[..., Answer]
ALMA = {
    "name": "Alma",
    "kosher": True,
    "group_capacity": 3,
    "seat_capacity": 18,
    "keeps_out": ["sesame", "peanut"],
    "area": "north",
    "cost": 120,
}


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    undo = wire(handler.app, api_world.settings, verifier)
    tokens = {"admin": api_world.admin_token, "member": api_world.member_token}

    def invoke(method: str, path: str, *, token: str | None = "admin", **event: Any) -> Answer:
        bearer = None if token is None else tokens[token]
        return send(handler.handler, method, path, token=bearer, **event)

    yield invoke
    undo()
    # The world leaves venues alone: these tests remove what they made.
    api_world.db.execute("delete from public.venue_plans")
    api_world.db.execute("delete from public.venues")


def test_create_read_list_and_change(call: Call) -> None:
    created = call("POST", "/venues", body=ALMA)
    assert created.status == 201, created.text
    venue = created.json()
    # Stored as sent, the allergens in the vocabulary's order, active by default.
    assert {k: venue[k] for k in ALMA} == {**ALMA, "keeps_out": ["peanut", "sesame"]}
    assert venue["active"] is True
    assert call("GET", f"/venues/{venue['id']}").json() == venue
    changed = call("PUT", f"/venues/{venue['id']}", body={"active": False, "cost": 90})
    assert changed.status == 200
    assert changed.json()["active"] is False and changed.json()["cost"] == 90
    assert changed.json()["name"] == "Alma"
    assert [v["id"] for v in call("GET", "/venues").json()] == [venue["id"]]
    assert call("GET", "/venues", query="include_inactive=false").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ALMA, "keeps_out": ["kiwi"]}, "keeps_out"),
        ({**ALMA, "group_capacity": 0}, "group_capacity"),
        ({**ALMA, "seat_capacity": "many"}, "seat_capacity"),
        ({**ALMA, "colour": "red"}, "colour"),
        ({k: v for k, v in ALMA.items() if k != "name"}, "name"),
    ],
)
def test_a_bad_venue_is_a_422_naming_the_field(
    call: Call, body: dict[str, Any], field: str
) -> None:
    answer = call("POST", "/venues", body=body)
    assert answer.status == 422, answer.text
    assert field in answer.text
    assert "Traceback" not in answer.text


def test_a_change_to_an_unknown_allergen_is_refused(call: Call) -> None:
    venue = call("POST", "/venues", body=ALMA).json()
    answer = call("PUT", f"/venues/{venue['id']}", body={"keeps_out": ["other:kiwi"]})
    assert answer.status == 422 and "keeps_out" in answer.text


def test_venues_are_for_admins(call: Call) -> None:
    assert call("GET", "/venues", token=None).status == 401
    assert call("GET", "/venues", token="member").status == 403
    assert call("POST", "/venues", token="member", body=ALMA).status == 403


def test_an_unknown_venue_is_a_404(call: Call) -> None:
    assert call("GET", f"/venues/{uuid4()}").status == 404
    assert call("PUT", f"/venues/{uuid4()}", body={"cost": 1}).status == 404
