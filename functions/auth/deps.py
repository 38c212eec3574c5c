"""FastAPI dependencies every function shares, as `Annotated` aliases.

Handlers declare `caller: AdminDep` and get a verified administrator, or the request
ends in 401/403 before the handler (and so the database) is touched. Tests replace
`get_settings` or `get_token_verifier` through `app.dependency_overrides`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from functions.auth.errors import MissingTokenError, NotAdminError
from functions.auth.jwks import JwksCache, http_jwks_fetcher
from functions.auth.verifier import Caller, TokenVerifier
from functions.web.observability import bind
from functions.web.settings import Settings, get_settings

SettingsDep = Annotated[Settings, Depends(get_settings)]

# auto_error=False: a missing header becomes our problem+json 401, not FastAPI's.
_bearer = HTTPBearer(auto_error=False, description="A Supabase access token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@lru_cache(maxsize=4)
def token_verifier_for(settings: Settings) -> TokenVerifier:
    """One verifier (and so one JWKS cache) per settings, i.e. per cold start."""
    secret = settings.supabase_jwt_secret
    return TokenVerifier(
        issuer=settings.jwt_issuer,
        jwt_secret=secret.get_secret_value() if secret else None,
        signing_keys=JwksCache(http_jwks_fetcher(settings.jwks_url)),
    )


def get_token_verifier(settings: SettingsDep) -> TokenVerifier:
    return token_verifier_for(settings)


TokenVerifierDep = Annotated[TokenVerifier, Depends(get_token_verifier)]


def get_caller(credentials: BearerDep, verifier: TokenVerifierDep) -> Caller:
    if credentials is None or not credentials.credentials:
        raise MissingTokenError()
    caller = verifier.verify(credentials.credentials)
    bind(user_id=str(caller.user_id))  # the caller's id in the request's log lines
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def require_admin(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise NotAdminError()
    return caller


AdminDep = Annotated[Caller, Depends(require_admin)]
