"""A ward cast whose ward A holds a six-member roster in four households, and a caller of the
PUT roster and POST bulk-update handler: the world of the bulk-update function tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from functions.auth.verifier import TokenVerifier
from functions.bulk_update import handler
from tests.db.ward_fixtures import Conn, assignment_version, audit_rows, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.tokens import SigningKey
from tests.functions.ward_world import Call, WardCast, add_member, caller_of, make_cast

BULK = "/api/ward-members/groups/bulk-update"
# Households, in the ward's order: Ben-David {b1}, Cohen at 1 Herzl St {c1, c2},
# Levi {l1}, and Mizrahi by explicit id {m1, m2}. Four households of 1, 2, 1, 2 members:
# the only cut whose largest group has 2 members gives each household its own group.
DEFAULT = {"b1": "A", "c1": "B", "c2": "B", "l1": "C", "m1": "D", "m2": "D"}
ROSTER: list[dict[str, Any]] = [
    {"userHash": "b1", "firstName": "Noa", "lastName": "Ben-David"},
    {"userHash": "c1", "firstName": "Avi", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "c2", "firstName": "Dana", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "l1", "firstName": "Moshe", "lastName": "Levi", "address": "2 Jaffa Rd"},
    {"userHash": "m1", "firstName": "Rut", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
    {"userHash": "m2", "firstName": "Tal", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
]
COLUMNS = {
    "userHash": "user_hash",
    "firstName": "first_name",
    "lastName": "last_name",
    "householdId": "household_id",
}


@pytest.fixture
def cast(db: Conn, api_world: ApiWorld, rsa_signer: SigningKey) -> WardCast:
    return make_cast(db, api_world, rsa_signer, name="Bulk")


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    yield from caller_of(handler.app, handler.handler, api_world, verifier)


def seed_roster(db: Conn, ward: UUID) -> None:
    for entry in ROSTER:
        add_member(db, ward, **{COLUMNS.get(key, key): value for key, value in entry.items()})


@pytest.fixture
def ward(db: Conn, cast: WardCast) -> UUID:
    """Ward A with the roster and no stored assignments."""
    seed_roster(db, cast.ward_a)
    return cast.ward_a


@pytest.fixture
def stored_ward(db: Conn, ward: UUID) -> UUID:
    store_groups(db, ward=ward, groups=DEFAULT)
    return ward


def body(ward: UUID, version: int, **groups: str) -> dict[str, Any]:
    moves = [{"userHash": h, "newGroup": g, "householdId": None} for h, g in groups.items()]
    return {"wardBranchId": str(ward), "assignments": moves, "expectedVersion": version}


def ward_state(db: Conn, ward: UUID) -> tuple[object, ...]:
    roster = db.execute(
        "select user_hash, first_name, last_name, address, phone, household_id"
        " from public.ward_members where ward_branch_id = %s order by user_hash",
        [ward],
    ).fetchall()
    return (
        roster,
        stored_groups(db, ward=ward),
        assignment_version(db, ward=ward),
        audit_rows(db, ward=ward),
    )
