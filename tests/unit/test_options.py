"""Options: defaults from the spec, and every rule refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from engine.grouping.options import GroupingOptions


def test_defaults_are_the_specs() -> None:
    options = GroupingOptions()
    assert (options.min_group_size, options.fallback_group_size, options.target_group_size) == (
        4,
        5,
        6,
    )
    assert options.max_allergy_count == 3
    assert options.age_policy == "banded"
    assert options.age_bands == (18, 25, 30, 35, 40, 50, 60)
    assert options.scoring_weights.model_dump() == {
        "allergy_severe": 0.05,
        "allergy_moderate": 0.02,
        "allergy_mild": 0.01,
        "allergy_majority": 0.1,
        "age": 0.3,
        "diet": 0.1,
        "size": 0.1,
    }


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"min_group_size": 1}, "min_group_size"),
        ({"target_group_size": 51}, "target_group_size"),
        ({"min_group_size": 5, "fallback_group_size": 4}, "fallback_group_size"),
        ({"fallback_group_size": 6, "target_group_size": 5}, "target_group_size"),
        ({"min_group_size": 9}, "fallback_group_size"),
        ({"fallback_group_size": 7}, "target_group_size"),
        ({"max_allergy_count": -1}, "max_allergy_count"),
        ({"age_policy": "strict"}, "age_policy"),
        ({"age_bands": [18, 18, 30]}, "age_bands"),
        ({"age_bands": []}, "age_bands"),
        ({"scoring_weights": {"age": 11}}, "scoring_weights.age"),
        ({"scoring_weights": {"charm": 1}}, "scoring_weights.charm"),
        ({"colour": "red"}, "colour"),
        ({"seed": "seven"}, "seed"),
    ],
)
def test_bad_values_are_refused_naming_the_field(given: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GroupingOptions.model_validate(given)
    locations = {".".join(str(p) for p in error["loc"]) for error in caught.value.errors()}
    assert field in locations


def test_partial_weights_keep_the_other_defaults() -> None:
    options = GroupingOptions.model_validate({"scoring_weights": {"diet": 0.5}})
    assert options.scoring_weights.diet == 0.5
    assert options.scoring_weights.age == 0.3


@pytest.mark.parametrize(
    ("age", "label"), [(17, None), (18, "18-24"), (24, "18-24"), (25, "25-29"), (99, "60+")]
)
def test_bands_are_half_open_and_the_last_is_open(age: int, label: str | None) -> None:
    options = GroupingOptions()
    band = options.band_of(age)
    assert (options.band_label(band) if band is not None else None) == label
