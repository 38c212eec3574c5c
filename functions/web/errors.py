"""The error taxonomy every function answers with; `problems.py` renders each as problem+json.

One hierarchy for everything that can go wrong on purpose, whoever notices it: a route's
guard, a feature's service, or the database (whose codes `functions.database.codes` maps
to these classes in one table). Each class fixes its HTTP status, title and slug, so
nothing is matched on message text. Feature errors subclass these in their own package
(`functions.grouping.errors`, `functions.wards.errors`).

A detail never carries an input value, SQL text or a participant's answers: it says what
is wrong, not what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field: a dotted path (`options.min_group_size`) and what is wrong with it."""

    field: str
    message: str


class ServiceError(Exception):
    """Base of every error a function answers on purpose; the class fixes status and slug.

    Subclasses state what differs as class keywords, e.g.
    `class NotAdminError(ForbiddenError, slug="not-admin", detail="...")`; the title is the
    status's HTTP phrase, as for every other problem the functions answer.
    """

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    default_detail: ClassVar[str] = "The request could not be completed."

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        slug: str | None = None,
        detail: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.status = status or cls.status
        cls.slug = slug or cls.slug
        cls.default_detail = detail or cls.default_detail

    def __init__(self, detail: str | None = None, *, errors: Sequence[FieldError] = ()) -> None:
        self.detail = detail or self.default_detail
        self.errors = tuple(errors)
        super().__init__(self.detail)

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase

    def extensions(self) -> dict[str, Any]:
        """RFC 9457 extension members this error adds to its problem (none by default)."""
        return {}

    def headers(self) -> dict[str, str]:
        """Response headers this error adds to its problem (none by default)."""
        return {}


class UnauthenticatedError(
    ServiceError, status=401, slug="unauthenticated", detail="A valid access token is required."
):
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidTokenError(UnauthenticatedError, slug="invalid-token"):
    """Forged, expired, not yet valid, for another audience or issuer, or not a user's token."""

    default_detail = "The bearer token is not valid for this service."


class ForbiddenError(ServiceError, status=403, slug="forbidden"):
    """The caller may not do this (or may not see what it names: the same to them)."""

    default_detail = "The caller is not allowed to do this."


class NotFoundError(ServiceError, status=404, slug="not-found"):
    default_detail = "No such record, or it is not visible to the caller."


class ConflictError(ServiceError, status=409, slug="conflict"):
    default_detail = "The request conflicts with the current state."


class StaleVersionError(ConflictError, detail="The record changed since it was read."): ...


class PayloadTooLargeError(ServiceError, status=413, slug="payload-too-large"):
    default_detail = "The request body is larger than this service accepts."


class InvalidInputError(ServiceError, status=422, slug="invalid-input"):
    """422; `errors` names each bad field."""

    default_detail = "The request has invalid fields."


class ServiceUnavailableError(ServiceError, status=503, slug="service-unavailable"):
    default_detail = "A service this request depends on is unavailable; retry shortly."
    # Seconds a client should wait before the same request may succeed (`Retry-After`);
    # None when retrying will not help (e.g. the service is not configured).
    retry_after_seconds: ClassVar[int | None] = None

    def headers(self) -> dict[str, str]:
        if self.retry_after_seconds is None:
            return {}
        return {"Retry-After": str(self.retry_after_seconds)}
