"""The JWT battery against POST /build-groups: refused before any database call.

Each bad token must get 401 (or 403 for a valid non-admin) while the store is never
even created, and no run appears in the database.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from functions.auth.verifier import TokenVerifier
from functions.build_groups import handler
from functions.grouping.deps import get_store
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.tokens import (
    SigningKey,
    hs256_token,
    rsa_key,
    unsigned_token,
    user_claims,
    with_payload,
)

pytestmark = pytest.mark.db
NOW = int(time.time())
STRANGER = rsa_key("not-published")


def admin(**changes: Any) -> dict[str, Any]:
    return user_claims(admin=True, **changes)


BAD_TOKENS: dict[str, Callable[[SigningKey], str]] = {
    "alg none": lambda key: unsigned_token(admin()),
    "HS256 signed with the public key": lambda key: hs256_token(
        admin(), key.public_pem(), kid=key.kid
    ),
    "another audience": lambda key: key.sign(admin(aud="service")),
    "another issuer": lambda key: key.sign(admin(iss="https://evil.example.org/auth/v1")),
    "expired": lambda key: key.sign(admin(iat=NOW - 7200, exp=NOW - 3600)),
    "not yet valid": lambda key: key.sign(admin(nbf=NOW + 3600)),
    "missing sub": lambda key: key.sign(admin(sub=None)),
    "unknown kid": lambda key: STRANGER.sign(admin()),
    "tampered payload": lambda key: with_payload(key.sign(user_claims()), admin()),
    "anon role": lambda key: key.sign(admin(role="anon")),
}


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Callable[[str], Answer]]:
    undo = wire(handler.app, api_world.settings, verifier)

    def no_store() -> None:
        raise AssertionError("the store was created for a refused caller")

    handler.app.dependency_overrides[get_store] = no_store
    yield lambda token: send(handler.handler, "POST", "/build-groups", token=token, body={})
    undo()


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_a_bad_token_is_401_and_touches_nothing(
    kind: str, api_world: ApiWorld, call: Callable[[str], Answer], rsa_signer: SigningKey
) -> None:
    runs_before = api_world.runs()
    answer = call(BAD_TOKENS[kind](rsa_signer))
    assert answer.status == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert api_world.runs() == runs_before


def test_user_metadata_claiming_admin_is_403_and_touches_nothing(
    api_world: ApiWorld, call: Callable[[str], Answer], rsa_signer: SigningKey
) -> None:
    runs_before = api_world.runs()
    token = rsa_signer.sign(user_claims(user_id=uuid.uuid4(), user_metadata={"role": "admin"}))
    answer = call(token)
    assert answer.status == 403, answer.text
    assert api_world.runs() == runs_before
