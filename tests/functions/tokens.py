"""Signing keys and Supabase-shaped access tokens for the function tests.

Forged tokens are assembled by hand (base64url + hmac), not through PyJWT, so that the
attacks do not depend on the library under test agreeing to produce them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

SUPABASE_URL = "https://abcdefghijklmnop.supabase.co"
ISSUER = f"{SUPABASE_URL}/auth/v1"
JWT_SECRET = "test-only-hs256-secret-of-the-project-0123456789"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        public = self.private_key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        headers = {"kid": self.kid, **header}
        return jwt.encode(claims, self.private_key, algorithm=self.algorithm, headers=headers)


def rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


def user_claims(
    *, user_id: uuid.UUID | None = None, admin: bool = False, **changes: Any
) -> dict[str, Any]:
    """The claims Supabase Auth puts in a signed-in user's access token."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "authenticated",
        "sub": str(user_id or uuid.uuid4()),
        "role": "authenticated",
        "iat": now,
        "exp": now + 3600,
        "email": "someone@example.org",
        "app_metadata": {"provider": "email", **({"role": "admin"} if admin else {})},
        "user_metadata": {},
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unsigned_token(claims: dict[str, Any]) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."


def hs256_token(claims: dict[str, Any], secret: bytes, **header: Any) -> str:
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', **header})}.{segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def with_payload(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced and the original signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{segment(claims)}.{signature}"
