"""POST a ward's group preview through Mangum, on real PostgreSQL: a boundary move snapped
to a household edge and saved nowhere, reads that follow any writer, and bad previews
(ward A's roster and default cut: tests/functions/ward_groups_world.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.db.ward_fixtures import assignment_version, audit_rows, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.events import Answer
from tests.functions.ward_groups_world import Call, Wards
from tests.functions.ward_groups_world import call as call
from tests.functions.ward_groups_world import wards as wards

pytestmark = pytest.mark.db


def preview(call: Call, ward: UUID, **move: Any) -> Answer:
    return call("POST", "/preview", body={"wardBranchId": str(ward), **move})


def test_preview_snaps_the_move_and_saves_nothing(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    version = assignment_version(api_world.db, ward=wards.a)
    # Boundary 0 may sit at edges 1, 2, 3 (members 1, 3, 5): offset 1.9 is nearest edge 1.
    answer = preview(call, wards.a, boundaryIndex=0, memberOffset=1.9)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["version"] == version
    assert body["boundaries"] == [1, 4, 5]
    assert body["memberOffsets"] == [1, 6, 8]
    # A keeps Adler; the Bakers (household of the shared phone) cross from A to B.
    assert body["groups"] == [
        {"label": "A", "householdCount": 1, "memberCount": 1, "share": 1 / 9},
        {"label": "B", "householdCount": 3, "memberCount": 5, "share": 5 / 9},
        {"label": "C", "householdCount": 1, "memberCount": 2, "share": 2 / 9},
        {"label": "D", "householdCount": 1, "memberCount": 1, "share": 1 / 9},
    ]
    (bakers,) = body["moved"]
    assert (bakers["members"], bakers["fromGroup"], bakers["toGroup"]) == (
        ["baker2", "baker1"],
        "A",
        "B",
    )
    # The same household id as GET groups gives the Bakers.
    households = call("GET", f"/{wards.a}").json()["households"]
    assert bakers["householdId"] == households[1]["householdId"]
    # Boundary 1 between edges 2 and 5: edges 3, 4 at members 5, 6; half of 9 is 4.5 -> edge 3.
    body = preview(call, wards.a, boundaryIndex=1, fraction=0.5).json()
    assert body["boundaries"] == [2, 3, 5]
    assert [g["memberCount"] for g in body["groups"]] == [3, 2, 3, 1]
    assert [(m["householdId"], m["fromGroup"], m["toGroup"]) for m in body["moved"]] == [
        ("h-dahan", "B", "C")
    ]
    # A tie (offset 2: edge 1 at 1, edge 2 at 3) goes to the earlier edge.
    assert preview(call, wards.a, boundaryIndex=0, memberOffset=2).json()["boundaries"] == [1, 4, 5]
    # From boundaries the client holds rather than the ward's.
    moved = preview(call, wards.a, boundaryIndex=2, memberOffset=9, boundaries=[1, 3, 4]).json()
    assert moved["boundaries"] == [1, 3, 5]
    assert [(m["householdId"], m["fromGroup"], m["toGroup"]) for m in moved["moved"]] == [
        ("h-eden", "D", "C")
    ]
    assert stored_groups(api_world.db, ward=wards.a) == {}
    assert assignment_version(api_world.db, ward=wards.a) == version
    assert audit_rows(api_world.db, ward=wards.a) == []


def test_every_read_follows_changes_made_by_any_writer(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    db = api_world.db
    assert call("GET", f"/{wards.a}").json()["boundaries"] == [2, 4, 5]
    # A new household straight into the table (not through the API): Gold, after Frank.
    db.execute(
        "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name,"
        " household_id) values (%s, 'gold1', 'Gil', 'Gold', 'h-gold')",
        [wards.a],
    )
    body = call("GET", f"/{wards.a}").json()
    assert body["households"][-1]["members"] == ["gold1"]
    assert sum(g["memberCount"] for g in body["groups"]) == 10
    # Stored groups, written directly too: the preview starts from their cut (1, 3, 5).
    custom = {"adler1": "A", "baker1": "B", "baker2": "B", "cohen1": "B", "cohen2": "B"}
    custom |= {"dahan1": "C", "eden1": "C", "eden2": "C", "frank1": "D", "gold1": "D"}
    store_groups(db, ward=wards.a, groups=custom)
    moved = preview(call, wards.a, boundaryIndex=2, memberOffset=10).json()
    assert moved["version"] == assignment_version(db, ward=wards.a)
    # Boundary 2 may sit at edges 4-6 (members 6, 8, 9): 10 snaps to edge 6, Frank joins C.
    assert moved["boundaries"] == [1, 3, 6]
    assert [(m["householdId"], m["fromGroup"], m["toGroup"]) for m in moved["moved"]] == [
        ("h-frank", "D", "C")
    ]


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"boundaryIndex": 3, "memberOffset": 1}, "boundaryIndex"),
        ({"boundaryIndex": 0, "fraction": 1.5}, "fraction"),
        ({"boundaryIndex": 0}, "memberOffset"),
        ({"boundaryIndex": 0, "memberOffset": 1, "fraction": 0.1}, "memberOffset"),
        ({"boundaryIndex": 0, "memberOffset": 1, "boundaries": [3, 2, 1]}, "boundaries"),
    ],
)
def test_a_bad_preview_is_422_naming_the_field(
    call: Call, wards: Wards, move: dict[str, Any], field: str
) -> None:
    answer = preview(call, wards.a, **move)
    assert answer.status == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_a_preview_of_non_contiguous_groups_asks_for_boundaries(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    store_groups(api_world.db, ward=wards.a, groups={"adler1": "D"})
    answer = preview(call, wards.a, boundaryIndex=0, memberOffset=1)
    assert answer.status == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["boundaries"]
