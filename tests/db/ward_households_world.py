"""The ward the household tests write to: two Cohens at one address, Levi alone, and two
Mizrahis by explicit household id, stored in three groups with every household whole.

Shared by the tests of direct writes (test_ward_households_enforced.py) and of the
ward RPCs and the migration (test_ward_households_rpcs.py), so each split they try is
measured against the same households.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from tests.db import ward_fixtures as wf
from tests.db.actors import Actor

COHENS = "auto:cohen|address:1 herzl st"
# Two Cohens at one address, Levi alone, two Mizrahis by explicit household id.
ROSTER: list[dict[str, Any]] = [
    {"userHash": "c1", "firstName": "Avi", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "c2", "firstName": "Dana", "lastName": "COHEN", "address": "1 Herzl St."},
    {"userHash": "l1", "firstName": "Moshe", "lastName": "Levi", "address": "2 Jaffa Rd"},
    {"userHash": "m1", "firstName": "Rut", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
    {"userHash": "m2", "firstName": "Tal", "lastName": "Mizrahi", "householdId": " H-mizrahi "},
]
STORED = {"c1": "A", "c2": "A", "l1": "B", "m1": "D", "m2": "D"}


@dataclass(frozen=True)
class Ward:
    id: UUID
    leader: Actor


def add_roster(db: wf.Conn, ward: UUID, roster: list[dict[str, Any]]) -> None:
    for entry in roster:
        wf.add_member(
            db,
            ward=ward,
            user_hash=entry["userHash"],
            first_name=entry["firstName"],
            last_name=entry["lastName"],
            address=entry.get("address"),
            phone=entry.get("phone"),
            household_id=entry.get("householdId"),
        )


@pytest.fixture
def ward(db: wf.Conn) -> Ward:
    ward = wf.create_ward(db, name="Households ward")
    add_roster(db, ward, ROSTER)
    return Ward(ward, wf.ward_user(db, name="leader", ward=ward, role="leader"))


@pytest.fixture
def stored(db: wf.Conn, ward: Ward) -> Ward:
    wf.store_groups(db, ward=ward.id, groups=STORED)
    return ward


def sync(db: wf.Conn, ward: UUID, roster: list[dict[str, Any]]) -> dict[str, int]:
    """ward_sync_roster as a client may call it: the ward and the roster, nothing else."""
    row = db.execute(
        "select public.ward_sync_roster(%s, %s::jsonb)", [ward, json.dumps(roster)]
    ).fetchone()
    assert row is not None
    outcome: dict[str, int] = row[0]
    return outcome


def last_audit_id(db: wf.Conn, ward: UUID) -> int:
    row = db.execute(
        "select max(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


INSERT = (
    "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group,"
    " household_id) values "
)
