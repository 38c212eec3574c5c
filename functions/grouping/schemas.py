"""The grouping feature's models: policies (create, update, public) and runs as stored.

Policies' option fields are the engine's options a policy stores; runs are read from the
`run_history`, `runs`, `run_groups` and `run_unassigned` relations, each model's fields
being exactly the columns a store selects (`columns_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from engine.grouping.options import DEFAULT_AGE_BANDS, AgePolicy, GroupingOptions, GroupSize, Weight

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
