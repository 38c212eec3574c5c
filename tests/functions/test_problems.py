"""problem+json answers, the body limit, request ids and CORS, through a probe app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, ValidationError

from engine import GroupingOptions
from functions.auth.deps import AdminDep
from functions.auth.errors import CredentialsRejectedError
from functions.auth.verifier import TokenVerifier
from functions.database.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    ReferentialIntegrityError,
)
from functions.grouping.errors import ActivePolicyError
from functions.web.app import create_app, mangum_handler
from functions.web.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceError,
    StaleVersionError,
)
from functions.web.problems import invalid_input
from functions.web.settings import Settings, get_settings
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.tokens import SigningKey, user_claims

SECRET_SQL = "select allergy from participants where note = 'severe peanut'"
router = APIRouter()


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    options: GroupingOptions = GroupingOptions()
    dry_run: bool = False


@router.post("/runs")
def create_run(caller: AdminDep, request: RunRequest) -> dict[str, bool]:
    return {"dry_run": request.dry_run}


@router.post("/merge")
def merge_overrides(caller: AdminDep, overrides: dict[str, object]) -> dict[str, str]:
    try:
        GroupingOptions.model_validate(overrides)
    except ValidationError as error:
        raise invalid_input(error, prefix="options") from None
    return {}


@router.get("/policies/{policy_id}")
def missing_policy(policy_id: str, caller: AdminDep) -> None:
    raise NotFoundError("No policy has this id.")


@router.delete("/policies/active")
def delete_active(caller: AdminDep) -> None:
    raise ConflictError("The active policy cannot be deleted.")


STORE_FAILURES: dict[str, type[ServiceError]] = {
    "missing": NotFoundError,
    "stale": StaleVersionError,
    "active": ActivePolicyError,
    "rls": ForbiddenError,
    "rejected": CredentialsRejectedError,
    "shape": ReferentialIntegrityError,
    "down": DatabaseUnavailableError,
    "unknown": DatabaseError,
}


@router.post("/store/{failure}")
def store_failure(failure: str, caller: AdminDep) -> None:
    raise STORE_FAILURES[failure]()


@router.get("/crash")
def crash(caller: AdminDep) -> None:
    raise RuntimeError(SECRET_SQL)


Call = Callable[..., Answer]


@pytest.fixture
def probe(test_settings: Settings, verifier: TokenVerifier) -> Iterator[FastAPI]:
    app = create_app("probe", router)
    undo = wire(app, test_settings, verifier)
    yield app
    undo()


@pytest.fixture
def call(probe: FastAPI) -> Call:
    handler = mangum_handler(probe)

    def invoke(method: str, path: str, **event: Any) -> Answer:
        return send(handler, method, path, **event)

    return invoke


@pytest.fixture
def admin(rsa_signer: SigningKey) -> str:
    return rsa_signer.sign(user_claims(admin=True))


def problem(answer: Answer) -> dict[str, Any]:
    assert answer.headers["content-type"] == "application/problem+json"
    assert not answer.base64_encoded
    body: dict[str, Any] = answer.json()
    assert set(body) == {"type", "title", "status", "detail", "errors", "request_id"}
    assert body["status"] == answer.status
    assert body["request_id"] == answer.headers["x-request-id"]
    return body


def fields_of(answer: Answer) -> list[str]:
    return sorted(item["field"] for item in problem(answer)["errors"])


def test_a_valid_non_admin_is_403(call: Call, rsa_signer: SigningKey) -> None:
    answer = call("POST", "/runs", token=rsa_signer.sign(user_claims()), body={})
    assert answer.status == 403
    assert problem(answer)["type"] == "urn:grouping-service:problem:not-admin"


def test_the_request_id_is_api_gateways(call: Call) -> None:
    answer = call("POST", "/runs", body={})
    assert problem(answer)["request_id"] == "Xk3q9hJvFiAEMdQ="


def test_an_invalid_option_is_422_naming_the_field_without_echoing_it(
    call: Call, admin: str
) -> None:
    body = {"options": {"age_policy": "peanut-severe", "min_group_size": 1}}
    answer = call("POST", "/runs", token=admin, body=body)
    assert answer.status == 422
    assert fields_of(answer) == ["options.age_policy", "options.min_group_size"]
    assert "peanut" not in answer.text


def test_an_unknown_field_is_422_naming_it(call: Call, admin: str) -> None:
    answer = call("POST", "/runs", token=admin, body={"dryrun": True})
    assert answer.status == 422
    assert fields_of(answer) == ["dryrun"]


def test_malformed_json_is_422_on_the_body(call: Call, admin: str) -> None:
    answer = call("POST", "/runs", token=admin, body='{"dry_run": tru')
    assert answer.status == 422
    assert problem(answer)["errors"] == [{"field": "body", "message": "Malformed JSON"}]


def test_options_validated_by_a_handler_are_named_under_a_prefix(call: Call, admin: str) -> None:
    overrides = {"min_group_size": 5, "fallback_group_size": 4, "colour": "red"}
    answer = call("POST", "/merge", token=admin, body=overrides)
    assert answer.status == 422
    assert fields_of(answer) == ["options.colour", "options.fallback_group_size"]


@pytest.mark.parametrize(
    ("method", "path", "status", "slug"),
    [
        ("GET", "/policies/42", 404, "not-found"),
        ("DELETE", "/policies/active", 409, "conflict"),
        ("GET", "/no-such-route", 404, "not-found"),
        ("PATCH", "/runs", 405, "method-not-allowed"),
    ],
)
def test_domain_and_routing_errors_are_problems(
    call: Call, admin: str, method: str, path: str, status: int, slug: str
) -> None:
    answer = call(method, path, token=admin)
    assert answer.status == status
    assert problem(answer)["type"] == f"urn:grouping-service:problem:{slug}"


def test_a_crash_is_a_500_with_a_request_id_and_nothing_leaks(
    call: Call, admin: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        answer = call("GET", "/crash", token=admin)
    assert answer.status == 500
    body = problem(answer)
    assert body["request_id"] == "Xk3q9hJvFiAEMdQ="
    assert "peanut" not in answer.text and "select" not in answer.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Xk3q9hJvFiAEMdQ=" in logged and "RuntimeError" in logged
    assert "peanut" not in logged and "Traceback" not in logged


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
    ("failure", "status", "slug"),
    [
        ("missing", 404, "not-found"),
        ("stale", 409, "conflict"),
        ("active", 409, "conflict"),
        ("rls", 403, "forbidden"),
        ("rejected", 401, "invalid-token"),
        ("shape", 422, "invalid-input"),
        ("down", 503, "service-unavailable"),
        ("unknown", 500, "internal-error"),
    ],
)
def test_store_errors_map_by_type(
    call: Call, admin: str, failure: str, status: int, slug: str
) -> None:
    answer = call("POST", f"/store/{failure}", token=admin)
    assert answer.status == status
    body = problem(answer)
    assert body["type"] == f"urn:grouping-service:problem:{slug}"
    if status != 500:
        assert body["detail"] == STORE_FAILURES[failure].default_detail


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
