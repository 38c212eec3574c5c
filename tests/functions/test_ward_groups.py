"""The ward group routes through Mangum, on real PostgreSQL.

Ward A's roster, in ward order (households by last name, members by first name):

    household   members              members  prefix after
    h-adler     adler1               1        1
    (phone)     baker2, baker1       2        3     Bella and Ben Baker share a phone
    h-cohen     cohen1, cohen2       2        5
    h-dahan     dahan1               1        6
    h-eden      eden1, eden2         2        8
    h-frank     frank1               1        9

Default cut (largest group smallest, earlier groups larger on ties): boundaries (2, 4, 5),
groups of 3, 3, 2, 1 members.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.ward_groups import handler
from tests.db.actors import make_user
from tests.db.test_ward_participation_stats import add_schedule, attend
from tests.db.ward_fixtures import (
    Conn,
    assignment_version,
    audit_rows,
    create_ward,
    store_groups,
    stored_groups,
)
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.tokens import SigningKey, user_claims

pytestmark = pytest.mark.db
Call = Callable[..., Answer]
PREFIX = "/api/ward-members/groups"
# (user_hash, first name, last name, phone, explicit household id)
ROSTER = [
    ("adler1", "Avi", "Adler", None, "h-adler"),
    ("baker1", "Ben", "Baker", "555-01", None),
    ("baker2", "Bella", "Baker", "55501", None),
    ("cohen1", "Dan", "Cohen", None, "h-cohen"),
    ("cohen2", "Rachel", "Cohen", None, "h-cohen"),
    ("dahan1", "Dina", "Dahan", None, "h-dahan"),
    ("eden1", "Eli", "Eden", None, "h-eden"),
    ("eden2", "Ella", "Eden", None, "h-eden"),
    ("frank1", "Fay", "Frank", None, "h-frank"),
]
DEFAULT_GROUPS = {
    "A": ["adler1", "baker2", "baker1"],
    "B": ["cohen1", "cohen2", "dahan1"],
    "C": ["eden1", "eden2"],
    "D": ["frank1"],
}


@dataclass(frozen=True)
class Wards:
    a: UUID
    b: UUID
    tokens: dict[str, str]


def add_roster(db: Conn, ward: UUID) -> None:
    for user_hash, first, last, phone, household in ROSTER:
        db.execute(
            "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name,"
            " phone, household_id) values (%s, %s, %s, %s, %s, %s)",
            [ward, user_hash, first, last, phone, household],
        )


@pytest.fixture
def wards(api_world: ApiWorld, rsa_signer: SigningKey) -> Iterator[Wards]:
    db = api_world.db
    ward_a, ward_b = create_ward(db, name="Ward A"), create_ward(db, name="Ward B")
    add_roster(db, ward_a)
    add_roster(db, ward_b)
    roles = {"a_admin": (ward_a, "admin"), "a_leader": (ward_a, "leader")}
    roles |= {"a_member": (ward_a, "member"), "b_admin": (ward_b, "admin")}
    users = {name: make_user(db) for name in [*roles, "plain"]}
    users["global_admin"] = make_user(db, app_role="admin")
    for name, (ward, role) in roles.items():
        db.execute(
            "insert into public.ward_branch_members (ward_branch_id, user_id, role)"
            " values (%s, %s, %s)",
            [ward, users[name], role],
        )
    tokens = {
        name: rsa_signer.sign(user_claims(user_id=user, admin=name == "global_admin"))
        for name, user in users.items()
    }
    yield Wards(a=ward_a, b=ward_b, tokens=tokens)
    db.execute("delete from public.ward_branches where id = any(%s)", [[ward_a, ward_b]])
    db.execute("delete from auth.users where id = any(%s)", [list(users.values())])


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier, wards: Wards) -> Iterator[Call]:
    undo = wire(handler.app, api_world.settings, verifier)

    def invoke(method: str, path: str, *, who: str = "a_admin", **event: Any) -> Answer:
        return send(handler.handler, method, PREFIX + path, token=wards.tokens[who], **event)

    yield invoke
    undo()


def members_by_group(body: dict[str, Any]) -> dict[str, list[str]]:
    return {group["label"]: group["members"] for group in body["groups"]}


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


def last_audit_id(db: Conn, ward: UUID) -> int:
    row = db.execute(
        "select max(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


def restore(call: Call, ward: UUID, audit_id: int, version: int, who: str = "a_admin") -> Answer:
    body = {"auditId": audit_id, "expectedVersion": version}
    return call("POST", f"/{ward}/restore", body=body, who=who)


def test_restore_returns_the_exact_earlier_state(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    db = api_world.db
    first = {h: label for label, hs in DEFAULT_GROUPS.items() for h in hs}
    store_groups(db, ward=wards.a, groups=first)
    earlier = call("GET", f"/{wards.a}").json()
    db.execute(
        "update public.ward_member_groups set assigned_group = 'D'"
        " where ward_branch_id = %s and user_hash in ('eden1', 'eden2')",
        [wards.a],
    )
    changed = last_audit_id(db, wards.a)
    version = assignment_version(db, ward=wards.a)
    assert version > earlier["version"]

    stale = restore(call, wards.a, changed, earlier["version"])
    assert stale.status == 409, stale.text
    assert stale.json()["currentVersion"] == version
    assert stale.json()["errors"] == [
        {"field": "expectedVersion", "message": f"stale; the current version is {version}"}
    ]
    assert restore(call, wards.a, 10**12, version).status == 404

    answer = restore(call, wards.a, changed, version)
    assert answer.status == 200, answer.text
    assert answer.json()["version"] == assignment_version(db, ward=wards.a) > version
    assert stored_groups(db, ward=wards.a) == first
    now = call("GET", f"/{wards.a}").json()
    assert {**now, "version": None} == {**earlier, "version": None}
    undone = [row for row in audit_rows(db, ward=wards.a) if row.restored_from is not None]
    assert sorted((row.user_hash, row.new_group) for row in undone) == [
        ("eden1", "C"),
        ("eden2", "C"),
    ]


def ensure_stored(db: Conn, ward: UUID) -> None:
    """Something for restore to undo."""
    if not stored_groups(db, ward=ward):
        store_groups(db, ward=ward, groups={"frank1": "D"})


def an_allowed_call(call: Call, wards: Wards, api_world: ApiWorld) -> list[Callable[..., Answer]]:
    """Each route, as a function of (who, ward); restore undoes the ward's latest batch."""

    def restore_latest(who: str, ward: UUID) -> Answer:
        db = api_world.db
        ensure_stored(db, wards.a)
        version = assignment_version(db, ward=wards.a)
        return restore(call, ward, last_audit_id(db, wards.a), version, who)

    return [
        lambda who, ward: call("GET", f"/{ward}", who=who),
        lambda who, ward: preview_as(call, who, ward),
        lambda who, ward: call("GET", f"/{ward}/suggestion", who=who, query="by=members"),
        lambda who, ward: call("GET", f"/{ward}/suggestion", who=who, query="by=attendance"),
        restore_latest,
    ]


def preview_as(call: Call, who: str, ward: UUID) -> Answer:
    body = {"wardBranchId": str(ward), "boundaryIndex": 0, "fraction": 0.1}
    return call("POST", "/preview", body=body, who=who)


@pytest.mark.parametrize("route", range(5))
def test_only_the_wards_admins_and_leaders_get_through(
    call: Call, wards: Wards, api_world: ApiWorld, route: int
) -> None:
    send_as = an_allowed_call(call, wards, api_world)[route]
    for who in ("a_admin", "a_leader"):
        answer = send_as(who, wards.a)
        assert answer.status == 200, (who, answer.text)
    ensure_stored(api_world.db, wards.a)
    version = assignment_version(api_world.db, ward=wards.a)
    refusals = [send_as(who, wards.a) for who in ("a_member", "b_admin", "plain", "global_admin")]
    refusals.append(send_as("a_admin", uuid4()))
    assert [answer.status for answer in refusals] == [403] * 5
    assert len({answer.text for answer in refusals}) == 1
    assert refusals[0].json()["type"].endswith("not-ward-manager")
    assert assignment_version(api_world.db, ward=wards.a) == version
