"""What the database itself refused, beyond what a feature names (see `codes.py`)."""

from __future__ import annotations

from functions.web.errors import InvalidInputError, ServiceError, ServiceUnavailableError


class DatabaseError(ServiceError):
    """The database failed in a way no more specific error describes: a 500."""

    default_detail = "The database could not complete the request."


class InvalidPayloadError(InvalidInputError):
    default_detail = "The database refused values of the wrong shape or range."


class ReferentialIntegrityError(InvalidPayloadError):
    default_detail = "A referenced record is missing, or the record is still referenced."


class DatabaseUnavailableError(ServiceUnavailableError):
    default_detail = "The database is unavailable; try again later."


class StoreNotConfiguredError(ServiceUnavailableError):
    slug = "store-not-configured"
    default_detail = "The service has no database configured."
