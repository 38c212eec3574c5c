"""Grouping options: a policy plus overrides, validated by the spec's rules."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ValidationInfo

AgePolicy = Literal["banded", "loose"]
DEFAULT_AGE_BANDS: tuple[int, ...] = (18, 25, 30, 35, 40, 50, 60)

Weight = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
GroupSize = Annotated[StrictInt, Field(ge=2, le=50)]
# Sizes are ordered min <= fallback <= target: each field's lower neighbour.
_SIZE_BEFORE = {"fallback_group_size": "min_group_size", "target_group_size": "fallback_group_size"}


class ScoringWeights(BaseModel):
    """Weights of the group score; keys left out keep their default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allergy_severe: Weight = 0.05
    allergy_moderate: Weight = 0.02
    allergy_mild: Weight = 0.01
    allergy_majority: Weight = 0.1
    age: Weight = 0.3
    diet: Weight = 0.1
    size: Weight = 0.1


class PolicyOptions(BaseModel):
    """The options an organiser's grouping policy holds, with the spec's defaults.

    The one statement of these fields and their rules: the policy schemas of the API,
    the CLI's flags and the `grouping_policies` table (checked by a database test) are
    derived from it. Invalid values raise `pydantic.ValidationError` whose `loc` names
    the field; unknown keys are refused rather than ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kosher_only: StrictBool = Field(False, description="group kosher and non-kosher apart")
    min_group_size: GroupSize = Field(4, description="the smallest group allowed")
    # validate_default: the order rules must hold against a default too (min=9 alone).
    fallback_group_size: GroupSize = Field(
        5,
        validate_default=True,
        description="the preferred size when the target size cannot be used",
    )
    target_group_size: GroupSize = Field(
        6, validate_default=True, description="the largest size a group may have"
    )
    max_allergy_count: StrictInt = Field(
        3, ge=0, description="at most this many distinct severe allergens a group"
    )
    age_policy: AgePolicy = Field(
        "banded", description="banded: a group in one age band; loose: ages mix"
    )
    age_bands: tuple[StrictInt, ...] = Field(
        DEFAULT_AGE_BANDS, description="strictly increasing band edges; the last band is open"
    )
    scoring_weights: ScoringWeights = Field(
        ScoringWeights(), description="weights of the group score; keys left out keep defaults"
    )
    # In units of the objective (a person's share of it is at most 1): at 1, a move must
    # gain more than a whole person's score to be worth telling them of a new group.
    stability_weight: Weight = Field(
        1.0,
        description="penalty per person moved from their group when a run starts from an"
        " earlier one; 0 regroups freely",
    )

    @field_validator("fallback_group_size", "target_group_size")
    @classmethod
    def _sizes_in_order(cls, value: int, info: ValidationInfo) -> int:
        # Each size is checked against the one before it, so the error names the later field.
        assert info.field_name is not None
        before = _SIZE_BEFORE[info.field_name]
        smaller = info.data.get(before)
        if smaller is not None and value < smaller:
            raise PydanticCustomError(
                "size_order",
                "{field} ({value}) must be at least {before} ({smaller})",
                {"field": info.field_name, "value": value, "before": before, "smaller": smaller},
            )
        return value

    @field_validator("age_bands")
    @classmethod
    def _bands_strictly_increasing(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise PydanticCustomError("age_bands", "age_bands needs at least one edge")
        if value[0] < 0:
            raise PydanticCustomError("age_bands", "age_bands edges must not be negative")
        if any(b <= a for a, b in pairwise(value)):
            raise PydanticCustomError("age_bands", "age_bands must be strictly increasing")
        return value

    def band_of(self, age: int) -> int | None:
        """Index of the band holding `age`, or None below the first edge."""
        index = bisect_right(self.age_bands, age) - 1
        return index if index >= 0 else None

    def band_label(self, index: int) -> str:
        """Human label of band `index`: "25-29", or "60+" for the open last band."""
        low = self.age_bands[index]
        if index + 1 < len(self.age_bands):
            return f"{low}-{self.age_bands[index + 1] - 1}"
        return f"{low}+"


class GroupingOptions(PolicyOptions):
    """Every option of a grouping run: a policy's, and the run's own seed and date."""

    seed: StrictInt = Field(0, description="the random seed; the same seed, the same groups")
    as_of: date | None = Field(None, description="the date ages are taken on (default: today)")
