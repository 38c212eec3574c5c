"""Public data models of venue planning: venues and groups in, a plan with reasons out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.grouping.models import Severity
from engine.grouping.survey.vocabulary import ALLERGENS

# The spec's canonical allergen keys: the only ones a kitchen can declare it keeps out.
# An `other:<text>` allergen is never one of them, so a group holding one at severe
# level can be fed by no venue (its explanation says so).
CANONICAL_ALLERGENS: tuple[str, ...] = tuple(sorted(ALLERGENS))
Name = Annotated[str, Field(min_length=1, max_length=200)]


def canonical_keys(keys: Sequence[str]) -> tuple[str, ...]:
    """`keys` sorted, each once, or ValueError naming the first that is not canonical."""
    unknown = sorted(set(keys) - set(CANONICAL_ALLERGENS))
    if unknown:
        raise ValueError(
            f"unknown allergen {unknown[0]!r}; use one of {', '.join(CANONICAL_ALLERGENS)}"
        )
    return tuple(sorted(set(keys)))


class Venue(BaseModel):
    """A restaurant or host: what its kitchen guarantees and how much it takes per event.

    `keeps_out` lists the canonical allergens the kitchen can reliably keep out of a
    meal; `cost` is the price per seat in whole currency units, `area` free text the
    organiser may prefer. An inactive venue is never planned.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Name
    name: Name
    kosher: bool = False
    group_capacity: Annotated[int, Field(ge=1, le=10_000)]
    seat_capacity: Annotated[int, Field(ge=1, le=100_000)]
    keeps_out: tuple[str, ...] = ()
    area: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    cost: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    active: bool = True

    @field_validator("keeps_out")
    @classmethod
    def _canonical(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return canonical_keys(value)

    @cached_property
    def kept(self) -> frozenset[str]:
        """`keeps_out` as a set, made once: plans compare it with thousands of groups."""
        return frozenset(self.keeps_out)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Venue:
        # A copy must not inherit the set made from the original's list.
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("kept", None)
        return copy


class PlanGroup(BaseModel):
    """A saved group as the kitchen sees it: kosher, size, allergens at highest severity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Name
    number: Annotated[int, Field(ge=0)] = 0
    size: Annotated[int, Field(ge=1, le=50)]
    kosher: bool
    allergens: dict[str, Severity] = Field(default_factory=dict)
    members_with_allergies: Annotated[int, Field(ge=0)] = 0
    age_band: str | None = None

    @classmethod
    def from_saved(cls, group: Mapping[str, Any], *, id: str | None = None) -> PlanGroup:
        """A saved group (a run's JSON or a row of public.groups) as the plan reads it:
        kosher, size, age band and the allergy summary, nothing about its members."""
        summary = group.get("allergy_summary") or {}
        if not isinstance(summary, Mapping):
            summary = {"allergens": summary}
        number = group.get("number", group.get("group_number"))
        return cls.model_validate(
            {
                "id": id if id is not None else str(group.get("id", number)),
                "number": number,
                "size": group.get("size"),
                "kosher": group.get("kosher"),
                "allergens": summary.get("allergens", {}),
                "members_with_allergies": summary.get("members_with_allergies", 0),
                "age_band": group.get("age_band"),
            }
        )

    @cached_property
    def severe_allergens(self) -> frozenset[str]:
        return frozenset(a for a, s in self.allergens.items() if s == "severe")

    def severe(self) -> frozenset[str]:
        return self.severe_allergens

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> PlanGroup:
        # A copy must not inherit the set made from the original's allergens.
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("severe_allergens", None)
        return copy

    def discretionary(self) -> frozenset[str]:
        """Allergens below severe: a venue may take the group and use its discretion."""
        return frozenset(a for a, s in self.allergens.items() if s != "severe")


class Pin(BaseModel):
    """An admin's decision: this group eats at this venue; the rest is planned around it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group_id: Name
    venue_id: Name


class PlanRequest(BaseModel):
    """What a plan is asked for: the run's groups, the venues, the organiser's wishes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    groups: tuple[PlanGroup, ...]
    venues: tuple[Venue, ...]
    pins: tuple[Pin, ...] = ()
    preferred_areas: tuple[Name, ...] = ()


class Placement(BaseModel):
    group_id: str
    venue_id: str
    # Moderate and mild allergens the venue does not keep out: left to its discretion.
    left_to_venue: list[str]
    pinned: bool = False


BlockRule = Literal["inactive", "kosher", "allergen", "full"]


class VenueBlock(TypedDict):
    """Why one venue cannot take an unplaced group: the first rule it breaks, with what
    the venue lacks (the severe allergens it does not keep out) and has left after the
    plan. A plain mapping: a plan of thousands of groups builds one per group and venue."""

    venue_id: str
    rule: BlockRule
    allergens: list[str]
    free_groups: int
    free_seats: int


ChangeKind = Literal["add-allergens", "more-capacity", "move-member"]


class Change(BaseModel):
    """One change that would place the group, keeping every other placement."""

    kind: ChangeKind
    venue_id: str
    allergens: list[str] = Field(default_factory=list)
    more_groups: int = 0
    more_seats: int = 0
    to_group: str | None = None
    sentence: str


UnplacedRule = Literal["no-venue", "kosher", "allergen", "full"]


class Unplaced(BaseModel):
    group_id: str
    rule: UnplacedRule
    sentence: str
    # One VenueBlock per venue (plain mappings: pydantic reads TypedDicts from
    # typing_extensions only, on Python 3.11, and the engine imports pydantic alone).
    venues: Sequence[Mapping[str, Any]]
    changes: list[Change]


class PlanTotals(BaseModel):
    groups: int
    placed: int
    left_to_venue: int
    outside_preferred_areas: int
    cost: int


class VenuePlan(BaseModel):
    """The plan: where each group eats, and why each group left out found no venue.

    `optimal` is true when the search proved the plan best under the objective; it is
    false only when the node budget ran out first (the plan is then valid, the best found).
    """

    placements: list[Placement]
    unplaced: list[Unplaced]
    totals: PlanTotals
    optimal: bool
