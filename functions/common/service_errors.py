"""Domain errors of the functions; `errors.py` turns each into problem+json by its type.

Handlers and stores raise these with a `detail` written for the caller. A detail never
carries an input value, SQL text or a participant's answers: it says what is wrong, not
what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: a dotted path (`options.min_group_size`) and what is wrong with it."""

    field: str
    message: str


class ServiceError(Exception):
    """Base of every error a function answers on purpose; the class fixes status and title."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal server error"
    slug: ClassVar[str] = "internal-error"
    default_detail: ClassVar[str] = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, errors: Sequence[FieldError] = ()) -> None:
        self.detail = detail or self.default_detail
        self.errors = tuple(errors)
        super().__init__(self.detail)


class UnauthenticatedError(ServiceError):
    status = 401
    title = "Unauthenticated"
    slug = "unauthenticated"
    default_detail = "A valid Supabase access token is required."


class MissingTokenError(UnauthenticatedError):
    default_detail = "The request has no bearer token in its Authorization header."


class InvalidTokenError(UnauthenticatedError):
    """Forged, expired, not yet valid, for another audience or issuer, or not a user's token."""

    slug = "invalid-token"
    default_detail = "The bearer token is not valid for this service."


class ForbiddenError(ServiceError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"
    default_detail = "The caller may not do this."


class NotAdminError(ForbiddenError):
    slug = "not-admin"
    default_detail = "Only administrators may do this."


class NotFoundError(ServiceError):
    status = 404
    title = "Not found"
    slug = "not-found"
    default_detail = "Nothing exists under this id."


class ConflictError(ServiceError):
    status = 409
    title = "Conflict"
    slug = "conflict"
    default_detail = "The request conflicts with the current state."


class PayloadTooLargeError(ServiceError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"
    default_detail = "The request body is larger than this service accepts."


class InvalidInputError(ServiceError):
    """422; `errors` names each bad field."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"
    default_detail = "The request has invalid fields."


class ServiceUnavailableError(ServiceError):
    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"
    default_detail = "A service this request depends on is unavailable; retry shortly."


class SigningKeysUnavailableError(ServiceUnavailableError):
    """The Supabase JWKS endpoint could not be read, so no token can be checked."""

    slug = "signing-keys-unavailable"
    default_detail = "The token signing keys could not be loaded; retry shortly."
