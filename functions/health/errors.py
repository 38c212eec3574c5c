"""The health feature's errors: each carries its HTTP status through the taxonomy."""

from __future__ import annotations

from functions.web.errors import ConflictError, InvalidInputError, ServiceUnavailableError


class SealedAnswersError(Exception):
    """A sealed row does not open: tampered with, moved to another row, or under another
    key. Never an HTTP answer on its own: a run leaves that person unassigned
    (`invalid-profile`), a read answers `HealthDataUnreadableError`."""


class HealthDataUnreadableError(ConflictError, slug="health-data-unreadable"):
    """Stored health answers do not open (tampered, moved, or their key is gone)."""

    default_detail = "The stored answers cannot be opened; import them again."


class HealthKeyUnavailableError(ServiceUnavailableError, slug="health-key-unavailable"):
    """The key service (KMS) refused or could not be reached; nothing was read or written."""

    default_detail = "The key service is unavailable; try again later."


class PurposeRequiredError(InvalidInputError, slug="purpose-required"):
    """An admin's read of health data names no purpose it may be read for (HD001)."""

    default_detail = "State the purpose: venue, support or correction."
