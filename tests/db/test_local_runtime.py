"""The local runtime: one dispatcher over the functions' apps, a local admin, its token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from mangum import Mangum

from functions.web.settings import get_settings
from infra.local.runtime import (
    FunctionDispatcher,
    _path_pattern,
    ensure_local_admin,
    function_apps,
    local_admin_token,
)
from tests.functions.events import Answer, send


@pytest.fixture
def local_settings(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[None]:
    monkeypatch.setenv("APP_ENV", "local")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_JWT_SECRET", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def get(path: str, token: str | None = None) -> Answer:
    # The dispatcher is a plain ASGI app, so Mangum can drive it like a function's app.
    dispatcher = FunctionDispatcher(function_apps().values())
    return send(Mangum(dispatcher, lifespan="off"), "GET", path, token=token)


def test_every_http_function_is_mounted() -> None:
    assert {"whoami", "build_groups", "policies", "events_api"} <= set(function_apps())
    assert "common" not in function_apps()


def test_the_printed_token_is_a_local_admin(local_settings: None, database_url: str) -> None:
    admin = ensure_local_admin(database_url)
    assert ensure_local_admin(database_url) == admin  # a second start changes nothing
    response = get("/whoami", local_admin_token(user_id=admin))
    assert response.status == 200
    body: dict[str, Any] = json.loads(response.text)
    assert body == {"user_id": str(admin), "is_admin": True}


def test_an_expired_local_token_is_refused(local_settings: None, database_url: str) -> None:
    token = local_admin_token(user_id=ensure_local_admin(database_url), lifetime_s=-60)
    assert get("/whoami", token).status == 401


def test_a_path_no_function_serves_is_a_problem_404(local_settings: None) -> None:
    response = get("/no-such-route")
    assert response.status == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("template", "path", "matches"),
    [
        ("/runs/{run_id}", "/runs/123", True),
        ("/runs/{run_id}", "/runs/123/groups", False),
        ("/grouping/policies", "/grouping/policies", True),
        ("/grouping/policies", "/grouping/policiesX", False),
    ],
)
def test_path_templates_match_one_segment_per_parameter(
    template: str, path: str, matches: bool
) -> None:
    assert bool(_path_pattern(template).fullmatch(path)) is matches


def test_the_most_specific_route_of_the_right_method_wins() -> None:
    literal, general, other = FastAPI(), FastAPI(), FastAPI()
    literal.post("/groups/preview")(lambda: None)
    general.get("/groups/{ward}")(lambda: None)
    other.post("/groups/bulk-update")(lambda: None)
    dispatcher = FunctionDispatcher([general, literal, other])
    assert dispatcher._app_for("POST", "/groups/preview") is literal
    assert dispatcher._app_for("POST", "/groups/bulk-update") is other
    assert dispatcher._app_for("GET", "/groups/abc") is general
    assert dispatcher._app_for("DELETE", "/groups/abc") is general  # it answers 405
    assert dispatcher._app_for("GET", "/elsewhere") is None
