"""TokenVerifier and JwksCache on their own: key choice, caching, rotation, failures."""

from __future__ import annotations

import uuid

import httpx
import pytest

from functions.auth.errors import SigningKeysUnavailableError
from functions.auth.jwks import JwksCache, http_jwks_fetcher, parse_key_set
from functions.auth.verifier import Caller, TokenVerifier
from functions.web.errors import InvalidTokenError
from tests.functions.conftest import FakeJwksEndpoint, ManualClock
from tests.functions.tokens import ISSUER, JWT_SECRET, SigningKey, hs256_token, user_claims


def test_without_a_secret_hs256_tokens_are_refused(jwks_endpoint: FakeJwksEndpoint) -> None:
    verifier = TokenVerifier(issuer=ISSUER, jwt_secret=None, signing_keys=JwksCache(jwks_endpoint))
    with pytest.raises(InvalidTokenError):
        verifier.verify(hs256_token(user_claims(), JWT_SECRET.encode()))
    assert jwks_endpoint.fetches == 0


def test_the_caller_keeps_the_token_to_forward_but_never_prints_it(
    verifier: TokenVerifier, rsa_signer: SigningKey
) -> None:
    user_id = uuid.uuid4()
    token = rsa_signer.sign(user_claims(user_id=user_id))
    caller = verifier.verify(token)
    assert caller == Caller(
        user_id=user_id, role="authenticated", is_admin=False, access_token=token
    )
    assert token not in repr(caller)


def test_keys_are_cached_for_at_most_ten_minutes(
    verifier: TokenVerifier,
    rsa_signer: SigningKey,
    jwks_endpoint: FakeJwksEndpoint,
    clock: ManualClock,
) -> None:
    token = rsa_signer.sign(user_claims())
    verifier.verify(token)
    clock.advance(599)
    verifier.verify(token)
    assert jwks_endpoint.fetches == 1
    clock.advance(1)
    verifier.verify(token)
    assert jwks_endpoint.fetches == 2


def test_a_rotated_in_key_is_found_by_the_refetch(
    verifier: TokenVerifier,
    rsa_signer: SigningKey,
    stranger_signer: SigningKey,
    jwks_endpoint: FakeJwksEndpoint,
    clock: ManualClock,
) -> None:
    verifier.verify(rsa_signer.sign(user_claims()))
    jwks_endpoint.keys.append(stranger_signer.public_jwk())
    clock.advance(31)
    user_id = uuid.uuid4()
    assert verifier.verify(stranger_signer.sign(user_claims(user_id=user_id))).user_id == user_id
    assert jwks_endpoint.fetches == 2


def test_a_key_removed_from_the_jwks_stops_working_after_the_cache_expires(
    verifier: TokenVerifier,
    rsa_signer: SigningKey,
    jwks_endpoint: FakeJwksEndpoint,
    clock: ManualClock,
) -> None:
    token = rsa_signer.sign(user_claims())
    verifier.verify(token)
    jwks_endpoint.keys = [key for key in jwks_endpoint.keys if key["kid"] != rsa_signer.kid]
    clock.advance(600)
    with pytest.raises(InvalidTokenError):
        verifier.verify(token)


def test_symmetric_and_unusable_entries_of_a_key_set_are_ignored(
    rsa_signer: SigningKey,
) -> None:
    document = {
        "keys": [
            {"kty": "oct", "kid": "shared", "k": "c2VjcmV0", "alg": "HS256"},
            {**rsa_signer.public_jwk(), "kid": "for-encryption", "use": "enc"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            {**rsa_signer.public_jwk(), "kid": None},
            rsa_signer.public_jwk(),
        ]
    }
    assert list(parse_key_set(document)) == [rsa_signer.kid]
    assert parse_key_set({"keys": "nonsense"}) == {}


def test_the_http_fetch_reads_the_jwks_url(rsa_signer: SigningKey) -> None:
    seen: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"keys": [rsa_signer.public_jwk()]})

    url = f"{ISSUER}/.well-known/jwks.json"
    fetch = http_jwks_fetcher(url, httpx.Client(transport=httpx.MockTransport(serve)))
    assert list(parse_key_set(fetch())) == [rsa_signer.kid]
    assert seen == [url]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, text="upstream down"),
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
    ],
)
def test_an_unreadable_jwks_is_a_503_kind_of_failure(answer: httpx.Response) -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda request: answer))
    fetch = http_jwks_fetcher(f"{ISSUER}/.well-known/jwks.json", client)
    with pytest.raises(SigningKeysUnavailableError):
        fetch()


def test_an_unreachable_jwks_is_a_503_kind_of_failure() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(SigningKeysUnavailableError):
        http_jwks_fetcher(f"{ISSUER}/.well-known/jwks.json", client)()
