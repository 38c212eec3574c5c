"""Why a caller was turned away before anything was read."""

from __future__ import annotations

from functions.web.errors import (
    ForbiddenError,
    InvalidTokenError,
    ServiceUnavailableError,
    UnauthenticatedError,
)


class MissingTokenError(UnauthenticatedError):
    default_detail = "The request has no bearer token in its Authorization header."


class CredentialsRejectedError(InvalidTokenError):
    """The database (PostgREST) refused the token the verifier had accepted."""

    default_detail = "The database refused the caller's credentials."


class NotAdminError(ForbiddenError, slug="not-admin", detail="Only administrators may do this."):
    """The token is valid, but its `app_metadata.role` is not admin."""


class SigningKeysUnavailableError(ServiceUnavailableError, slug="signing-keys-unavailable"):
    """The Supabase JWKS endpoint could not be read, so no token can be checked."""

    default_detail = "The token signing keys could not be loaded; retry shortly."
    # The key cache asks the endpoint again after its 30 s cooldown at the latest.
    retry_after_seconds = 30
