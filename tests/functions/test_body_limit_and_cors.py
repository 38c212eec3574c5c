"""The body limit (declared or streamed) and CORS (configured origins, and locally the
loopback ones), through the probe app.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI

from functions.web.app import mangum_handler
from functions.web.settings import Settings, get_settings
from tests.functions.events import send
from tests.functions.problem_probe import Call, problem
from tests.functions.problem_probe import admin as admin
from tests.functions.problem_probe import call as call
from tests.functions.problem_probe import probe as probe


def test_a_declared_body_over_the_limit_is_413(call: Call, admin: str) -> None:
    # test_settings allow 2,000 bytes.
    answer = call("POST", "/runs", token=admin, body='{"dry_run": true}' + " " * 1_984)
    assert answer.status == 413
    assert problem(answer)["type"] == "urn:grouping-service:problem:payload-too-large"


def test_a_body_at_the_limit_is_read(call: Call, admin: str) -> None:
    answer = call("POST", "/runs", token=admin, body='{"dry_run": true}' + " " * 1_983)
    assert answer.status == 200
    assert answer.json() == {"dry_run": True}


def test_a_streamed_body_over_the_limit_is_413_before_the_app_reads_it(
    probe: FastAPI, admin: str
) -> None:
    # No content-length, two chunks: what a local server sees for a chunked upload.
    chunks = [b"{" + b" " * 1_500, b" " * 1_500 + b"}"]
    # A private loop: asyncio.run would unset the loop Mangum relies on.
    loop = asyncio.new_event_loop()
    try:
        status, body = loop.run_until_complete(asgi_post(probe, "/runs", chunks, admin))
    finally:
        loop.close()
    assert status == 413
    assert b"payload-too-large" in body


async def asgi_post(app: FastAPI, path: str, chunks: list[bytes], token: str) -> tuple[int, bytes]:
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def record(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"authorization", f"Bearer {token}".encode()), (b"host", b"localhost")]
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": headers,
        "query_string": b"",
        "http_version": "1.1",
        "scheme": "http",
        "root_path": "",
    }
    await app(scope, receive, record)  # type: ignore[arg-type]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return sent[0]["status"], body


def test_cors_answers_only_the_configured_origins(call: Call) -> None:
    preflight = {"access-control-request-method": "POST"}
    allowed = call("OPTIONS", "/runs", headers={**preflight, "origin": "https://app.example.org"})
    assert allowed.status == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
    refused = call("OPTIONS", "/runs", headers={**preflight, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in refused.headers


def test_even_an_error_carries_cors_headers_for_an_allowed_origin(call: Call) -> None:
    answer = call("GET", "/crash", headers={"origin": "https://app.example.org"})
    assert answer.status == 401
    assert answer.headers["access-control-allow-origin"] == "https://app.example.org"


@pytest.mark.parametrize(
    ("app_env", "configured", "origin", "allowed"),
    [
        ("local", (), "http://localhost:5173", True),
        ("local", (), "http://127.0.0.1:8080", True),
        ("local", (), "http://[::1]:3000", True),
        ("local", (), "https://app.example.org", False),
        ("local", (), "http://localhost.evil.example", False),
        # Origins set locally are all there is, as on AWS.
        ("local", ("https://app.example.org",), "http://localhost:5173", False),
        ("dev", (), "http://localhost:5173", False),
    ],
)
def test_locally_the_loopback_origins_are_allowed_until_origins_are_set(
    probe: FastAPI,
    test_settings: Settings,
    app_env: str,
    configured: tuple[str, ...],
    origin: str,
    allowed: bool,
) -> None:
    settings = test_settings.model_construct(
        **{**test_settings.model_dump(), "app_env": app_env, "allowed_origins": configured}
    )
    probe.dependency_overrides[get_settings] = lambda: settings
    preflight = {
        "access-control-request-method": "PUT",
        "access-control-request-headers": "if-match",
    }
    answer = send(
        mangum_handler(probe), "OPTIONS", "/runs", headers={**preflight, "origin": origin}
    )
    assert (answer.headers.get("access-control-allow-origin") == origin) is allowed
