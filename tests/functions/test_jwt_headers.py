"""Malformed JWT headers: every JSON type in `alg`, `kid` and `typ`, headers that are not
objects, not base64, not JSON: each is a 401 `invalid-token`, never a 500.

The tokens are assembled by hand and signed correctly (HS256 with the project's secret, RS256
with a published key), so that the header alone is what is wrong with them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.functions.conftest import Invoke
from tests.functions.events import Answer
from tests.functions.forged_tokens import JSON_VALUES, NOT_STRINGS, RAW_HEADERS, hs256, rs256
from tests.functions.tokens import SigningKey, b64url, segment, user_claims


def assert_invalid_token(answer: Answer) -> None:
    assert answer.status == 401, answer.text
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["type"].endswith(":invalid-token")


def test_the_hand_made_tokens_are_accepted_with_a_sound_header(
    call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    assert call_whoami(hs256({"alg": "HS256", "typ": "JWT"})).status == 200
    assert call_whoami(hs256({"alg": "HS256"})).status == 200
    sound = {"alg": "RS256", "typ": "JWT", "kid": rsa_signer.kid}
    assert call_whoami(rs256(rsa_signer, sound)).status == 200


@pytest.mark.parametrize("value", JSON_VALUES, ids=repr)
def test_an_alg_of_any_json_type_but_a_string_is_401(call_whoami: Invoke, value: Any) -> None:
    assert_invalid_token(call_whoami(hs256({"alg": value, "typ": "JWT"})))


@pytest.mark.parametrize("value", JSON_VALUES, ids=repr)
def test_an_alg_of_any_json_type_is_401_on_the_asymmetric_path(
    call_whoami: Invoke, rsa_signer: SigningKey, value: Any
) -> None:
    token = rs256(rsa_signer, {"alg": value, "typ": "JWT", "kid": rsa_signer.kid})
    assert_invalid_token(call_whoami(token))


@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
@pytest.mark.parametrize("field", ["kid", "typ"])
def test_a_kid_or_typ_that_is_not_a_string_is_401(
    call_whoami: Invoke, rsa_signer: SigningKey, field: str, value: Any
) -> None:
    symmetric = {"alg": "HS256", "typ": "JWT", field: value}
    assert_invalid_token(call_whoami(hs256(symmetric)))
    asymmetric = {"alg": "RS256", "typ": "JWT", "kid": rsa_signer.kid, field: value}
    assert_invalid_token(call_whoami(rs256(rsa_signer, asymmetric)))


@pytest.mark.parametrize("value", JSON_VALUES, ids=repr)
@pytest.mark.parametrize("field", ["crit", "b64", "jku", "x5u", "jwk"])
def test_other_header_fields_of_any_json_type_never_answer_500(
    call_whoami: Invoke, field: str, value: Any
) -> None:
    answer = call_whoami(hs256({"alg": "HS256", "typ": "JWT", field: value}))
    assert answer.status in (200, 401), answer.text


@pytest.mark.parametrize("raw", RAW_HEADERS, ids=lambda raw: repr(raw[:20]))
def test_a_header_that_is_not_a_json_object_is_401(call_whoami: Invoke, raw: bytes) -> None:
    assert_invalid_token(call_whoami(hs256(raw)))


@pytest.mark.parametrize(
    "token",
    [
        "!!!.e30.e30",
        "e30",
        "e30.e30",
        "..",
        "...",
        "e30.e30.e30.e30",
        "a" * 10_000,
        f"{b64url(b'{}')}.{segment(user_claims())}.",
        "\u00e9\u00e9.e30.e30",
    ],
)
def test_a_token_that_is_not_three_base64_segments_is_401(call_whoami: Invoke, token: str) -> None:
    assert_invalid_token(call_whoami(token))
