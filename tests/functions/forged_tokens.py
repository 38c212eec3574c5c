"""Tokens whose header is wrong and whose signature is right: HS256 with the project's secret
or RS256 with a published key, over a header given as JSON or as raw bytes, so that the
header alone is what a verifier must refuse. Assembled by hand, as tokens.py does."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from jwt.algorithms import RSAAlgorithm

from tests.functions.tokens import JWT_SECRET, SigningKey, b64url, segment, user_claims

# One value of every JSON type (and some that look almost right).
JSON_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**64,
    1.5,
    1e308,
    [],
    ["HS256"],
    ["RS256", "HS256"],
    [[["HS256"]]],
    {},
    {"alg": "HS256"},
    {"HS256": True},
]
NOT_STRINGS = [value for value in JSON_VALUES if not isinstance(value, str)]
# Headers that are not a JSON object: other JSON, no JSON, no UTF-8, too deep to parse.
RAW_HEADERS = [
    b"[]",
    b'["HS256"]',
    b'"HS256"',
    b"1",
    b"null",
    b"true",
    b"not json",
    b"{",
    b'{"alg": "HS256"',
    b"\xff\xfe\xfd",
    b"[" * 10_000 + b"]" * 10_000,
    b'{"alg": "HS256", "alg": ["HS256"]}',
]


def hs256(header: bytes | dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    """A token with `header` (raw bytes, or a dict as JSON), signed with the project's secret."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    signing_input = f"{b64url(raw)}.{segment(claims or user_claims(admin=True))}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def rs256(signer: SigningKey, header: dict[str, Any]) -> str:
    """A token with `header`, signed by `signer` (a key the project's JWKS publishes)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{segment(user_claims(admin=True))}"
    algorithm = RSAAlgorithm(RSAAlgorithm.SHA256)
    signature = algorithm.sign(signing_input.encode(), signer.private_key)  # type: ignore[arg-type]
    return f"{signing_input}.{b64url(signature)}"
