"""The grouping engine: pure Python, no I/O.

Start with `run_grouping(participants, GroupingOptions(...))`; see the README.
The names below load on first use (PEP 562), so `import engine.wards` does not pay
for the grouping engine and its allergy vocabulary at a Lambda's cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "extract_allergy_profile": "engine.allergies",
    "group_allergy_ok": "engine.allergies",
    "naive_grouping": "engine.baseline",
    "DuplicateParticipantError": "engine.errors",
    "GroupingError": "engine.errors",
    "InvalidProfileError": "engine.errors",
    "InvalidSearchEffortError": "engine.errors",
    "DEFAULT_EFFORT": "engine.grouping",
    "MAX_EFFORT": "engine.grouping",
    "run_grouping": "engine.grouping",
    "AllergyProfile": "engine.models",
    "Diagnostics": "engine.models",
    "Group": "engine.models",
    "GroupingResult": "engine.models",
    "Participant": "engine.models",
    "UnassignedParticipant": "engine.models",
    "GroupingOptions": "engine.options",
    "ScoringWeights": "engine.options",
}

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
