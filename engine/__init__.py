"""The grouping engine: pure Python, no I/O.

Start with `run_grouping(participants, GroupingOptions(...))`; see the README.
"""

__version__ = "0.1.0"

from engine.allergies import extract_allergy_profile, group_allergy_ok
from engine.baseline import naive_grouping
from engine.errors import (
    DuplicateParticipantError,
    GroupingError,
    InvalidProfileError,
    InvalidSearchEffortError,
)
from engine.grouping import DEFAULT_EFFORT, MAX_EFFORT, run_grouping
from engine.models import (
    AllergyProfile,
    Diagnostics,
    Group,
    GroupingResult,
    Participant,
    UnassignedParticipant,
)
from engine.options import GroupingOptions, ScoringWeights

__all__ = [
    "DEFAULT_EFFORT",
    "MAX_EFFORT",
    "AllergyProfile",
    "Diagnostics",
    "DuplicateParticipantError",
    "Group",
    "GroupingError",
    "GroupingOptions",
    "GroupingResult",
    "InvalidProfileError",
    "InvalidSearchEffortError",
    "Participant",
    "ScoringWeights",
    "UnassignedParticipant",
    "__version__",
    "extract_allergy_profile",
    "group_allergy_ok",
    "naive_grouping",
    "run_grouping",
]
