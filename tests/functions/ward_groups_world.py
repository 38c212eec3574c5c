"""Wards A and B with one roster, every kind of caller, and a caller of the ward group routes
through Mangum, on real PostgreSQL: the world of the ward group function tests.

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
from uuid import UUID

import pytest

from functions.auth.verifier import TokenVerifier
from functions.ward_groups import handler
from tests.db.actors import make_user
from tests.db.ward_fixtures import Conn, create_ward
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.tokens import SigningKey, user_claims

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


def last_audit_id(db: Conn, ward: UUID) -> int:
    row = db.execute(
        "select max(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


def restore(call: Call, ward: UUID, audit_id: int, version: int, who: str = "a_admin") -> Answer:
    body = {"auditId": audit_id, "expectedVersion": version}
    return call("POST", f"/{ward}/restore", body=body, who=who)
