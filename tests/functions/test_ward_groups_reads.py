"""GET a ward's groups and GET its suggestion through Mangum, on real PostgreSQL: the
default cut, stored assignments as the truth, and suggestions by members or by attendance
(ward A's roster and default cut: tests/functions/ward_groups_world.py)."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.db.test_ward_participation_stats import add_schedule, attend
from tests.db.ward_fixtures import Conn, assignment_version, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.ward_groups_world import DEFAULT_GROUPS, Call, Wards, members_by_group
from tests.functions.ward_groups_world import call as call
from tests.functions.ward_groups_world import wards as wards

pytestmark = pytest.mark.db


def test_a_ward_without_custom_assignments_reads_the_default_cut(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    answer = call("GET", f"/{wards.a}")
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["usesDefault"] is True
    assert body["customAssignments"] == []
    assert body["version"] == assignment_version(api_world.db, ward=wards.a)
    assert body["boundaries"] == [2, 4, 5]
    assert members_by_group(body) == DEFAULT_GROUPS
    assert [g["share"] for g in body["groups"]] == [3 / 9, 3 / 9, 2 / 9, 1 / 9]
    assert [g["memberCount"] for g in body["groups"]] == [3, 3, 2, 1]
    default = {line["userHash"]: line["assignedGroup"] for line in body["defaultAssignments"]}
    assert default == {h: label for label, hs in DEFAULT_GROUPS.items() for h in hs}
    households = [(h["members"], h["assignedGroup"]) for h in body["households"]]
    assert households == [
        (["adler1"], "A"),
        (["baker2", "baker1"], "A"),
        (["cohen1", "cohen2"], "B"),
        (["dahan1"], "B"),
        (["eden1", "eden2"], "C"),
        (["frank1"], "D"),
    ]
    assert body["households"][2]["householdId"] == "h-cohen"
    line = body["defaultAssignments"][0]
    assert line == {"userHash": "adler1", "assignedGroup": "A", "householdId": "h-adler"}


def test_stored_assignments_are_the_truth(call: Call, wards: Wards, api_world: ApiWorld) -> None:
    custom = {"adler1": "A", "baker1": "B", "baker2": "B", "cohen1": "B", "cohen2": "B"}
    custom |= {"dahan1": "C", "eden1": "C", "eden2": "C", "frank1": "D"}
    store_groups(api_world.db, ward=wards.a, groups=custom)
    body = call("GET", f"/{wards.a}").json()
    assert body["usesDefault"] is False
    assert body["version"] == assignment_version(api_world.db, ward=wards.a)
    assert members_by_group(body) == {
        "A": ["adler1"],
        "B": ["baker2", "baker1", "cohen1", "cohen2"],
        "C": ["dahan1", "eden1", "eden2"],
        "D": ["frank1"],
    }
    assert body["boundaries"] == [1, 3, 5]
    stored = {(line["userHash"], line["assignedGroup"]) for line in body["customAssignments"]}
    assert stored == set(custom.items())
    # The default stays on offer beside the stored groups.
    assert body["defaultAssignments"][1]["assignedGroup"] == "A"


def test_groups_need_not_be_contiguous(call: Call, wards: Wards, api_world: ApiWorld) -> None:
    store_groups(api_world.db, ward=wards.a, groups={"adler1": "D", "frank1": "A"})
    body = call("GET", f"/{wards.a}").json()
    assert body["boundaries"] is None
    assert members_by_group(body)["A"] == ["baker2", "baker1", "frank1"]
    assert members_by_group(body)["D"] == ["adler1"]


def add_attendance(db: Conn, ward: UUID, attended: dict[str, int]) -> None:
    """One 'All' schedule with two sessions; `attended` says how many each member attended."""
    sessions = add_schedule(db, ward=ward, group="All", session_days=[1, 8])
    for user_hash, count in attended.items():
        for session in sessions[:count]:
            attend(db, ward=ward, session=session, who=user_hash)


def test_suggestion_by_members_is_the_default_cut(call: Call, wards: Wards) -> None:
    answer = call("GET", f"/{wards.a}/suggestion", query="by=members")
    assert answer.status == 200, answer.text
    body = answer.json()
    assert (body["by"], body["boundaries"], body["loads"]) == ("members", [2, 4, 5], [3, 3, 2, 1])
    assert members_by_group(body) == DEFAULT_GROUPS


def test_suggestion_by_attendance_weighs_participation(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    # Rates: adler 1, bakers 0, cohens 0.5, dahan 1, edens 1, frank 0 -> households
    # 1, 0, 1, 1, 2, 0. Largest group at least 2 (the Edens); with ties broken toward
    # earlier groups: A = Adler..Cohen (2), B = Dahan (1), C = Eden (2), D = Frank (0).
    attended = {"adler1": 2, "cohen1": 1, "cohen2": 1, "dahan1": 2, "eden1": 2, "eden2": 2}
    add_attendance(api_world.db, wards.a, attended)
    body = call("GET", f"/{wards.a}/suggestion", query="by=attendance").json()
    assert (body["boundaries"], body["loads"]) == ([3, 4, 5], [2.0, 1.0, 2.0, 0.0])
    assert stored_groups(api_world.db, ward=wards.a) == {}


def test_an_unknown_balance_is_422_naming_by(call: Call, wards: Wards) -> None:
    answer = call("GET", f"/{wards.a}/suggestion", query="by=height")
    assert answer.status == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["query.by"]
