"""Ward cleaning groups: households, order, default assignment, boundaries, balancing, statistics.

Pure Python, no I/O. Start with `detect_households(roster)`; the households it returns, in
order, are the input of every other function here. Rules: spec/wards.md; each module's
docstring records the choices the spec leaves open (normalisation and sort key in names.py,
the folding tables it shares with the database in folding.py (and
folding_supplementary.py), household keys in households.py,
the tie rule in cuts.py, snapping in boundaries.py).
"""

from engine.wards.assignment import (
    assignment_from_boundaries,
    contiguous_boundaries,
    default_assignment,
    default_boundaries,
    effective_assignment,
    member_offsets,
    rejoined_groups,
    split_household,
    views_from_assignment,
    views_from_boundaries,
)
from engine.wards.balancing import suggest_boundaries
from engine.wards.boundaries import check_boundaries, preview_boundary_move, valid_edges
from engine.wards.errors import (
    DuplicateMemberError,
    InvalidBoundariesError,
    InvalidBoundaryMoveError,
    InvalidGroupError,
    InvalidParticipationRateError,
    MemberError,
    UnassignedMemberError,
    UnknownMemberError,
    WardError,
)
from engine.wards.households import detect_households, household_key, household_of_member
from engine.wards.models import (
    GROUP_LABELS,
    BalanceBy,
    BalanceSuggestion,
    Boundaries,
    BoundaryPreview,
    GroupLabel,
    GroupView,
    Household,
    HouseholdMove,
    WardMember,
)
from engine.wards.names import name_sort_key, normalise_address, normalise_name, normalise_phone
from engine.wards.participation import (
    GroupParticipation,
    MemberParticipation,
    ParticipationFacts,
    ScheduleGroup,
    attendance_rates,
    group_participation,
    member_participation,
)

__all__ = [
    "GROUP_LABELS",
    "BalanceBy",
    "BalanceSuggestion",
    "Boundaries",
    "BoundaryPreview",
    "DuplicateMemberError",
    "GroupLabel",
    "GroupParticipation",
    "GroupView",
    "Household",
    "HouseholdMove",
    "InvalidBoundariesError",
    "InvalidBoundaryMoveError",
    "InvalidGroupError",
    "InvalidParticipationRateError",
    "MemberError",
    "MemberParticipation",
    "ParticipationFacts",
    "ScheduleGroup",
    "UnassignedMemberError",
    "UnknownMemberError",
    "WardError",
    "WardMember",
    "assignment_from_boundaries",
    "attendance_rates",
    "check_boundaries",
    "contiguous_boundaries",
    "default_assignment",
    "default_boundaries",
    "detect_households",
    "effective_assignment",
    "group_participation",
    "household_key",
    "household_of_member",
    "member_offsets",
    "member_participation",
    "name_sort_key",
    "normalise_address",
    "normalise_name",
    "normalise_phone",
    "preview_boundary_move",
    "rejoined_groups",
    "split_household",
    "suggest_boundaries",
    "valid_edges",
    "views_from_assignment",
    "views_from_boundaries",
]
