"""The grouping store: the one interface handlers read and write through.

Two implementations (`store_postgres.PostgresStore`, `store_supabase.SupabaseStore`)
call the same tables, views and RPCs as the caller, so Row Level Security applies
to both. Failures become the domain errors of `store_errors` (re-exported here),
chosen by SQLSTATE or PostgREST code in `error_for_code` and nowhere else; they
never carry SQL text or values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from engine.grouping.models import GroupingResult, Participant
from engine.grouping.options import DEFAULT_AGE_BANDS, AgePolicy, GroupingOptions, GroupSize, Weight
from functions.common.store_errors import (
    ActivePolicyError,
    ArchivedPolicyError,
    ConflictError,
    CredentialsRejectedError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidPayloadError,
    NotFoundError,
    ReferentialIntegrityError,
    StaleVersionError,
    StoreError,
    StoreUnavailableError,
    error_for_code,
)

__all__ = [
    "ActivePolicyError",
    "ArchivedPolicyError",
    "ConflictError",
    "CredentialsRejectedError",
    "ForbiddenError",
    "GroupingStore",
    "IdempotencyConflictError",
    "InvalidPayloadError",
    "NotFoundError",
    "PolicyCreate",
    "PolicyPublic",
    "PolicyRemoval",
    "PolicyUpdate",
    "ReferentialIntegrityError",
    "RunDetail",
    "RunGroup",
    "RunRecord",
    "RunSummary",
    "RunUnassignedEntry",
    "StaleVersionError",
    "StoreError",
    "StoreUnavailableError",
    "error_for_code",
]

PolicyName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
WeightName = Literal[
    "allergy_severe", "allergy_moderate", "allergy_mild", "allergy_majority", "age", "diet", "size"
]
TriggerSource = Literal["api", "nightly", "cli"]
# What delete_policy did: removed the row, or kept it (runs refer to it) as archived.
PolicyRemoval = Literal["deleted", "archived"]


class PolicyOptionFields(BaseModel):
    """The engine options a policy stores; keys left out of the weights keep their default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kosher_only: StrictBool = False
    min_group_size: GroupSize = 4
    fallback_group_size: GroupSize = 5
    target_group_size: GroupSize = 6
    max_allergy_count: Annotated[StrictInt, Field(ge=0)] = 3
    age_policy: AgePolicy = "banded"
    age_bands: tuple[StrictInt, ...] = DEFAULT_AGE_BANDS
    scoring_weights: dict[WeightName, Weight] = Field(default_factory=dict)

    def engine_options(self) -> dict[str, Any]:
        """These options as `GroupingOptions` keyword arguments."""
        return {name: getattr(self, name) for name in PolicyOptionFields.model_fields}


class PolicyCreate(PolicyOptionFields):
    name: PolicyName

    @model_validator(mode="after")
    def _engine_accepts_options(self) -> PolicyCreate:
        # The field-order rules (sizes ascending, bands increasing) live in the engine.
        try:
            GroupingOptions(**self.engine_options())
        except PydanticValidationError as error:
            fields = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})
            raise PydanticCustomError(
                "policy_options", "invalid combination of {fields}", {"fields": ", ".join(fields)}
            ) from None
        return self


class PolicyUpdate(BaseModel):
    """Fields to change; those left out (or null) stay as they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: PolicyName | None = None
    kosher_only: StrictBool | None = None
    min_group_size: GroupSize | None = None
    fallback_group_size: GroupSize | None = None
    target_group_size: GroupSize | None = None
    max_allergy_count: Annotated[StrictInt, Field(ge=0)] | None = None
    age_policy: AgePolicy | None = None
    age_bands: tuple[StrictInt, ...] | None = None
    scoring_weights: dict[WeightName, Weight] | None = None

    def changed_columns(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, exclude_none=True)


class PolicyPublic(PolicyOptionFields):
    """A stored policy as the API shows it; `updated_at` is its version for edits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class RunRecord(BaseModel):
    """How a run came about; the store adds the outcome (succeeded or failed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger_source: TriggerSource
    options: dict[str, Any] = Field(default_factory=dict)
    engine_version: str | None = None
    started_at: datetime
    finished_at: datetime | None = None


class RunHistoryRow(BaseModel):
    """A row of the `run_history` view (the columns the API shows)."""

    run_id: UUID
    run_number: int
    status: Literal["succeeded", "failed"]
    policy_id: UUID
    policy_name: str
    trigger_source: TriggerSource
    triggered_by: UUID | None
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    participant_count: int
    assigned_count: int
    unassigned_count: int
    group_count: int
    engine_version: str | None
    error: str | None


class RunOptionsRow(BaseModel):
    """What `runs` holds beyond the history view: the options and diagnostics used."""

    options: dict[str, Any]
    diagnostics: dict[str, Any]


class RunSummary(RunHistoryRow, RunOptionsRow):
    pass


class RunGroup(BaseModel):
    """A row of the `run_groups` view: one group with its members."""

    group_id: UUID
    group_number: int
    size: int
    score: float
    kosher: bool
    age_band: str | None
    age_min: int | None
    age_max: int | None
    diets: dict[str, int]
    allergy_summary: dict[str, Any]
    member_ids: list[UUID]
    member_names: list[str | None]


class RunUnassignedEntry(BaseModel):
    """A row of the `run_unassigned` view."""

    participant_id: UUID
    full_name: str | None
    reason: str
    details: dict[str, Any]


class IdempotentRun(BaseModel):
    """The run an idempotency key already made, and the hash of the request that made it."""

    run_id: UUID
    request_hash: str


class RunDetail(BaseModel):
    run: RunSummary
    groups: list[RunGroup]
    unassigned: list[RunUnassignedEntry]


def columns_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The columns a store selects for `model`: exactly its fields."""
    return tuple(model.model_fields)


PARTICIPANT_COLUMNS = ("id", "full_name", "age", "birth_date", "responses")
EMPTY_RESULT: dict[str, Any] = {"groups": [], "unassigned": [], "diagnostics": {}}


def run_payload(run: RunRecord, *, status: str, error: str | None = None) -> dict[str, Any]:
    """The `run` argument of `save_grouping_run`."""
    return {**run.model_dump(mode="json"), "status": status, "error": error}


class GroupingStore(Protocol):
    """Everything the grouping functions read and write, as the caller."""

    def list_policies(self, *, include_archived: bool = False) -> list[PolicyPublic]: ...

    def get_policy(self, *, policy_id: UUID) -> PolicyPublic: ...

    def get_active_policy(self) -> PolicyPublic | None: ...

    def create_policy(self, *, policy: PolicyCreate) -> PolicyPublic: ...

    def update_policy(
        self,
        *,
        policy_id: UUID,
        changes: PolicyUpdate,
        expected_updated_at: datetime | None = None,
    ) -> PolicyPublic: ...

    def delete_policy(self, *, policy_id: UUID) -> PolicyRemoval: ...

    def activate_policy(self, *, policy_id: UUID) -> PolicyPublic: ...

    def list_active_participants(self) -> list[Participant]: ...

    def save_run(
        self,
        *,
        idempotency_key: str | None,
        policy_id: UUID,
        run: RunRecord,
        result: GroupingResult,
        request_hash: str | None = None,
    ) -> UUID: ...

    def record_failed_run(self, *, policy_id: UUID, run: RunRecord, failure: str) -> UUID: ...

    def find_run_by_idempotency_key(self, *, key: str) -> IdempotentRun | None: ...

    def get_run(self, *, run_id: UUID) -> RunDetail: ...
