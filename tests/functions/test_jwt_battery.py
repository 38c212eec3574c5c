"""Every kind of bad token, sent as a real HTTP API v2 event to whoami's Lambda handler."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from functions.auth.deps import token_verifier_for
from functions.web.settings import Settings, get_settings
from tests.functions.conftest import FakeJwksEndpoint, Invoke, ManualClock
from tests.functions.events import Answer, send
from tests.functions.tokens import (
    JWT_SECRET,
    SigningKey,
    hs256_token,
    unsigned_token,
    user_claims,
    with_payload,
)

PROBLEM = "application/problem+json"


def assert_unauthenticated(answer: Answer) -> None:
    assert answer.status == 401
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["status"] == 401
    assert not answer.base64_encoded


def test_an_admin_with_a_valid_rs256_token_is_recognised(
    call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    user_id = uuid.uuid4()
    response = call_whoami(rsa_signer.sign(user_claims(user_id=user_id, admin=True)))
    assert response.status == 200
    assert response.json() == {"user_id": str(user_id), "is_admin": True}


def test_a_plain_user_with_a_valid_es256_token_is_not_admin(
    call_whoami: Invoke, ec_signer: SigningKey
) -> None:
    user_id = uuid.uuid4()
    response = call_whoami(ec_signer.sign(user_claims(user_id=user_id)))
    assert response.status == 200
    assert response.json() == {"user_id": str(user_id), "is_admin": False}


def test_a_legacy_hs256_token_signed_with_the_project_secret_is_accepted(
    call_whoami: Invoke, jwks_endpoint: FakeJwksEndpoint
) -> None:
    user_id = uuid.uuid4()
    token = hs256_token(user_claims(user_id=user_id, admin=True), JWT_SECRET.encode())
    response = call_whoami(token)
    assert response.status == 200
    assert response.json() == {"user_id": str(user_id), "is_admin": True}
    assert jwks_endpoint.fetches == 0


def test_user_metadata_claiming_admin_does_not_make_an_admin(
    call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    claims = user_claims(user_metadata={"role": "admin", "is_admin": True})
    response = call_whoami(rsa_signer.sign(claims))
    assert response.status == 200
    assert response.json()["is_admin"] is False


def test_no_token_is_401(call_whoami: Invoke) -> None:
    response = call_whoami(None)
    assert_unauthenticated(response)
    assert response.json()["type"].endswith(":unauthenticated")


def test_alg_none_is_401_without_looking_up_keys(
    call_whoami: Invoke, jwks_endpoint: FakeJwksEndpoint
) -> None:
    assert_unauthenticated(call_whoami(unsigned_token(user_claims(admin=True))))
    assert jwks_endpoint.fetches == 0


def test_hs256_signed_with_the_public_key_is_401(
    call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    claims = user_claims(admin=True)
    forged = hs256_token(claims, rsa_signer.public_pem(), kid=rsa_signer.kid)
    assert_unauthenticated(call_whoami(forged))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-app"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.supabase.co/auth/v1"}, id="wrong-issuer"),
        pytest.param({"exp": int(time.time()) - 60}, id="expired"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
        pytest.param({"sub": None}, id="missing-sub"),
        pytest.param({"sub": "not-a-user-id"}, id="sub-not-a-uuid"),
        pytest.param({"exp": None}, id="missing-exp"),
        pytest.param({"aud": None}, id="missing-aud"),
        pytest.param({"role": "anon"}, id="anon-role"),
        pytest.param({"role": "service_role"}, id="service-role"),
    ],
)
def test_a_correctly_signed_but_unacceptable_token_is_401(
    call_whoami: Invoke, rsa_signer: SigningKey, changes: dict[str, Any]
) -> None:
    response = call_whoami(rsa_signer.sign(user_claims(admin=True, **changes)))
    assert_unauthenticated(response)


def test_a_real_supabase_anon_key_is_401(call_whoami: Invoke) -> None:
    # The shape of a project's anon key: HS256, no sub, no audience, issuer "supabase".
    now = int(time.time())
    anon = {"iss": "supabase", "ref": "abcdefghijklmnop", "role": "anon", "iat": now}
    anon["exp"] = now + 3600
    assert_unauthenticated(call_whoami(hs256_token(anon, JWT_SECRET.encode())))


def test_a_tampered_payload_is_401(call_whoami: Invoke, rsa_signer: SigningKey) -> None:
    claims = user_claims()
    genuine = rsa_signer.sign(claims)
    assert call_whoami(genuine).status == 200
    promoted = {**claims, "app_metadata": {"provider": "email", "role": "admin"}}
    assert_unauthenticated(call_whoami(with_payload(genuine, promoted)))


def test_a_key_of_another_algorithm_family_under_a_published_kid_is_401(
    call_whoami: Invoke, ec_signer: SigningKey, stranger_signer: SigningKey
) -> None:
    # RS256 header naming the EC key's kid: the key's own algorithm must match.
    token = stranger_signer.sign(user_claims(admin=True), kid=ec_signer.kid)
    assert_unauthenticated(call_whoami(token))


def test_an_unknown_kid_refetches_once_then_is_401(
    call_whoami: Invoke,
    rsa_signer: SigningKey,
    stranger_signer: SigningKey,
    jwks_endpoint: FakeJwksEndpoint,
    clock: ManualClock,
) -> None:
    assert call_whoami(rsa_signer.sign(user_claims())).status == 200
    assert jwks_endpoint.fetches == 1
    clock.advance(60)
    assert_unauthenticated(call_whoami(stranger_signer.sign(user_claims(admin=True))))
    assert jwks_endpoint.fetches == 2
    # Right after that refetch, another unknown kid does not reach Supabase again.
    assert_unauthenticated(call_whoami(stranger_signer.sign(user_claims(admin=True))))
    assert jwks_endpoint.fetches == 2


def test_the_real_dependency_chain_uses_the_settings_issuer_and_secret(
    test_settings: Settings,
) -> None:
    # Only settings are swapped: the verifier is built by deps from them, as on AWS.
    from functions.whoami import handler

    handler.app.dependency_overrides[get_settings] = lambda: test_settings
    try:
        user_id = uuid.uuid4()
        token = hs256_token(user_claims(user_id=user_id), JWT_SECRET.encode())
        answer = send(handler.handler, "GET", "/whoami", token=token)
        assert answer.status == 200
        assert answer.json()["user_id"] == str(user_id)
        other_issuer = hs256_token(
            user_claims(iss="https://other.supabase.co/auth/v1"), JWT_SECRET.encode()
        )
        assert_unauthenticated(send(handler.handler, "GET", "/whoami", token=other_issuer))
        assert token_verifier_for(test_settings) is token_verifier_for(test_settings)
    finally:
        handler.app.dependency_overrides.clear()
