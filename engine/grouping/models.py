"""Public data models of the grouping engine: what goes in and what comes out."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["mild", "moderate", "severe"]
SEVERITY_RANK: dict[str, int] = {"mild": 1, "moderate": 2, "severe": 3}
Diet = Literal["omnivore", "vegetarian", "vegan", "pescatarian"]
UnassignedReason = Literal[
    "invalid-profile",
    "missing-age",
    "age-out-of-range",
    "allergy-limit-exceeded",
    "insufficient-compatible-participants",
]
# The spec's precedence: when several reasons apply, the first one here is given.
REASON_ORDER: tuple[UnassignedReason, ...] = (
    "invalid-profile",
    "missing-age",
    "age-out-of-range",
    "allergy-limit-exceeded",
    "insufficient-compatible-participants",
)


class Participant(BaseModel):
    """One person to group. Values are kept raw; the engine reads them leniently.

    `age` and `birth_date` may also arrive inside `responses`; an unreadable
    value never fails the run, it sends the participant to the unassigned queue.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)

    id: Annotated[str, Field(min_length=1)]
    full_name: str | None = None
    # bool first, so that True stays True and is refused rather than read as age 1.
    age: bool | int | float | str | None = None
    birth_date: date | str | None = None
    responses: dict[str, Any] = Field(default_factory=dict)
    # Answers that exist but could not be read from storage (field -> problem), e.g. an
    # encrypted answer that failed its integrity check: the participant is unassigned as
    # `invalid-profile` naming the field, like any unreadable answer.
    unreadable: dict[str, str] = Field(default_factory=dict)


class AllergyProfile(BaseModel):
    """A participant's allergies, keyed by canonical allergen.

    `raw_items` keeps every allergy answer as written, so nothing is lost.
    """

    model_config = ConfigDict(frozen=True)

    allergies: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    raw_items: list[str] = Field(default_factory=list)

    def severe_allergens(self) -> frozenset[str]:
        return frozenset(a for a, s in self.severity.items() if s == "severe")


class AgeRange(BaseModel):
    min: int
    max: int


class AllergySummary(BaseModel):
    """What a group's kitchen must know: allergens at their highest severity, no names."""

    allergens: dict[str, Severity]
    severe: list[str]
    members_with_allergies: int


class Group(BaseModel):
    number: int
    members: list[str]
    size: int
    score: float
    kosher: bool
    age_band: str | None
    age_range: AgeRange | None
    diets: dict[str, int]
    allergy_summary: AllergySummary


class UnassignedParticipant(BaseModel):
    participant_id: str
    reason: UnassignedReason
    details: dict[str, Any]


class CountDiagnostics(BaseModel):
    participants: int
    assigned: int
    unassigned: int
    unassigned_by_reason: dict[str, int]
    groups: int
    group_sizes: dict[str, int]


class HistogramBin(BaseModel):
    low: float
    high: float
    groups: int


class ScoreDiagnostics(BaseModel):
    mean: float
    min: float
    max: float
    total: float
    histogram: list[HistogramBin]


class AllergyDiagnostics(BaseModel):
    unique_allergens: int
    groups_with_allergies: int
    mean_allergens_per_group: float
    by_allergen: dict[str, dict[str, int]]


class AgeDiagnostics(BaseModel):
    policy: Literal["banded", "loose"]
    by_band: dict[str, int]
    missing: int
    mean_spread: float
    max_spread: int


class KosherDiagnostics(BaseModel):
    participants: int
    groups: int


class EngineDiagnostics(BaseModel):
    version: str
    seed: int
    effort: int
    options: dict[str, Any]
    elapsed_ms: float
    upper_bound: int
    stopped_early: bool


class MovedPerson(BaseModel):
    """One person who was in a group of the starting grouping and is not in it now."""

    participant_id: str
    from_group: int
    to_group: int | None
    reason: str


class ContinuityDiagnostics(BaseModel):
    """How a run that started from an earlier grouping (or had requests) kept to it.

    `moved` counts people of the starting grouping whose group is not the continuation
    of their earlier one (unassigned now included); withdrawn people are not moved, they
    are `withdrawn`. Reasons: `withdrawn-partner`, `new-allergy`, `size`,
    `changed-profile`, `apart-request`, `together-request`, `improvement`.
    """

    started_from_groups: int
    stability_weight: float
    move_budget: int
    moved: int
    moved_by_reason: dict[str, int]
    moved_people: list[MovedPerson]
    groups_touched: int
    groups_kept: int
    groups_new: int
    joined: int
    withdrawn: int
    locks_broken: list[dict[str, Any]]
    together_unmet: list[dict[str, Any]]
    pairs_unknown: list[list[str]]


class Diagnostics(BaseModel):
    counts: CountDiagnostics
    scores: ScoreDiagnostics
    allergies: AllergyDiagnostics
    ages: AgeDiagnostics
    kosher: KosherDiagnostics
    diets: dict[str, int]
    engine: EngineDiagnostics
    # Only for a run with a starting grouping, locks or together/apart requests.
    continuity: ContinuityDiagnostics | None = None


class GroupingResult(BaseModel):
    """The outcome of a run: groups, the unassigned queue and diagnostics."""

    groups: list[Group]
    unassigned: list[UnassignedParticipant]
    diagnostics: Diagnostics
