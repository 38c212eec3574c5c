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
    "extract_allergy_profile": "engine.grouping.survey.allergies",
    "group_allergy_ok": "engine.grouping.survey.allergies",
    "naive_grouping": "engine.grouping.baseline",
    "DuplicateParticipantError": "engine.grouping.errors",
    "GroupingError": "engine.grouping.errors",
    "InvalidProfileError": "engine.grouping.errors",
    "InvalidSearchEffortError": "engine.grouping.errors",
    "DEFAULT_EFFORT": "engine.grouping.run",
    "MAX_EFFORT": "engine.grouping.run",
    "run_grouping": "engine.grouping.run",
    "AllergyProfile": "engine.grouping.models",
    "Diagnostics": "engine.grouping.models",
    "Group": "engine.grouping.models",
    "GroupingResult": "engine.grouping.models",
    "Participant": "engine.grouping.models",
    "UnassignedParticipant": "engine.grouping.models",
    "GroupingOptions": "engine.grouping.options",
    "ScoringWeights": "engine.grouping.options",
    "ExportReading": "engine.intake",
    "ExportRefusedError": "engine.intake",
    "read_export": "engine.intake",
    "read_rows": "engine.intake",
}

if TYPE_CHECKING:
    from engine.grouping.baseline import naive_grouping
    from engine.grouping.errors import (
        DuplicateParticipantError,
        GroupingError,
        InvalidProfileError,
        InvalidSearchEffortError,
    )
    from engine.grouping.models import (
        AllergyProfile,
        Diagnostics,
        Group,
        GroupingResult,
        Participant,
        UnassignedParticipant,
    )
    from engine.grouping.options import GroupingOptions, ScoringWeights
    from engine.grouping.run import DEFAULT_EFFORT, MAX_EFFORT, run_grouping
    from engine.grouping.survey.allergies import extract_allergy_profile, group_allergy_ok
    from engine.intake import ExportReading, ExportRefusedError, read_export, read_rows


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
    "ExportReading",
    "ExportRefusedError",
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
    "read_export",
    "read_rows",
    "run_grouping",
]
