"""Domain errors of the store, and the one place that maps database codes to them.

Codes are SQLSTATEs (raised by PostgreSQL, or on purpose by the schema's functions,
see sql/migrations/0001) and PostgREST's own `PGRST…` codes. Messages are fixed per
class: no SQL text, no payload values.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar


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


class WardPayloadError(InvalidPayloadError):
    """A ward write refused for what it names; the offender comes from the JSON DETAIL."""

    message = "The ward request names something it may not."
    # The request field at fault, as the client spells it.
    field: ClassVar[str] = "body"

    def __init__(
        self,
        *,
        user_hash: str | None = None,
        group: str | None = None,
        household_id: str | None = None,
    ) -> None:
        super().__init__()
        self.user_hash = user_hash
        self.group = group
        self.household_id = household_id


class UnknownWardMemberError(WardPayloadError):
    message = "A member named is not on the ward's roster."
    field = "userHash"


class InvalidWardGroupError(WardPayloadError):
    message = "A group named is not one of A, B, C, D."
    field = "newGroup"


class HouseholdSplitError(WardPayloadError):
    message = "The change would split a household across groups."
    field = "assignments"


class RestoreSplitsHouseholdError(HouseholdSplitError):
    """A restore refused: the roster has joined, since, members the earlier state parts."""

    message = "Restoring to before that entry would split a household the roster has joined since."
    field = "auditId"


class MalformedWardPayloadError(WardPayloadError):
    message = "The ward request is not a list of well-formed entries."


class DuplicateWardMemberError(MalformedWardPayloadError):
    message = "The ward request names a member more than once."
    field = "userHash"


class StaleAssignmentsError(StaleVersionError):
    """The ward's assignments changed since the version the caller read."""

    message = "The ward's assignments changed since they were read."

    def __init__(self, *, current_version: int | None = None) -> None:
        super().__init__()
        self.current_version = current_version


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
# The ward RPCs' own SQLSTATEs (sql/migrations/0014, 0015), whose DETAIL names the offender.
_WARD_PAYLOAD_ERRORS: dict[str, type[WardPayloadError]] = {
    "WB001": UnknownWardMemberError,
    "WB002": InvalidWardGroupError,
    "WB003": HouseholdSplitError,
    "WB005": MalformedWardPayloadError,
    "WB006": WardPayloadError,
}


def _parsed_detail(detail: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(detail) if detail else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ward_error(code: str, detail: str | None) -> StoreError:
    named = _parsed_detail(detail)
    if code == "WB004":
        version = named.get("current_version")
        return StaleAssignmentsError(current_version=version if isinstance(version, int) else None)
    error_class = _WARD_PAYLOAD_ERRORS[code]
    if code == "WB005" and _text(named.get("user_hash")) is not None:
        error_class = DuplicateWardMemberError
    return error_class(
        user_hash=_text(named.get("user_hash")),
        group=_text(named.get("group")),
        household_id=_text(named.get("household_id")),
    )


def error_for_code(code: str | None, detail: str | None = None) -> StoreError:
    """The domain error for a SQLSTATE, a PostgREST code or a bare HTTP status.

    `detail` is the error's DETAIL; only the ward codes read it (a JSON object).
    """
    if code is None:
        return StoreError()
    if code == "WB004" or code in _WARD_PAYLOAD_ERRORS:
        return _ward_error(code, detail)
    if code in _ERRORS_BY_CODE:
        return _ERRORS_BY_CODE[code]()
    if code in _UNAVAILABLE_HTTP_STATUSES:
        return StoreUnavailableError()
    if len(code) == 5 and code[:2] in _ERRORS_BY_CLASS:
        return _ERRORS_BY_CLASS[code[:2]]()
    return StoreError()
