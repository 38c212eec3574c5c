from __future__ import annotations

import pytest

from engine.wards.balancing import suggest_boundaries
from engine.wards.errors import InvalidParticipationRateError, UnknownMemberError
from tests.unit.wards.helpers import households_of

# Households of 2, 1, 1, 1, 1 members. Expected attendance: h0 0.5 + 0.5, h1 1 (no history),
# h2 0.2, h3 0.2, h4 0.9. Four groups from five households merge one neighbouring pair:
# h0+h1 -> 2.0, h1+h2 -> 1.2, h2+h3 -> 1.0 (best), h3+h4 -> 1.1.
WARD = households_of([2, 1, 1, 1, 1])
RATES = {"h0m0": 0.5, "h0m1": 0.5, "h2m0": 0.2, "h3m0": 0.2, "h4m0": 0.9}


def test_by_attendance_merges_the_light_pair() -> None:
    suggestion = suggest_boundaries(WARD, by="attendance", participation_rates=RATES)
    assert suggestion.boundaries == (1, 2, 4)
    assert suggestion.loads == pytest.approx([1.0, 1.0, 0.4, 0.9])
    assert [g.household_keys for g in suggestion.groups] == [["h0"], ["h1"], ["h2", "h3"], ["h4"]]


def test_by_members_is_the_default_cut() -> None:
    # largest 2; earliest-heavy: A = h0 (2), B = h1+h2 (2), C = h3, D = h4
    suggestion = suggest_boundaries(WARD, by="members", participation_rates=RATES)
    assert suggestion.boundaries == (1, 3, 4)
    assert suggestion.loads == [2.0, 2.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("rates", "error"),
    [
        ({"h0m0": 1.5}, InvalidParticipationRateError),
        ({"h0m0": -0.1}, InvalidParticipationRateError),
        ({"h0m0": float("nan")}, InvalidParticipationRateError),
        ({"stranger": 0.5}, UnknownMemberError),
    ],
)
def test_bad_rates_are_refused(rates: dict[str, float], error: type[Exception]) -> None:
    with pytest.raises(error):
        suggest_boundaries(WARD, by="attendance", participation_rates=rates)
