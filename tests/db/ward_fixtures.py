"""Building blocks of the ward database tests: wards, rosters, roles and the RPC calls.

Everything here writes as the database owner (setup) unless it takes an actor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import Actor, make_user, user_actor

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class RosterEntry:
    user_hash: str
    household_id: str | None = None


@dataclass(frozen=True)
class AuditRow:
    user_hash: str
    action: str
    old_group: str | None
    new_group: str | None
    actor_id: UUID | None
    batch_id: UUID
    restored_from: int | None


def create_ward(conn: Conn, *, name: str, roster: Sequence[RosterEntry] = ()) -> UUID:
    row = conn.execute(
        "insert into public.ward_branches (name) values (%s) returning id", [name]
    ).fetchone()
    assert row is not None
    ward: UUID = row[0]
    for entry in roster:
        add_roster_entry(conn, ward=ward, entry=entry)
    return ward


def add_roster_entry(conn: Conn, *, ward: UUID, entry: RosterEntry) -> None:
    """A member whose household is their explicit one, else their own (a last name of theirs)."""
    add_member(
        conn,
        ward=ward,
        user_hash=entry.user_hash,
        last_name=f"Family {entry.user_hash}",
        household_id=entry.household_id,
    )


def add_member(
    conn: Conn,
    *,
    ward: UUID,
    user_hash: str,
    last_name: str,
    first_name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    household_id: str | None = None,
) -> None:
    conn.execute(
        "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name,"
        " address, phone, household_id) values (%s, %s, %s, %s, %s, %s, %s)",
        [
            ward,
            user_hash,
            first_name or f"First {user_hash}",
            last_name,
            address,
            phone,
            household_id,
        ],
    )


def ward_user(
    conn: Conn, *, name: str, ward: UUID, role: str, user_hash: str | None = None
) -> Actor:
    """A new account holding `role` in `ward` (linked to roster entry `user_hash`)."""
    user_id = make_user(conn)
    conn.execute(
        "insert into public.ward_branch_members (ward_branch_id, user_id, role, user_hash)"
        " values (%s, %s, %s, %s)",
        [ward, user_id, role, user_hash],
    )
    return user_actor(name, user_id)


def store_groups(conn: Conn, *, ward: UUID, groups: Mapping[str, str]) -> None:
    """Store assignments directly, in one statement (one version step), as the owner."""
    conn.execute(
        "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
        " select %s, user_hash, assigned_group from unnest(%s::text[], %s::text[])"
        " as stored(user_hash, assigned_group)",
        [ward, list(groups), list(groups.values())],
    )


def stored_groups(conn: Conn, *, ward: UUID) -> dict[str, str]:
    rows = conn.execute(
        "select user_hash, assigned_group from public.ward_member_groups where ward_branch_id = %s",
        [ward],
    ).fetchall()
    return {str(user_hash): str(group) for user_hash, group in rows}


def assignment_version(conn: Conn, *, ward: UUID) -> int:
    row = conn.execute(
        "select version from public.ward_assignment_versions where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


def audit_rows(conn: Conn, *, ward: UUID) -> list[AuditRow]:
    rows = conn.execute(
        "select user_hash, action, old_group, new_group, actor_id, batch_id, restored_from"
        " from public.audit_log where ward_branch_id = %s order by id",
        [ward],
    ).fetchall()
    return [AuditRow(*row) for row in rows]


def moves(**groups: str) -> list[dict[str, Any]]:
    """The seed's request body: `moves(m1="B")` -> [{"userHash": "m1", "newGroup": "B"}]."""
    return [{"userHash": user_hash, "newGroup": group} for user_hash, group in groups.items()]


def bulk_update(conn: Conn, *, ward: UUID, assignments: object, expected_version: int) -> int:
    row = conn.execute(
        "select public.ward_bulk_update(%s, %s::jsonb, %s)",
        [ward, json.dumps(assignments), expected_version],
    ).fetchone()
    assert row is not None
    return int(row[0])


def restore_assignments(conn: Conn, *, ward: UUID, audit_id: int, expected_version: int) -> int:
    row = conn.execute(
        "select public.ward_restore_assignments(%s, %s, %s)", [ward, audit_id, expected_version]
    ).fetchone()
    assert row is not None
    return int(row[0])


@contextmanager
def refused(conn: Conn, sqlstate: str) -> Iterator[pytest.ExceptionInfo[psycopg.Error]]:
    """Expect the block's statement to fail with `sqlstate`; the transaction goes on."""
    with pytest.raises(psycopg.Error) as info, conn.transaction():
        yield info
    assert info.value.sqlstate == sqlstate, info.value.diag.message_primary


def refusal_detail(info: pytest.ExceptionInfo[psycopg.Error]) -> dict[str, Any]:
    detail = info.value.diag.message_detail
    assert detail is not None
    parsed: dict[str, Any] = json.loads(detail)
    return parsed
