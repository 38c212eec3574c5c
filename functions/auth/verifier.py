"""Verifying a Supabase access token and turning it into a `Caller`.

The key is chosen by the token's algorithm family, never the other way round: HS256
is checked only against the project's JWT secret, RS256/ES256 only against a JWKS key
whose own algorithm matches. Anything else (`none` included) is refused before any
signature work. Claims required: `exp`, `aud` = "authenticated", `iss` = the project's
`/auth/v1`, `sub` (a UUID) and `role` = "authenticated". Admins are recognised by
`app_metadata.role` only: `user_metadata` is writable by the user.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt

from functions.auth.jwks import JwksCache
from functions.web.errors import InvalidTokenError

AUDIENCE = "authenticated"
USER_ROLE = "authenticated"
ADMIN_ROLE = "admin"
SYMMETRIC_ALGORITHM = "HS256"
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "ES256"})
REQUIRED_CLAIMS = ("exp", "aud", "iss", "sub")
# Header fields that, when present, must be JSON strings (RFC 7515 4.1.4, 4.1.9).
STRING_HEADERS = ("kid", "typ")
# Clock skew between Supabase Auth and Lambda.
LEEWAY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Caller:
    """A verified user; `access_token` is forwarded to Supabase so that RLS applies."""

    user_id: uuid.UUID
    role: str
    is_admin: bool
    access_token: str = field(repr=False)


class TokenVerifier:
    def __init__(
        self, *, issuer: str, jwt_secret: str | None, signing_keys: JwksCache | None
    ) -> None:
        self._issuer = issuer
        self._jwt_secret = jwt_secret
        self._signing_keys = signing_keys

    def verify(self, token: str) -> Caller:
        """The caller behind `token`; `InvalidTokenError` for anything not fully valid."""
        algorithm, kid = token_header(token)
        key = self._key_for(algorithm, kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=AUDIENCE,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError:
            raise InvalidTokenError() from None
        return caller_from_claims(claims, token)

    def _key_for(self, algorithm: str, kid: str | None) -> Any:
        if algorithm == SYMMETRIC_ALGORITHM and self._jwt_secret:
            return self._jwt_secret
        if algorithm not in ASYMMETRIC_ALGORITHMS or self._signing_keys is None:
            raise InvalidTokenError()
        if kid is None:
            raise InvalidTokenError()
        key = self._signing_keys.key(kid)
        if key is None or key.algorithm_name != algorithm:
            raise InvalidTokenError()
        return key.key


def token_header(token: str) -> tuple[str, str | None]:
    """The `alg` and `kid` of `token`'s header, unverified; `InvalidTokenError` unless the
    header is a JSON object whose `alg` is a string and whose `kid` and `typ`, when present,
    are strings too (any other JSON type is refused here, before it reaches a comparison)."""
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise InvalidTokenError() from None
    if not isinstance(header, dict):
        raise InvalidTokenError()
    algorithm = header.get("alg")
    if not isinstance(algorithm, str):
        raise InvalidTokenError()
    if any(name in header and not isinstance(header[name], str) for name in STRING_HEADERS):
        raise InvalidTokenError()
    kid = header.get("kid")
    return algorithm, kid if isinstance(kid, str) else None


def caller_from_claims(claims: dict[str, Any], token: str) -> Caller:
    """A `Caller` from verified claims; a non-user token (anon, service) is refused."""
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise InvalidTokenError() from None
    role = claims.get("role")
    if role != USER_ROLE:
        raise InvalidTokenError("The bearer token does not belong to a signed-in user.")
    app_metadata = claims.get("app_metadata")
    is_admin = isinstance(app_metadata, dict) and app_metadata.get("role") == ADMIN_ROLE
    return Caller(user_id=user_id, role=role, is_admin=is_admin, access_token=token)
