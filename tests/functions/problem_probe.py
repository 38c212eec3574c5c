"""A probe app for the web plumbing's tests: routes that fail each way a feature can.

Its routes validate options, raise each error of the taxonomy (as a store would) and
crash with SQL in the message, so the tests see what `create_app` makes of every
failure without a feature or a database; the fixtures call it through Mangum as API
Gateway would.
"""

from __future__ import annotations

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
from functions.web.settings import Settings
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
