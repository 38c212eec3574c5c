"""What a grouping request can be refused for, beyond the taxonomy's generic errors."""

from __future__ import annotations

from functions.web.errors import ConflictError, InvalidInputError, ServiceError


class ActivePolicyError(ConflictError, detail="The active grouping policy cannot be deleted."):
    """Raised by the database (GR003): archive it, or activate another one first."""


class ArchivedPolicyError(ConflictError):
    """Raised by the database (GR002: activated or run), or by the store when an edit matched
    no live policy."""

    default_detail = "An archived grouping policy cannot be activated, edited or run."


class IdempotencyConflictError(ConflictError):
    """A retry must repeat its first request: same policy, options and trigger (GR001)."""

    default_detail = "The idempotency key was already used for a different request."


class RunInProgressError(ConflictError, slug="in-progress"):
    """A request with this idempotency key is running now: retry once it has finished."""

    default_detail = "A run with this idempotency key is in progress; retry shortly."


class ClosedEventError(ConflictError, slug="event-closed"):
    """A closed event is not grouped again: refused before the engine runs, and by the save
    (EV003) should the event close while the engine runs."""

    default_detail = "The event is closed: it cannot be grouped."


class NoActivePolicyError(ConflictError, slug="no-active-policy"):
    default_detail = "No grouping policy is active: activate one, or pass policy_id."


class GroupingRunFailedError(ServiceError, slug="grouping-run-failed"):
    """The engine or the save failed; the run is recorded as failed, nothing else is saved."""

    default_detail = "The grouping run failed and was recorded as failed; nothing was saved."


class KeepFromOtherEventError(InvalidInputError, slug="keep-from-other-event"):
    """`keep_from_run_id` names a run of another event (or none), or a failed run."""

    default_detail = "keep_from_run_id: name a succeeded run of the same event (or leave it out)."
