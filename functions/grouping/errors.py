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


class RunEditRefusedError(ConflictError, slug="edit-refused"):
    """A move or swap that would break a hard rule (issue 15): the problem names the rule
    (`rule`), the people it concerns (`people`: ids and names) and the group, never an
    answer or an allergen."""

    def __init__(
        self, rule: str, people: list[dict[str, str | None]], group: int | None = None
    ) -> None:
        where = f" in group {group}" if group is not None else ""
        super().__init__(f"The edit is refused by the {rule} rule{where}.")
        self.rule, self.people, self.group = rule, people, group

    def extensions(self) -> dict[str, object]:
        return {"rule": self.rule, "people": self.people, "group": self.group}


class StaleRunEditError(ConflictError, slug="stale-edit"):
    """The run was edited since `expected_edit_seq` was read (GR010): read it again."""

    default_detail = "The run was edited since it was read: read it again and retry."


class RunGroupsInvalidError(ConflictError, slug="run-groups-invalid"):
    """A write that would leave a group's size outside the run's bounds, or a person in no
    group or in two (GR011): refused by the database for every writer."""

    default_detail = "The groups would break the run's sizes or membership; nothing changed."


class NothingToUndoError(ConflictError, slug="nothing-to-undo"):
    """No edit of the run is left to undo (GR012 when the database notices)."""

    default_detail = "There is no edit of this run to undo."


class NothingToRedoError(NothingToUndoError, slug="nothing-to-redo"):
    default_detail = "There is no undone edit of this run to redo."


class RunNotEditableError(ConflictError, slug="run-not-editable"):
    """A failed run has no groups to edit (GR013)."""

    default_detail = "A failed run has no groups to edit."


class RunGroupRulesError(ConflictError, slug="run-group-rules"):
    """An edit that would mix kosher pools or age bands, or seat an apart pair together
    (GR014): the API refuses it first, naming the rule; the database for every writer."""

    default_detail = (
        "The groups would mix kosher pools or age bands, or seat two people marked to keep "
        "apart together; nothing changed."
    )
