"""Domain errors of the store, and the one place that maps database codes to them.

Codes are SQLSTATEs (raised by PostgreSQL, or on purpose by the schema's functions,
see sql/migrations/0001) and PostgREST's own `PGRST…` codes. Messages are fixed per
class: no SQL text, no payload values.
"""

from __future__ import annotations

from typing import ClassVar


class StoreError(Exception):
    """The store failed in a way no more specific error describes."""

    message: ClassVar[str] = "The database could not complete the request."

    def __init__(self) -> None:
        super().__init__(self.message)


class NotFoundError(StoreError):
    message = "No such record, or it is not visible to the caller."


class ForbiddenError(StoreError):
    message = "The caller is not allowed to do this."


class CredentialsRejectedError(StoreError):
    message = "The database refused the caller's credentials."


class ConflictError(StoreError):
    message = "The request conflicts with the current state."


class StaleVersionError(ConflictError):
    message = "The record changed since it was read."


class ActivePolicyError(ConflictError):
    message = "The active grouping policy cannot be deleted."


class ArchivedPolicyError(ConflictError):
    message = "An archived grouping policy cannot be activated or edited."


class IdempotencyConflictError(ConflictError):
    message = "The idempotency key was already used for a different request."


class InvalidPayloadError(StoreError):
    message = "The database refused values of the wrong shape or range."


class ReferentialIntegrityError(InvalidPayloadError):
    message = "A referenced record is missing, or the record is still referenced."


class StoreUnavailableError(StoreError):
    message = "The database is unavailable; try again later."


_ERRORS_BY_CODE: dict[str, type[StoreError]] = {
    "42501": ForbiddenError,
    "P0002": NotFoundError,
    "GR001": IdempotencyConflictError,
    "GR002": ArchivedPolicyError,
    "GR003": ActivePolicyError,
    "23505": ConflictError,
    "23503": ReferentialIntegrityError,
    "23502": InvalidPayloadError,
    "23514": InvalidPayloadError,
    "40001": StoreUnavailableError,
    "40P01": StoreUnavailableError,
    # PostgREST: a single row was asked for and none (or several) came back.
    "PGRST116": NotFoundError,
    # PostgREST: the JWT is missing, expired or invalid.
    "PGRST301": CredentialsRejectedError,
    "PGRST302": CredentialsRejectedError,
    "PGRST303": CredentialsRejectedError,
    # PostgREST cannot reach its database.
    "PGRST000": StoreUnavailableError,
    "PGRST001": StoreUnavailableError,
    "PGRST002": StoreUnavailableError,
}
# SQLSTATE classes: data exceptions, connection failures, resources, operator action.
_ERRORS_BY_CLASS: dict[str, type[StoreError]] = {
    "22": InvalidPayloadError,
    "08": StoreUnavailableError,
    "53": StoreUnavailableError,
    "57": StoreUnavailableError,
}
_UNAVAILABLE_HTTP_STATUSES = frozenset({"502", "503", "504", "520"})


def error_for_code(code: str | None) -> StoreError:
    """The domain error for a SQLSTATE, a PostgREST code or a bare HTTP status."""
    if code is None:
        return StoreError()
    if code in _ERRORS_BY_CODE:
        return _ERRORS_BY_CODE[code]()
    if code in _UNAVAILABLE_HTTP_STATUSES:
        return StoreUnavailableError()
    if len(code) == 5 and code[:2] in _ERRORS_BY_CLASS:
        return _ERRORS_BY_CLASS[code[:2]]()
    return StoreError()
