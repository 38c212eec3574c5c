"""What an event request can be refused for, beyond the taxonomy's generic errors.

Raised by the events store before it sends a request, and by the database (EV001, EV002;
sql/migrations/0020), mapped in `functions.database.codes`, so both answer the same.
"""

from __future__ import annotations

from functions.database.errors import InvalidPayloadError
from functions.web.errors import ConflictError, FieldError

# The most rows one import takes: the database refuses more (EV001) whoever calls it.
MAX_IMPORT_ROWS = 50_000


class ClosedEventError(ConflictError, slug="event-closed"):
    """EV002: a closed event takes no imports and no registrations."""

    default_detail = "The event is closed: it takes no more registrations."


class ImportTooLargeError(InvalidPayloadError, slug="import-too-large"):
    """EV001: an import of more rows than one call takes; a 422 naming `participants`."""

    default_detail = f"An import takes at most {MAX_IMPORT_ROWS:,} participants."

    def __init__(self) -> None:
        super().__init__(errors=[FieldError("participants", self.default_detail)])
