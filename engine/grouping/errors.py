"""Domain errors of the engine. Callers map them to HTTP or exit codes by type."""


class GroupingError(Exception):
    """Base of every error the engine raises on purpose."""


class DuplicateParticipantError(GroupingError, ValueError):
    """Two participants share an id; the run is refused before anything is computed."""

    def __init__(self, participant_ids: list[str]) -> None:
        self.participant_ids = participant_ids
        shown = ", ".join(participant_ids[:5])
        more = f" and {len(participant_ids) - 5} more" if len(participant_ids) > 5 else ""
        super().__init__(f"duplicate participant id: {shown}{more}")


class InvalidProfileError(GroupingError, ValueError):
    """A participant's answer cannot be read; `field` names it (never the value)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class InvalidSearchEffortError(GroupingError, ValueError):
    """The search effort is outside the supported range."""

    def __init__(self, effort: int, maximum: int) -> None:
        self.effort = effort
        super().__init__(f"effort must be between 0 and {maximum}, got {effort}")
