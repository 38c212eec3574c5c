"""The grouping feature's models: policies (create, update, public) and runs as stored.

Policies' option fields are the engine's `PolicyOptions`, stated there once (Create adds a
name, Update makes each optional, Public adds the stored columns); runs are read from the
`run_history`, `runs`, `run_groups` and `run_unassigned` relations (a run's event from
`events`), each model's fields being exactly the columns a store selects (`columns_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model, field_serializer

from engine.grouping.options import GroupingOptions, PolicyOptions, ScoringWeights
from functions.web.bounds import BoundedRequest, Text

PolicyName = Annotated[Text, Field(min_length=1, max_length=200, pattern=r"\S")]
TriggerSource = Literal["api", "nightly", "cli"]
# What delete_policy did: removed the row, or kept it (runs refer to it) as archived.
PolicyRemoval = Literal["deleted", "archived"]
# What claiming an idempotency key found (see GroupingStore.claim_run).
RunClaim = Literal["claimed", "in-progress", "done"]


class _WeightsAsSet(BaseModel):
    """A policy keeps the weights it sets, so the others follow the engine's defaults."""

    @field_serializer("scoring_weights", check_fields=False)
    def _weights_set(self, weights: ScoringWeights | None) -> dict[str, float] | None:
        return None if weights is None else weights.model_dump(exclude_unset=True)


class PolicyFields(PolicyOptions, _WeightsAsSet):
    """The engine's policy options (fields, defaults and rules), as a policy stores them."""

    def engine_options(self) -> dict[str, Any]:
        """These options as `GroupingOptions` keyword arguments."""
        return {name: getattr(self, name) for name in PolicyOptions.model_fields}


class PolicyCreate(PolicyFields, BoundedRequest):
    """A new policy as a request sends it: its options are the engine's, within the bounds
    every request is held to (`BoundedRequest`: integers in int64, storable text)."""

    name: PolicyName


def _changes_of(model: type[BaseModel]) -> type[BaseModel]:
    """`model`'s fields, each optional and unset by default: what an update may change.

    The model's field validators are not carried over (each checks a field against the
    others, which a change alone cannot); the request bounds are (`BoundedRequest`)."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        constrained: Any = info.annotation
        if info.metadata:
            constrained = Annotated[(constrained, *info.metadata)]
        fields[name] = (constrained | None, Field(None, description=info.description))
    config = ConfigDict(extra="forbid", frozen=True)
    return create_model(
        f"{model.__name__}Changes",
        __base__=(_WeightsAsSet, BoundedRequest),
        __config__=config,
        **fields,
    )


# Under type checking a plain model: the fields exist only at run time, made from PolicyCreate.
_PolicyChanges: type[BaseModel] = BaseModel if TYPE_CHECKING else _changes_of(PolicyCreate)
_RunOptionChanges: type[BaseModel] = BaseModel if TYPE_CHECKING else _changes_of(GroupingOptions)


class PolicyUpdate(_PolicyChanges):  # type: ignore[valid-type,misc]
    """Fields to change, any of PolicyCreate's; those left out (or null) stay as they are."""

    def changed_columns(self) -> dict[str, Any]:
        changed: dict[str, Any] = self.model_dump(
            mode="json", exclude_unset=True, exclude_none=True
        )
        return changed


class RunOverrides(_RunOptionChanges):  # type: ignore[valid-type,misc]
    """The `options` of POST /build-groups: any of the engine's run options, each checked
    against its field (type, range, request bounds) before anything runs; the rules between
    fields are checked once merged with the policy's (`service.effective_options`)."""

    def overrides(self) -> dict[str, Any]:
        """The options the request set, as JSON values (null ones included: they fail the
        merged check by name)."""
        given: dict[str, Any] = self.model_dump(mode="json", exclude_unset=True)
        return given


class PolicyPublic(PolicyFields):
    """A stored policy as the API shows it; `updated_at` is its version for edits."""

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
    # The event whose registrations the run grouped; None for a run of every active participant.
    event_id: UUID | None


class RunOptionsRow(BaseModel):
    """What `runs` holds beyond the history view: the options and diagnostics used."""

    options: dict[str, Any]
    diagnostics: dict[str, Any]


class RunSummary(RunHistoryRow, RunOptionsRow):
    pass


class GroupScores(BaseModel):
    """What a saved group says of itself beyond its people and allergies (also what the
    edit log keeps of a group, `run_edits`)."""

    score: float
    kosher: bool
    age_band: str | None
    age_min: int | None
    age_max: int | None
    diets: dict[str, int]


class RunGroup(GroupScores):
    """A row of the `run_groups` view: one group with its members."""

    group_id: UUID
    group_number: int
    size: int
    allergy_summary: dict[str, Any]
    member_ids: list[UUID]
    member_names: list[str | None]
    # The id each member's import gave them (null for people added otherwise), in order.
    member_input_ids: list[str | None]


class RunUnassignedEntry(BaseModel):
    """A row of the `run_unassigned` view."""

    participant_id: UUID
    full_name: str | None
    reason: str
    details: dict[str, Any]
    input_id: str | None


class RunEvent(BaseModel):
    """What a run needs to know of its event (a row of `events`): may it still be grouped."""

    id: UUID
    status: Literal["open", "closed"]


class IdempotentRun(BaseModel):
    """The run an idempotency key already made, and the hash of the request that made it."""

    run_id: UUID
    request_hash: str
    # Which request saved it: a save that finds another request's run reports a replay.
    started_at: datetime


class RunDetail(BaseModel):
    run: RunSummary
    groups: list[RunGroup]
    unassigned: list[RunUnassignedEntry]


class GroupLock(BaseModel):
    """A person locked to their group in an event's runs (`whole_group`: all of it)."""

    model_config = ConfigDict(extra="forbid")

    participant_id: UUID
    whole_group: bool = False


class ApartPair(BaseModel):
    """Two registrants of an event never grouped together, the smaller id first."""

    model_config = ConfigDict(extra="forbid")

    first_participant_id: UUID
    second_participant_id: UUID

    @classmethod
    def of(cls, first: UUID, second: UUID) -> ApartPair:
        low, high = sorted((first, second))
        return cls(first_participant_id=low, second_participant_id=high)


def columns_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The columns a store selects for `model`: exactly its fields."""
    return tuple(model.model_fields)


# Details of the unassigned queue that describe the pool and the rules, not the person's
# answers. Anything else (e.g. `severe_allergens`) is left out of every response.
SAFE_DETAIL_KEYS = frozenset(
    {
        "pool",
        "pool_size",
        "placed_in_pool",
        "left_out_in_pool",
        "groups_in_pool",
        "min_group_size",
        "target_group_size",
        "more_participants_needed_for_a_group",
        "max_allergy_count",
        "alone_exceeds_limit",
        "youngest_band_starts_at",
        "field",
    }
)


# What a run saves of them: those, plus a left-out person's age and an unreadable answer's
# problem (what kind of value is needed, never the value). Never their allergens: the
# database refuses any other key (unassigned_queue_details_name_no_allergens).
STORED_DETAIL_KEYS = SAFE_DETAIL_KEYS | {"age", "problem"}

PARTICIPANT_COLUMNS = ("id", "full_name", "age", "birth_date", "responses")
# The same columns of the `event_registrants` view, where the participant's id is named so.
REGISTRANT_COLUMNS = ("participant_id", *PARTICIPANT_COLUMNS[1:])
EMPTY_RESULT: dict[str, Any] = {"groups": [], "unassigned": [], "diagnostics": {}}


def run_payload(run: RunRecord, *, status: str, error: str | None = None) -> dict[str, Any]:
    """The `run` argument of `save_grouping_run`."""
    return {**run.model_dump(mode="json"), "status": status, "error": error}
