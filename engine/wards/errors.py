"""Domain errors of the ward engine. Callers map them to problem+json by type and attributes."""


class WardError(ValueError):
    """Base of every error the ward engine raises on purpose."""


class MemberError(WardError):
    """An error about one roster member, named by `user_hash` (never by name or address)."""

    problem = "member"

    def __init__(self, user_hash: str) -> None:
        self.user_hash = user_hash
        super().__init__(f"{self.problem}: {user_hash}")


class DuplicateMemberError(MemberError):
    """The roster names one `user_hash` twice."""

    problem = "duplicate user_hash on the roster"


class UnknownMemberError(MemberError):
    """An assignment or a participation rate names a `user_hash` not on the roster."""

    problem = "user_hash not on the roster"


class UnassignedMemberError(MemberError):
    """A full assignment leaves a roster member without a group."""

    problem = "member has no group"


class InvalidGroupError(WardError):
    """A group label outside A-D."""

    def __init__(self, user_hash: str, group: str) -> None:
        self.user_hash = user_hash
        self.group = group
        super().__init__(f"group must be one of A, B, C, D for {user_hash}")


class InvalidBoundariesError(WardError):
    """Boundaries that are not ordered household edges of the ward (see boundaries.py)."""

    def __init__(self, boundaries: tuple[int, ...], household_count: int) -> None:
        self.boundaries = boundaries
        self.household_count = household_count
        super().__init__(f"boundaries {boundaries} do not fit {household_count} households")


class InvalidBoundaryMoveError(WardError):
    """A move names no boundary 0-2, or not exactly one finite position."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


class InvalidParticipationRateError(MemberError):
    """A participation rate outside [0, 1] (or not a number)."""

    problem = "participation rate must be within [0, 1]"
