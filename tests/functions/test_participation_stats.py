"""GET participation-stats through Mangum, on real PostgreSQL, against hand counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.common.auth import TokenVerifier
from functions.participation_stats import handler
from tests.db.test_ward_participation_stats import EXPECTED, add_schedule, attend, build_fixture
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


def group_line(group: str | None, *figures: float) -> dict[str, Any]:
    names = (
        "members",
        "totalAssignedSessions",
        "totalParticipations",
        "participationPercentage",
        "averageAssignedSessions",
        "averageParticipations",
        "averageParticipationPercentage",
    )
    return {"group": group, **dict(zip(names, figures, strict=True))}


# From the hand counts of tests/db/test_ward_participation_stats.py (EXPECTED):
#   A = m1 (5, 3, 60.0), m2 (5, 0, 0.0): 10 assigned, 3 taken part -> 30.0; means 5.0, 1.5, 30.0
#   B = m3 (4, 2, 50.0), m6 (4, 3, 75.0): 8, 5 -> 62.5; means 4.0, 2.5, 62.5
#   C = m5 (3, 0, 0.0): 3, 0 -> 0.0; means 3.0, 0.0, 0.0
#   D = nobody: all 0
#   no stored group = m4 (3, 1, 33.3), m7 (3, 2, 66.7): 6, 3 -> 50.0; means 3.0, 1.5, 50.0
EXPECTED_GROUPS = [
    group_line("A", 2, 10, 3, 30.0, 5.0, 1.5, 30.0),
    group_line("B", 2, 8, 5, 62.5, 4.0, 2.5, 62.5),
    group_line("C", 1, 3, 0, 0.0, 3.0, 0.0, 0.0),
    group_line("D", 0, 0, 0, 0.0, 0.0, 0.0, 0.0),
    group_line(None, 2, 6, 3, 50.0, 3.0, 1.5, 50.0),
]


def test_statistics_per_member_and_group_match_the_hand_counts(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
    ward, _elsewhere = build_fixture(db)
    answer = call("GET", PATH.format(ward), token=manager_token(db, rsa_signer, ward, "leader"))
    assert answer.status == 200, answer.text
    stats = answer.json()
    assert stats["wardBranchId"] == str(ward)
    members = {
        line["userHash"]: (
            line["assignedGroup"],
            line["totalAssignedSessions"],
            line["totalParticipations"],
            line["participationPercentage"],
        )
        for line in stats["members"]
    }
    assert members == {h: (g, a, p, float(pct)) for h, (g, a, p, pct) in EXPECTED.items()}
    assert stats["groups"] == EXPECTED_GROUPS


def test_a_ward_without_sessions_counts_nothing(
    db: Conn, call: Call, rsa_signer: SigningKey
) -> None:
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
    assert [(m["userHash"], m["totalAssignedSessions"], m["participationPercentage"])
            for m in stats["members"]] == [("q1", 0, 0.0), ("q2", 0, 0.0)]  # fmt: skip
    assert stats["groups"][1] == group_line("B", 1, 0, 0, 0.0, 0.0, 0.0, 0.0)
    assert stats["groups"][4] == group_line(None, 1, 0, 0, 0.0, 0.0, 0.0, 0.0)


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
        assert [m["totalParticipations"] for m in answer.json()["members"]] == [1]
    refusals = [
        call("GET", PATH.format(cast.ward_a), token=cast.tokens[who]) for who in OUTSIDERS
    ] + [call("GET", PATH.format(uuid4()), token=cast.tokens["a_admin"])]
    assert [answer.status for answer in refusals] == [403] * len(refusals)
    bodies = [{k: v for k, v in a.json().items() if k != "request_id"} for a in refusals]
    assert all(body == bodies[0] for body in bodies), bodies
