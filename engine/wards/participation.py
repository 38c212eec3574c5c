"""Participation statistics (spec/wards.md "Participation statistics"), per member and group.

Counted under each member's effective group (stored, else their household's, else the
default), so a ward still on its default assignment gets real figures. The facts come as
counts per schedule group: a session belongs to one schedule and a schedule to one group
(A-D or All), so a member's assigned sessions are those of their group plus those of All,
with no session counted twice. Attending another group's session does not count.

Percentages are rounded half up to one decimal, as PostgreSQL's `round(numeric, 1)` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.wards.models import GROUP_LABELS, GroupLabel, Household

ScheduleGroup = Literal["A", "B", "C", "D", "All"]
EVERYONE: ScheduleGroup = "All"


class ParticipationFacts(BaseModel):
    """What participation is counted from, for one ward."""

    model_config = ConfigDict(frozen=True)

    # Distinct sessions per schedule group.
    sessions: dict[ScheduleGroup, int] = Field(default_factory=dict)
    # user_hash -> schedule group -> distinct sessions of that group they attended.
    attended: dict[str, dict[ScheduleGroup, int]] = Field(default_factory=dict)


class MemberParticipation(BaseModel):
    """One roster member's figures, under the spec's names."""

    user_hash: str
    assigned_group: GroupLabel
    total_assigned_sessions: int
    total_participations: int
    participation_percentage: float


class GroupParticipation(BaseModel):
    """One group's members, their figures summed, and averaged per member."""

    group: GroupLabel
    members: int
    total_assigned_sessions: int
    total_participations: int
    # 100 x the group's participations / its assigned sessions.
    participation_percentage: float
    average_assigned_sessions: float
    average_participations: float
    # The mean of the members' own percentages.
    average_participation_percentage: float


def one_decimal(numerator: Decimal | float, denominator: int) -> float:
    """numerator / denominator rounded half up to one decimal; 0 for a zero denominator."""
    if denominator == 0:
        return 0.0
    # Through the decimal text of a float, so 66.7 counts as 66.7, not its binary neighbour.
    exact = Decimal(numerator if isinstance(numerator, Decimal) else repr(numerator))
    return float((exact / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def member_participation(
    households: Sequence[Household],
    assignment: Mapping[str, GroupLabel],
    facts: ParticipationFacts,
) -> list[MemberParticipation]:
    """Every roster member's figures under `assignment` (a full one), in ward order."""
    lines = []
    for user_hash in (member for household in households for member in household.members):
        group = assignment[user_hash]
        attended = facts.attended.get(user_hash, {})
        assigned = facts.sessions.get(group, 0) + facts.sessions.get(EVERYONE, 0)
        took_part = attended.get(group, 0) + attended.get(EVERYONE, 0)
        lines.append(
            MemberParticipation(
                user_hash=user_hash,
                assigned_group=group,
                total_assigned_sessions=assigned,
                total_participations=took_part,
                participation_percentage=one_decimal(100 * took_part, assigned),
            )
        )
    return lines


def group_participation(lines: Sequence[MemberParticipation]) -> list[GroupParticipation]:
    """Groups A-D (an empty group has zeros), from the members' lines."""
    return [
        _group_line(label, [line for line in lines if line.assigned_group == label])
        for label in GROUP_LABELS
    ]


def _group_line(label: GroupLabel, lines: Sequence[MemberParticipation]) -> GroupParticipation:
    assigned = sum(line.total_assigned_sessions for line in lines)
    took_part = sum(line.total_participations for line in lines)
    percentages = sum((Decimal(repr(line.participation_percentage)) for line in lines), Decimal(0))
    return GroupParticipation(
        group=label,
        members=len(lines),
        total_assigned_sessions=assigned,
        total_participations=took_part,
        participation_percentage=one_decimal(100 * took_part, assigned),
        average_assigned_sessions=one_decimal(assigned, len(lines)),
        average_participations=one_decimal(took_part, len(lines)),
        average_participation_percentage=one_decimal(percentages, len(lines)),
    )


def attendance_rates(lines: Sequence[MemberParticipation]) -> dict[str, float]:
    """Participation rates in [0, 1] of the members with history (some assigned session)."""
    return {
        line.user_hash: line.total_participations / line.total_assigned_sessions
        for line in lines
        if line.total_assigned_sessions > 0
    }
