"""The balancing suggestion: the contiguous cut that minimises the largest group's load.

By "members" the load is the member count (this is the default assignment). By "attendance"
each member weighs their participation rate in [0, 1], or 1 without history. Rates are rounded
to millionths and summed as integers, so that ties are exact; the tie rule is that of
engine.wards.cuts (lexicographically largest boundaries: earlier groups take more).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from engine.wards.assignment import views_from_boundaries
from engine.wards.cuts import group_weights, optimal_cut
from engine.wards.errors import InvalidParticipationRateError, UnknownMemberError
from engine.wards.models import BalanceBy, BalanceSuggestion, Household

RATE_UNITS = 1_000_000


def attendance_units(households: Sequence[Household], rates: Mapping[str, float]) -> list[int]:
    """Each household's expected attendance in millionths of a member."""
    on_roster = {user_hash for household in households for user_hash in household.members}
    for user_hash, rate in rates.items():
        if user_hash not in on_roster:
            raise UnknownMemberError(user_hash)
        if not (math.isfinite(rate) and 0.0 <= rate <= 1.0):
            raise InvalidParticipationRateError(user_hash)
    return [
        sum(round(rates.get(user_hash, 1.0) * RATE_UNITS) for user_hash in household.members)
        for household in households
    ]


def suggest_boundaries(
    households: Sequence[Household],
    *,
    by: BalanceBy,
    participation_rates: Mapping[str, float] | None = None,
) -> BalanceSuggestion:
    """Boundaries minimising the largest group by members or by expected attendance."""
    if by == "members":
        weights = [len(household.members) for household in households]
        scale = 1
    else:
        weights = attendance_units(households, participation_rates or {})
        scale = RATE_UNITS
    boundaries = optimal_cut(weights)
    return BalanceSuggestion(
        by=by,
        boundaries=boundaries,
        groups=views_from_boundaries(households, boundaries),
        loads=[load / scale for load in group_weights(weights, boundaries)],
    )
