"""Paths as API Gateway hands them over: `$default`, named stages, custom-domain mappings."""

from __future__ import annotations

import uuid

import pytest
from mangum import Mangum

from functions.auth.verifier import TokenVerifier
from functions.web.app import mangum_handler, strip_stage
from functions.web.settings import Settings
from functions.whoami import handler
from tests.functions.conftest import Invoke, wire
from tests.functions.events import send
from tests.functions.tokens import SigningKey, user_claims


@pytest.mark.parametrize(
    ("path", "stage", "expected"),
    [
        ("/whoami", "$default", "/whoami"),
        ("/dev/whoami", "dev", "/whoami"),
        ("/dev", "dev", "/"),
        ("/devices/1", "dev", "/devices/1"),
        ("/whoami", "dev", "/whoami"),
        ("/prod/grouping/policies/7", "prod", "/grouping/policies/7"),
        ("/dev/whoami", None, "/dev/whoami"),
    ],
)
def test_strip_stage(path: str, stage: str | None, expected: str) -> None:
    assert strip_stage(path, stage) == expected


def test_a_named_stage_reaches_the_route(call_whoami: Invoke, rsa_signer: SigningKey) -> None:
    user_id = uuid.uuid4()
    token = rsa_signer.sign(user_claims(user_id=user_id))
    answer = call_whoami(token, stage="dev")
    assert answer.status == 200
    assert answer.json()["user_id"] == str(user_id)


def test_plain_mangum_would_miss_the_route_under_a_named_stage(
    call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    # Why mangum_handler exists: Mangum alone routes `/dev/whoami` and finds nothing.
    plain = Mangum(handler.app, lifespan="off")
    token = rsa_signer.sign(user_claims())
    assert send(plain, "GET", "/whoami", token=token, stage="dev").status == 404


def test_a_custom_domain_base_path_is_stripped(
    test_settings: Settings, verifier: TokenVerifier, rsa_signer: SigningKey
) -> None:
    undo = wire(handler.app, test_settings, verifier)
    try:
        mapped = mangum_handler(handler.app, base_path="/grouping")
        token = rsa_signer.sign(user_claims())
        assert send(mapped, "GET", "/grouping/whoami", token=token).status == 200
    finally:
        undo()


def test_the_base_path_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_GATEWAY_BASE_PATH", "/grouping")
    assert mangum_handler(handler.app).config["api_gateway_base_path"] == "/grouping"
