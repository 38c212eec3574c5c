"""The grouping store: everything the grouping functions read and write, as the caller.

Written once over a `Transport` (PostgREST in production, psycopg locally and in tests),
so the class the database tests run is the class production runs. Each method is one
request to the same tables, views and RPCs, so Row Level Security applies throughout;
failures arrive as the taxonomy's errors, chosen by database code in one table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter

from engine.grouping.models import GroupingResult, Participant
from functions.database.transport import Insert, Select, Transport, Update, eq, is_
from functions.grouping.edit_store import RunEditStore
from functions.grouping.errors import ArchivedPolicyError
from functions.grouping.request_store import GroupingRequestStore
from functions.grouping.schemas import (
    EMPTY_RESULT,
    PARTICIPANT_COLUMNS,
    REGISTRANT_COLUMNS,
    STORED_DETAIL_KEYS,
    IdempotentRun,
    PolicyCreate,
    PolicyPublic,
    PolicyRemoval,
    PolicyUpdate,
    RunClaim,
    RunDetail,
    RunEvent,
    RunGroup,
    RunHistoryRow,
    RunOptionsRow,
    RunRecord,
    RunSummary,
    RunUnassignedEntry,
    columns_of,
    run_payload,
)
from functions.web.errors import NotFoundError, StaleVersionError

POLICIES = "grouping_policies"
_POLICY_COLUMNS = columns_of(PolicyPublic)
_POLICY_ORDER = ("created_at", "id")
_REMOVAL: TypeAdapter[PolicyRemoval] = TypeAdapter(PolicyRemoval)
_CLAIM: TypeAdapter[RunClaim] = TypeAdapter(RunClaim)


class GroupingStore:
    """Policies, participants and runs, read and written through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        # Manual edits of runs (issue 15): their log and their one writer.
        self.edits = RunEditStore(transport)
        # What an event's next runs keep (issue 15): its locks and apart pairs.
        self.requests = GroupingRequestStore(transport)

    def _policies(self, *filters: Any) -> list[PolicyPublic]:
        query = Select(POLICIES, _POLICY_COLUMNS, filters, order=_POLICY_ORDER)
        return [PolicyPublic.model_validate(row) for row in self._transport.select(query)]

    def list_policies(self, *, include_archived: bool = False) -> list[PolicyPublic]:
        if include_archived:
            return self._policies()
        return self._policies(is_("archived_at", None))

    def get_policy(self, *, policy_id: UUID) -> PolicyPublic:
        found = self._policies(eq("id", policy_id))
        if not found:
            raise NotFoundError()
        return found[0]

    def get_active_policy(self) -> PolicyPublic | None:
        found = self._policies(is_("is_active", True))
        return found[0] if found else None

    def create_policy(self, *, policy: PolicyCreate) -> PolicyPublic:
        values = policy.model_dump(mode="json")
        row = self._transport.insert(Insert(POLICIES, values, returning=_POLICY_COLUMNS))
        return PolicyPublic.model_validate(row)

    def update_policy(
        self,
        *,
        policy_id: UUID,
        changes: PolicyUpdate,
        expected_updated_at: datetime | None = None,
    ) -> PolicyPublic:
        """Applies `changes` unless the policy is archived, or changed since `expected_updated_at`
        (its version for edits)."""
        values = changes.changed_columns()
        filters = [eq("id", policy_id), is_("archived_at", None)]
        if expected_updated_at is not None:
            filters.append(eq("updated_at", expected_updated_at.isoformat()))
        if values:
            rows = self._transport.update(Update(POLICIES, values, filters, _POLICY_COLUMNS))
            if rows:
                return PolicyPublic.model_validate(rows[0])
        else:
            # Nothing to change: the policy as it stands, if it still matches.
            found = self._policies(*filters)
            if found:
                return found[0]
        if self.get_policy(policy_id=policy_id).archived_at is not None:
            raise ArchivedPolicyError()
        raise StaleVersionError()

    def delete_policy(self, *, policy_id: UUID) -> PolicyRemoval:
        """Deletes the policy, or archives it when runs refer to it (one RPC)."""
        outcome = self._transport.rpc("remove_grouping_policy", {"policy_id": str(policy_id)})
        return _REMOVAL.validate_python(outcome)

    def activate_policy(self, *, policy_id: UUID) -> PolicyPublic:
        row = self._transport.rpc("activate_grouping_policy", {"policy_id": str(policy_id)})
        # The RPC answers the whole row: keep the columns the model reads, so a column
        # added to the table later does not break activation.
        return PolicyPublic.model_validate({column: row[column] for column in _POLICY_COLUMNS})

    def list_active_participants(self, *, event_id: UUID | None = None) -> list[Participant]:
        """Whom a run groups: the event's registrations, or without an event every active
        participant (a registration is what counts for an event, `active` is not read)."""
        if event_id is None:
            query = Select(
                "participants", PARTICIPANT_COLUMNS, [is_("active", True)], order=("id",)
            )
            return [Participant.model_validate(row) for row in self._transport.select(query)]
        query = Select(
            "event_registrants",
            REGISTRANT_COLUMNS,
            [eq("event_id", event_id)],
            order=("participant_id",),
        )
        return [
            Participant.model_validate({**row, "id": row["participant_id"]})
            for row in self._transport.select(query)
        ]

    def get_event(self, *, event_id: UUID) -> RunEvent:
        """The event a run is asked for; `NotFoundError` when there is none (or it is hidden)."""
        query = Select("events", columns_of(RunEvent), [eq("id", event_id)])
        found = self._transport.select(query)
        if not found:
            raise NotFoundError()
        return RunEvent.model_validate(found[0])

    def _save(self, params: dict[str, Any]) -> UUID:
        return UUID(str(self._transport.rpc("save_grouping_run", params)))

    def save_run(
        self,
        *,
        idempotency_key: str | None,
        policy_id: UUID,
        run: RunRecord,
        result: GroupingResult,
        request_hash: str | None = None,
        event_id: UUID | None = None,
    ) -> UUID:
        return self._save(
            {
                "idempotency_key": idempotency_key,
                "policy_id": str(policy_id),
                "run": run_payload(run, status="succeeded"),
                "result": stored_result(result),
                "request_hash": request_hash,
                **_event_argument(event_id),
            }
        )

    def record_failed_run(
        self, *, policy_id: UUID, run: RunRecord, failure: str, event_id: UUID | None = None
    ) -> UUID:
        return self._save(
            {
                "idempotency_key": None,
                "policy_id": str(policy_id),
                "run": run_payload(run, status="failed", error=failure),
                "result": EMPTY_RESULT,
                "request_hash": None,
                **_event_argument(event_id),
            }
        )

    def claim_run(self, *, idempotency_key: str, request_hash: str) -> RunClaim:
        """Claims `idempotency_key` for a run about to start (one RPC, see migration 0019).

        "claimed": this request runs; "in-progress": another request holds the key now;
        "done": a run is saved under it. A key held with another request's hash is
        `IdempotencyConflictError`.
        """
        params = {"p_idempotency_key": idempotency_key, "p_request_hash": request_hash}
        return _CLAIM.validate_python(self._transport.rpc("claim_grouping_run", params))

    def release_run_claim(self, *, idempotency_key: str) -> None:
        """Ends the claim of a run that was saved (found by its key now) or failed."""
        self._transport.rpc("release_grouping_run", {"p_idempotency_key": idempotency_key})

    def find_run_by_idempotency_key(self, *, key: str) -> IdempotentRun | None:
        columns = ("id", "payload_hash", "started_at")
        rows = self._transport.select(Select("runs", columns, [eq("idempotency_key", key)]))
        if not rows:
            return None
        row = rows[0]
        return IdempotentRun(
            run_id=row["id"], request_hash=row["payload_hash"], started_at=row["started_at"]
        )

    def get_run(self, *, run_id: UUID) -> RunDetail:
        """A run with its groups (as edited since it was saved) and its queue."""
        select = self._transport.select
        history = select(Select("run_history", columns_of(RunHistoryRow), [eq("run_id", run_id)]))
        outcome = select(Select("runs", columns_of(RunOptionsRow), [eq("id", run_id)]))
        if not history or not outcome:
            raise NotFoundError()
        groups = select(
            Select("run_groups", columns_of(RunGroup), [eq("run_id", run_id)], ("group_number",))
        )
        unassigned = select(
            Select(
                "run_unassigned",
                columns_of(RunUnassignedEntry),
                [eq("run_id", run_id)],
                ("participant_id",),
            )
        )
        return RunDetail(
            run=RunSummary.model_validate({**history[0], **outcome[0]}),
            groups=[RunGroup.model_validate(row) for row in groups],
            unassigned=[RunUnassignedEntry.model_validate(row) for row in unassigned],
        )

    # Stable regroups (issue 15): the run the next run of an event starts from.

    def latest_run_id(self, *, event_id: UUID) -> UUID | None:
        """The event's latest succeeded run, the nightly job's starting point; None if none."""
        query = Select(
            "run_history",
            # The order's column is selected too: PostgREST and the local transport both
            # order the answer by it.
            ("run_id", "run_number"),
            [eq("event_id", event_id), eq("status", "succeeded")],
            order=("run_number",),
            descending=True,
            limit=1,
        )
        rows = self._transport.select(query)
        return UUID(str(rows[0]["run_id"])) if rows else None


def stored_result(result: GroupingResult) -> dict[str, Any]:
    """The result as saved: each queue entry's details without anything of the person's
    answers (their severe allergens stay in the run's memory, never in the database)."""
    saved = result.model_dump(mode="json")
    for entry in saved["unassigned"]:
        details = entry["details"]
        entry["details"] = {k: v for k, v in details.items() if k in STORED_DETAIL_KEYS}
    return saved


def _event_argument(event_id: UUID | None) -> dict[str, str]:
    """save_grouping_run's `event_id`, sent only for a run of an event: a run without one
    sends what it sent before the parameter existed."""
    return {} if event_id is None else {"event_id": str(event_id)}
