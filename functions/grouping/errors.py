"""What a grouping request can be refused for, beyond the taxonomy's generic errors."""

from __future__ import annotations

from functions.web.errors import ConflictError, ServiceError


class ActivePolicyError(ConflictError):
    default_detail = "The active grouping policy cannot be deleted."


class ArchivedPolicyError(ConflictError):
    default_detail = "An archived grouping policy cannot be activated or edited."


class IdempotencyConflictError(ConflictError):
    default_detail = "The idempotency key was already used for a different request."


class NoActivePolicyError(ConflictError):
    slug = "no-active-policy"
    default_detail = "No grouping policy is active: activate one, or pass policy_id."


class GroupingRunFailedError(ServiceError):
    """The engine or the save failed; the run is recorded as failed, nothing else is saved."""

    slug = "grouping-run-failed"
    default_detail = "The grouping run failed and was recorded as failed; nothing was saved."
