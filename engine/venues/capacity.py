"""What a venue has left once the plan (and the pins) took their places."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Residual:
    """A venue's free group places and seats."""

    groups: int
    seats: int

    def minus(self, size: int) -> Residual:
        return Residual(self.groups - 1, self.seats - size)

    def fits(self, size: int) -> bool:
        return self.groups >= 1 and self.seats >= size
