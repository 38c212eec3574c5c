"""The one table from database codes to the error taxonomy.

Codes are SQLSTATEs (raised by PostgreSQL, or on purpose by the schema's functions, see
sql/migrations/0001, the ward RPCs and the events' EV codes of 0020) and PostgREST's own
`PGRST…` codes; both transports send every failure through `error_for_code`. The errors'
messages are fixed per class: no SQL text, no payload values.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from functions.auth.errors import CredentialsRejectedError
from functions.database import errors as database
from functions.events import errors as events
from functions.grouping import errors as grouping
from functions.health import errors as health
from functions.wards import errors as wards
from functions.web.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError

logger = logging.getLogger("functions.database")

_ERRORS_BY_CODE: dict[str, type[ServiceError]] = {
    "42501": ForbiddenError,
    "P0002": NotFoundError,
    "GR001": grouping.IdempotencyConflictError,
    "GR002": grouping.ArchivedPolicyError,
    "GR003": grouping.ActivePolicyError,
    "GR010": grouping.StaleRunEditError,
    "GR011": grouping.RunGroupsInvalidError,
    "GR012": grouping.NothingToUndoError,
    "GR013": grouping.RunNotEditableError,
    "GR014": grouping.RunGroupRulesError,
    "EV001": events.ImportTooLargeError,
    "EV002": events.ClosedEventError,
    "EV003": grouping.ClosedEventError,
    "HD001": health.PurposeRequiredError,
    "23505": ConflictError,
    "23503": database.ReferentialIntegrityError,
    "23502": database.InvalidPayloadError,
    "23514": database.InvalidPayloadError,
    # PostgREST: a single row was asked for and none (or several) came back.
    "PGRST116": NotFoundError,
    # PostgREST: the JWT is missing, expired or invalid.
    "PGRST301": CredentialsRejectedError,
    "PGRST302": CredentialsRejectedError,
    "PGRST303": CredentialsRejectedError,
}
# Transient faults: the same request may succeed when retried (503 with Retry-After).
_TRANSIENT_CODES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "53300",  # too_many_connections
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "57014",  # query_canceled: a statement timeout, which a retry under less load passes
        "57P05",  # idle_session_timeout
        # PostgREST cannot reach its database, or waited too long for a pooled connection.
        "PGRST000",
        "PGRST001",
        "PGRST002",
        "PGRST003",
        # A bare HTTP status, when a gateway in front of PostgREST answered.
        "502",
        "503",
        "504",
        "520",
    }
)
# SQLSTATE classes: data exceptions (the request's values), connection exceptions.
_ERRORS_BY_CLASS: dict[str, type[ServiceError]] = {
    "22": database.InvalidPayloadError,
    "08": database.DatabaseUnavailableError,
}
# What a code may look like in a log line: a SQLSTATE, a PostgREST code, an HTTP status.
_LOGGABLE_CODE = re.compile(r"[0-9A-Z]{5}|PGRST[0-9]{3}|[0-9]{3}")
# The ward RPCs' own SQLSTATEs (sql/migrations/0011, 0012), whose DETAIL names the offender.
_WARD_PAYLOAD_ERRORS: dict[str, type[wards.WardPayloadError]] = {
    "WB001": wards.UnknownWardMemberError,
    "WB002": wards.InvalidWardGroupError,
    "WB003": wards.HouseholdSplitError,
    "WB005": wards.MalformedWardPayloadError,
    "WB006": wards.WardPayloadError,
}


def _parsed_detail(detail: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(detail) if detail else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ward_error(code: str, detail: str | None) -> ServiceError:
    named = _parsed_detail(detail)
    if code == "WB004":
        version = named.get("current_version")
        return wards.StaleAssignmentsError(
            current_version=version if isinstance(version, int) else None
        )
    error_class = _WARD_PAYLOAD_ERRORS[code]
    if code == "WB005" and _text(named.get("user_hash")) is not None:
        error_class = wards.DuplicateWardMemberError
    return error_class(
        user_hash=_text(named.get("user_hash")),
        group=_text(named.get("group")),
        household_id=_text(named.get("household_id")),
    )


def error_for_code(code: str | None, detail: str | None = None) -> ServiceError:
    """The domain error for a SQLSTATE, a PostgREST code or a bare HTTP status.

    `detail` is the error's DETAIL; only the ward codes read it (a JSON object). A code
    this table does not know (class 42 among them: a query the deployed schema cannot run,
    i.e. code and migrations out of step) or no code at all is a `DatabaseError`, a 500,
    logged with the code and its class, never the message.
    """
    if code is None:
        logger.error("unmapped database error without a SQLSTATE")
        return database.DatabaseError()
    if code == "WB004" or code in _WARD_PAYLOAD_ERRORS:
        return _ward_error(code, detail)
    if code in _ERRORS_BY_CODE:
        return _ERRORS_BY_CODE[code]()
    if code in _TRANSIENT_CODES:
        logger.warning("database unavailable: %s", _described(code))
        return database.DatabaseUnavailableError()
    if len(code) == 5 and code[:2] in _ERRORS_BY_CLASS:
        mapped = _ERRORS_BY_CLASS[code[:2]]()
        if isinstance(mapped, database.DatabaseUnavailableError):
            logger.warning("database unavailable: %s", _described(code))
        return mapped
    logger.error("unmapped database error: %s", _described(code))
    return database.DatabaseError()


def _described(code: str) -> str:
    """The code and its SQLSTATE class, for a log line; anything else is not repeated."""
    if not _LOGGABLE_CODE.fullmatch(code):
        return "an unrecognised code"
    if code.startswith("PGRST"):
        return f"PostgREST code {code}"
    if len(code) == 3:
        return f"HTTP status {code} (no SQLSTATE)"
    return f"SQLSTATE {code} (class {code[:2]})"
