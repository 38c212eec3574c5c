"""The one table from database codes to the error taxonomy.

Codes are SQLSTATEs (raised by PostgreSQL, or on purpose by the schema's functions, see
sql/migrations/0001 and the ward RPCs) and PostgREST's own `PGRST…` codes; both
transports send every failure through `error_for_code`. The errors' messages are fixed
per class: no SQL text, no payload values.
"""

from __future__ import annotations

import json
from typing import Any

from functions.auth.errors import CredentialsRejectedError
from functions.database import errors as database
from functions.grouping import errors as grouping
from functions.wards import errors as wards
from functions.web.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError

_ERRORS_BY_CODE: dict[str, type[ServiceError]] = {
    "42501": ForbiddenError,
    "P0002": NotFoundError,
    "GR001": grouping.IdempotencyConflictError,
    "GR002": grouping.ArchivedPolicyError,
    "GR003": grouping.ActivePolicyError,
    "23505": ConflictError,
    "23503": database.ReferentialIntegrityError,
    "23502": database.InvalidPayloadError,
    "23514": database.InvalidPayloadError,
    "40001": database.DatabaseUnavailableError,
    "40P01": database.DatabaseUnavailableError,
    # PostgREST: a single row was asked for and none (or several) came back.
    "PGRST116": NotFoundError,
    # PostgREST: the JWT is missing, expired or invalid.
    "PGRST301": CredentialsRejectedError,
    "PGRST302": CredentialsRejectedError,
    "PGRST303": CredentialsRejectedError,
    # PostgREST cannot reach its database.
    "PGRST000": database.DatabaseUnavailableError,
    "PGRST001": database.DatabaseUnavailableError,
    "PGRST002": database.DatabaseUnavailableError,
}
# SQLSTATE classes: data exceptions, connection failures, resources, operator action.
_ERRORS_BY_CLASS: dict[str, type[ServiceError]] = {
    "22": database.InvalidPayloadError,
    "08": database.DatabaseUnavailableError,
    "53": database.DatabaseUnavailableError,
    "57": database.DatabaseUnavailableError,
}
_UNAVAILABLE_HTTP_STATUSES = frozenset({"502", "503", "504", "520"})
# The ward RPCs' own SQLSTATEs (sql/migrations/0014, 0015), whose DETAIL names the offender.
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

    `detail` is the error's DETAIL; only the ward codes read it (a JSON object).
    """
    if code is None:
        return database.DatabaseError()
    if code == "WB004" or code in _WARD_PAYLOAD_ERRORS:
        return _ward_error(code, detail)
    if code in _ERRORS_BY_CODE:
        return _ERRORS_BY_CODE[code]()
    if code in _UNAVAILABLE_HTTP_STATUSES:
        return database.DatabaseUnavailableError()
    if len(code) == 5 and code[:2] in _ERRORS_BY_CLASS:
        return _ERRORS_BY_CLASS[code[:2]]()
    return database.DatabaseError()
