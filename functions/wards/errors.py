"""What a ward request can be refused for; each refusal names what it is about.

Raised by the ward service before it writes, and by the ward RPCs (their SQLSTATEs and
JSON DETAIL mapped in `functions.database.codes`), so both name the same member, household
or current version. Never a group value or SQL: a member by user hash, a household by id.
"""

from __future__ import annotations

from typing import Any, ClassVar

from functions.database.errors import InvalidPayloadError
from functions.web.errors import FieldError, ForbiddenError, StaleVersionError


class NotWardManagerError(ForbiddenError):
    slug = "not-ward-manager"
    default_detail = "Only this ward's admins and leaders may do this."


class WardPayloadError(InvalidPayloadError):
    """A ward write refused for what it names (a member, a household)."""

    default_detail = "The ward request names something it may not."
    # The request field at fault, as the client spells it.
    field: ClassVar[str] = "body"

    def __init__(
        self,
        *,
        user_hash: str | None = None,
        group: str | None = None,
        household_id: str | None = None,
    ) -> None:
        self.user_hash = user_hash
        self.group = group
        self.household_id = household_id
        named = self.extensions()
        which = ", ".join(f"{key} {value}" for key, value in named.items())
        message = f"{self.default_detail} ({which})" if which else self.default_detail
        super().__init__(errors=[FieldError(self.field, message)])

    def extensions(self) -> dict[str, Any]:
        named = {"userHash": self.user_hash, "householdId": self.household_id}
        return {key: value for key, value in named.items() if value is not None}


class UnknownWardMemberError(WardPayloadError):
    default_detail = "A member named is not on the ward's roster."
    field = "userHash"


class InvalidWardGroupError(WardPayloadError):
    default_detail = "A group named is not one of A, B, C, D."
    field = "newGroup"


class HouseholdSplitError(WardPayloadError):
    default_detail = "The change would split a household across groups."
    field = "assignments"


class RestoreSplitsHouseholdError(HouseholdSplitError):
    """A restore refused: the roster has joined, since, members the earlier state parts."""

    default_detail = (
        "Restoring to before that entry would split a household the roster has joined since."
    )
    field = "auditId"


class MalformedWardPayloadError(WardPayloadError):
    default_detail = "The ward request is not a list of well-formed entries."


class DuplicateWardMemberError(MalformedWardPayloadError):
    default_detail = "The ward request names a member more than once."
    field = "userHash"


class StaleAssignmentsError(StaleVersionError):
    """The ward's assignments changed since the version the caller read."""

    default_detail = "The ward's assignments changed since they were read."

    def __init__(self, *, current_version: int | None = None) -> None:
        self.current_version = current_version
        message = "stale"
        if current_version is not None:
            message = f"stale; the current version is {current_version}"
        super().__init__(errors=[FieldError("expectedVersion", message)])

    def extensions(self) -> dict[str, Any]:
        if self.current_version is None:
            return {}
        return {"currentVersion": self.current_version}
