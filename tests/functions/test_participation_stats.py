"""GET participation-stats through Mangum, on real PostgreSQL, against hand counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.participation_stats import handler
from tests.db.test_ward_participation_stats import (
    EXPECTED,
    GROUPS,
    add_schedule,
    attend,
    build_fixture,
    stats_of,
)
from tests.db.ward_fixtures import Conn, RosterEntry, create_ward, ward_user
from tests.functions.api_world import ApiWorld
from tests.functions.tokens import SigningKey, user_claims
from tests.functions.ward_world import MANAGERS, OUTSIDERS, Call, caller_of, make_cast

pytestmark = pytest.mark.db
PATH = "/api/ward-members/participation-stats/{}"


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    yield from caller_of(handler.app, handler.handler, api_world, verifier)


def manager_token(db: Conn, signer: SigningKey, ward: UUID, role: str = "admin") -> str:
    actor = ward_user(db, name=role, ward=ward, role=role)
    assert actor.user_id is not None
    return signer.sign(user_claims(user_id=actor.user_id))


def group_line(group: str, *figures: float) -> dict[str, Any]:
    names = (
        "members",
        "total_assigned_sessions",
        "total_participations",
        "participation_percentage",
        "average_assigned_sessions",
        "average_participations",
        "average_participation_percentage",
    )
    return {"group": group, **dict(zip(names, figures, strict=True))}


def member_lines(stats: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        line["user_hash"]: (
            line["assigned_group"],
            line["total_assigned_sessions"],
            line["total_participations"],
            line["participation_percentage"],
        )
        for line in stats["members"]
    }


# From the hand counts of tests/db/test_ward_participation_stats.py (EXPECTED), except m4
# and m7, who have no stored group and so count under their default one. Seven one-member
# households in order m1..m7 cut as evenly as possible, earlier groups larger: A = m1 m2,
# B = m3 m4, C = m5 m6, D = m7. So:
#   m4 (B): Y1 + Z1 Z2 Z3 = 4 assigned; attended Z1 = 1                 -> 25.0
#   m7 (D): D1 + Z1 Z2 Z3 = 4 assigned; attended Z1 Z3 = 2              -> 50.0
EXPECTED_MEMBERS = {h: (g, a, p, float(pct)) for h, (g, a, p, pct) in EXPECTED.items()}
EXPECTED_MEMBERS |= {"m4": ("B", 4, 1, 25.0), "m7": ("D", 4, 2, 50.0)}
#   A = m1 (5, 3, 60.0), m2 (5, 0, 0.0): 10 assigned, 3 taken part -> 30.0; means 5.0, 1.5, 30.0
#   B = m3 (4, 2, 50.0), m4 (4, 1, 25.0), m6 (4, 3, 75.0): 12, 6 -> 50.0; means 4.0, 2.0, 50.0
#   C = m5 (3, 0, 0.0): 3, 0 -> 0.0; means 3.0, 0.0, 0.0
#   D = m7 (4, 2, 50.0): 4, 2 -> 50.0; means 4.0, 2.0, 50.0
EXPECTED_GROUPS = [
    group_line("A", 2, 10, 3, 30.0, 5.0, 1.5, 30.0),
    group_line("B", 3, 12, 6, 50.0, 4.0, 2.0, 50.0),
    group_line("C", 1, 3, 0, 0.0, 3.0, 0.0, 0.0),
    group_line("D", 1, 4, 2, 50.0, 4.0, 2.0, 50.0),
]


def test_statistics_per_member_and_group_match_the_hand_counts(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
    ward, _elsewhere = build_fixture(db)
    answer = call("GET", PATH.format(ward), token=manager_token(db, rsa_signer, ward, "leader"))
    assert answer.status == 200, answer.text
    stats = answer.json()
    assert (stats["ward_branch_id"], stats["uses_default"]) == (str(ward), False)
    assert member_lines(stats) == EXPECTED_MEMBERS
    assert [line["user_hash"] for line in stats["members"]] == sorted(EXPECTED_MEMBERS)
    assert stats["groups"] == EXPECTED_GROUPS


def test_members_with_a_stored_group_count_as_the_view_counts_them(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
    ward, _elsewhere = build_fixture(db)
    answer = call("GET", PATH.format(ward), token=manager_token(db, rsa_signer, ward))
    from_api = member_lines(answer.json())
    from_view = {h: (*line[:3], float(str(line[3]))) for h, line in stats_of(db, ward).items()}
    assert {h: from_api[h] for h in GROUPS} == {h: from_view[h] for h in GROUPS}


def test_a_ward_on_its_default_assignment_counts_its_default_groups(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
    roster = [RosterEntry(h, f"H-{h}") for h in ("d1", "d2", "d3", "d4")]
    ward = create_ward(db, name="Default ward", roster=roster)
    (a1,) = add_schedule(db, ward=ward, group="A", session_days=[1])
    (all1,) = add_schedule(db, ward=ward, group="All", session_days=[2])
    c1, _c2 = add_schedule(db, ward=ward, group="C", session_days=[3, 4])
    for session, who in [(a1, "d1"), (all1, "d1"), (c1, "d3"), (all1, "d4")]:
        attend(db, ward=ward, session=session, who=who)
    answer = call("GET", PATH.format(ward), token=manager_token(db, rsa_signer, ward))
    assert answer.status == 200, answer.text
    stats = answer.json()
    assert stats["uses_default"] is True
    # Four one-member households: the default cut is d1 | d2 | d3 | d4.
    assert member_lines(stats) == {
        "d1": ("A", 2, 2, 100.0),
        "d2": ("B", 1, 0, 0.0),
        "d3": ("C", 3, 1, 33.3),
        "d4": ("D", 1, 1, 100.0),
    }
    assert [g["members"] for g in stats["groups"]] == [1, 1, 1, 1]


def test_a_ward_without_sessions_counts_nothing(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
    # One household (same last name, no address or phone): q2 joins q1's stored group.
    ward = create_ward(db, name="Quiet ward", roster=[RosterEntry("q1"), RosterEntry("q2")])
    db.execute(
        "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
        " values (%s, 'q1', 'B')",
        [ward],
    )
    add_schedule(db, ward=ward, group="B", session_days=[])
    add_schedule(db, ward=ward, group="All", session_days=[])
    answer = call("GET", PATH.format(ward), token=manager_token(db, rsa_signer, ward))
    assert answer.status == 200, answer.text
    stats = answer.json()
    assert member_lines(stats) == {"q1": ("B", 0, 0, 0.0), "q2": ("B", 0, 0, 0.0)}
    assert stats["groups"][1] == group_line("B", 2, 0, 0, 0.0, 0.0, 0.0, 0.0)
    assert [g["group"] for g in stats["groups"]] == ["A", "B", "C", "D"]


def test_only_the_wards_admins_and_leaders_read_its_statistics(
    db: Conn, api_world: ApiWorld, call: Call, rsa_signer: SigningKey
) -> None:
    cast = make_cast(db, api_world, rsa_signer, name="Stats cast")
    db.execute(
        "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name)"
        " values (%s, 'x1', 'Ada', 'Levi')",
        [cast.ward_a],
    )
    (session,) = add_schedule(db, ward=cast.ward_a, group="All", session_days=[6])
    attend(db, ward=cast.ward_a, session=session, who="x1")
    for who in MANAGERS:
        answer = call("GET", PATH.format(cast.ward_a), token=cast.tokens[who])
        assert answer.status == 200, (who, answer.text)
        assert [m["total_participations"] for m in answer.json()["members"]] == [1]
    refusals = [
        call("GET", PATH.format(cast.ward_a), token=cast.tokens[who]) for who in OUTSIDERS
    ] + [call("GET", PATH.format(uuid4()), token=cast.tokens["a_admin"])]
    assert [answer.status for answer in refusals] == [403] * len(refusals)
    bodies = [{k: v for k, v in a.json().items() if k != "request_id"} for a in refusals]
    assert all(body == bodies[0] for body in bodies), bodies
