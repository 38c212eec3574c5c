"""What the database itself refused, beyond what a feature names (see `codes.py`)."""

from __future__ import annotations

from functions.web.errors import InvalidInputError, ServiceError, ServiceUnavailableError


class DatabaseError(ServiceError, detail="The database could not complete the request."):
    """The database failed in a way no more specific error describes: a 500."""


class InvalidPayloadError(InvalidInputError):
    """A value the request carried broke a column's type, range or CHECK."""

    default_detail = "The database refused values of the wrong shape or range."


class ReferentialIntegrityError(InvalidPayloadError):
    """23503: a foreign key refused the write (a missing reference, or rows still using it)."""

    default_detail = "A referenced record is missing, or the record is still referenced."


class DatabaseUnavailableError(ServiceUnavailableError):
    """The connection was lost (class 08), a transaction lost a race (40001, 40P01), the
    server is short of resources or stopping (53, 57), or PostgREST cannot reach it."""

    default_detail = "The database is unavailable; try again later."
