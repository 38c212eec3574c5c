"""Participation statistics against counts worked out by hand (spec/wards.md)."""

from __future__ import annotations

import pytest

from engine.wards import (
    GroupLabel,
    Household,
    ParticipationFacts,
    attendance_rates,
    group_participation,
    member_participation,
)

HOUSEHOLDS = [
    Household(key="adler", members=["a1", "a2"]),
    Household(key="baker", members=["b1"]),
    Household(key="cohen", members=["c1", "c2"]),
    Household(key="dahan", members=["d1"]),
]
ASSIGNMENT: dict[str, GroupLabel] = {"a1": "A", "a2": "A", "b1": "B", "c1": "C", "c2": "C"}
ASSIGNMENT["d1"] = "D"
# Sessions: A 3, B 1, C none, D 4, All 2.
FACTS = ParticipationFacts(
    sessions={"A": 3, "B": 1, "D": 4, "All": 2},
    attended={
        "a1": {"A": 3, "All": 1},
        "a2": {"A": 1, "B": 1},  # B's session is not a2's to attend: it does not count
        "b1": {"All": 2},
        "c2": {"All": 1},
        "d1": {"D": 1},
        "visitor": {"All": 2},  # not on the roster: no line
    },
)


def test_each_member_counts_their_groups_sessions_and_alls() -> None:
    lines = member_participation(HOUSEHOLDS, ASSIGNMENT, FACTS)
    assert [
        (
            line.user_hash,
            line.assigned_group,
            line.total_assigned_sessions,
            line.total_participations,
            line.participation_percentage,
        )
        for line in lines
    ] == [
        ("a1", "A", 5, 4, 80.0),
        ("a2", "A", 5, 1, 20.0),
        ("b1", "B", 3, 2, 66.7),
        ("c1", "C", 2, 0, 0.0),
        ("c2", "C", 2, 1, 50.0),
        ("d1", "D", 6, 1, 16.7),
    ]


def test_groups_sum_and_average_their_members() -> None:
    groups = group_participation(member_participation(HOUSEHOLDS, ASSIGNMENT, FACTS))
    assert [
        (
            g.group,
            g.members,
            g.total_assigned_sessions,
            g.total_participations,
            g.participation_percentage,
            g.average_assigned_sessions,
            g.average_participations,
            g.average_participation_percentage,
        )
        for g in groups
    ] == [
        ("A", 2, 10, 5, 50.0, 5.0, 2.5, 50.0),
        ("B", 1, 3, 2, 66.7, 3.0, 2.0, 66.7),
        ("C", 2, 4, 1, 25.0, 2.0, 0.5, 25.0),
        ("D", 1, 6, 1, 16.7, 6.0, 1.0, 16.7),
    ]


def test_nothing_assigned_is_zero_percent_and_an_empty_group_is_all_zeros() -> None:
    everyone_in_a: dict[str, GroupLabel] = dict.fromkeys(ASSIGNMENT, "A")
    lines = member_participation(HOUSEHOLDS, everyone_in_a, ParticipationFacts())
    assert {line.participation_percentage for line in lines} == {0.0}
    empty = group_participation(lines)[3]
    assert empty.model_dump() == {
        "group": "D",
        "members": 0,
        "total_assigned_sessions": 0,
        "total_participations": 0,
        "participation_percentage": 0.0,
        "average_assigned_sessions": 0.0,
        "average_participations": 0.0,
        "average_participation_percentage": 0.0,
    }


# 1/16 is 6.25 exactly: half up gives 6.3, where round-half-even would give 6.2.
@pytest.mark.parametrize(
    ("took_part", "assigned", "percentage"),
    [(1, 16, 6.3), (3, 16, 18.8), (1, 8, 12.5), (1, 3, 33.3), (2, 3, 66.7), (1, 40, 2.5)],
)
def test_percentages_round_half_up_like_postgresql(
    took_part: int, assigned: int, percentage: float
) -> None:
    facts = ParticipationFacts(sessions={"All": assigned}, attended={"b1": {"All": took_part}})
    (line,) = member_participation([HOUSEHOLDS[1]], {"b1": "B"}, facts)
    assert line.participation_percentage == percentage


def test_rates_are_for_members_with_history_only() -> None:
    rates = attendance_rates(member_participation(HOUSEHOLDS, ASSIGNMENT, FACTS))
    assert rates == pytest.approx(
        {"a1": 0.8, "a2": 0.2, "b1": 2 / 3, "c1": 0.0, "c2": 0.5, "d1": 1 / 6}
    )
    assert (
        attendance_rates(member_participation(HOUSEHOLDS, ASSIGNMENT, ParticipationFacts())) == {}
    )
