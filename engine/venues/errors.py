"""Refusals of a venue plan's input; each names the field at fault and what to do."""

from __future__ import annotations


class VenuePlanError(ValueError):
    """A plan cannot be made from this input; `field` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = message


class DuplicateIdError(VenuePlanError):
    """Two groups, or two venues, share an id."""


class PinRefusedError(VenuePlanError):
    """A pin names an unknown group or venue, or would break a venue rule."""
