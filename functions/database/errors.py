"""What the database itself refused, beyond what a feature names (see `codes.py`)."""

from __future__ import annotations

import logging

from functions.web.errors import InvalidInputError, ServiceError, ServiceUnavailableError

# Long enough for a failover or a lost race to pass, short enough for a phone to wait.
RETRY_AFTER_SECONDS = 2


class DatabaseError(ServiceError, detail="The database could not complete the request."):
    """The database failed in a way no more specific error describes: a 500."""


class InvalidPayloadError(InvalidInputError):
    """A value the request carried broke a column's type, range or CHECK."""

    default_detail = "The database refused values of the wrong shape or range."


class ReferentialIntegrityError(InvalidPayloadError):
    """23503: a foreign key refused the write (a missing reference, or rows still using it)."""

    default_detail = "A referenced record is missing, or the record is still referenced."


class DatabaseUnavailableError(ServiceUnavailableError):
    """A fault the same request may not meet again: the connection was lost (class 08), a
    transaction lost a race (40001, 40P01), the server has no connection to spare (53300) or
    is shutting down (57P01-57P03), or PostgREST cannot reach it. A 503 with `Retry-After`."""

    default_detail = "The database is unavailable; try again later."
    retry_after_seconds = RETRY_AFTER_SECONDS


class IncompleteReadError(DatabaseUnavailableError, slug="incomplete-read"):
    """A paged read could not gather every row it counted: no count came back, or rows went
    away between pages. Never a part of the rows: a 503, and a retry reads one state again."""

    default_detail = "The rows could not be read whole; try again."

    def __init__(self, relation: str, why: str) -> None:
        super().__init__()
        # The relation and why, never a row: enough to find a "Max rows" or proxy problem.
        logging.getLogger("functions.database").error("read of %s incomplete: %s", relation, why)
