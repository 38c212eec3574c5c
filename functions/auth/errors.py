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


class NotAdminError(ForbiddenError):
    slug = "not-admin"
    default_detail = "Only administrators may do this."


class SigningKeysUnavailableError(ServiceUnavailableError):
    """The Supabase JWKS endpoint could not be read, so no token can be checked."""

    slug = "signing-keys-unavailable"
    default_detail = "The token signing keys could not be loaded; retry shortly."
