"""The world of the ward Row Level Security tests, and how a statement is tried in it.

Ward A and ward B, each with a roster, assignments (and so audit rows and a version),
schedules, sessions and attendance, and one actor of every kind. Each case runs as one
actor in a transaction that is rolled back, and reads or writes ward A's rows (ward B's
for the counts too). Refusals must be complete: a statement that is refused or touches
no row leaves ward A exactly as it was, checked by the owner inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from tests.db.actors import ANON, Actor, act_as, make_user, user_actor
from tests.db.ward_fixtures import Conn, RosterEntry, create_ward, store_groups, ward_user

DENIED: Final = "denied"  # the statement fails with insufficient_privilege (42501)
READ_ONLY: Final = "read-only"  # a view no statement can write through (55000)
Outcome = int | str

ACTOR_NAMES = (
    "grouping admin",
    "non-admin user",
    "participant",
    "anon",
    "ward A admin",
    "ward A leader",
    "ward A member",
    "ward B admin",
)


@dataclass(frozen=True)
class World:
    ward_a: UUID
    ward_b: UUID
    actors: dict[str, Actor]
    outsider_id: UUID
    schedule_a: UUID
    session_a: UUID


def build_world(conn: Conn) -> World:
    roster_a = [
        RosterEntry("a1", "HA"),
        RosterEntry("a2", "HA"),
        RosterEntry("a3"),
        RosterEntry("a4"),
    ]
    ward_a = create_ward(conn, name="Ward A", roster=roster_a)
    ward_b = create_ward(conn, name="Ward B", roster=[RosterEntry("b1"), RosterEntry("b2")])
    store_groups(conn, ward=ward_a, groups={"a1": "A", "a2": "A", "a3": "B"})  # a4: none
    store_groups(conn, ward=ward_b, groups={"b1": "C", "b2": "C"})
    sessions: dict[tuple[UUID, str], tuple[UUID, UUID]] = {}
    for ward, group, day in [(ward_a, "A", 1), (ward_a, "All", 2), (ward_b, "All", 3)]:
        row = conn.execute(
            "with schedule as (insert into public.cleaning_schedules"
            " (ward_branch_id, assigned_group, schedule_date) values (%s, %s, '2025-06-01')"
            " returning id, ward_branch_id)"
            " insert into public.cleaning_sessions (schedule_id, ward_branch_id, session_date)"
            " select id, ward_branch_id, make_date(2025, 6, %s) from schedule"
            " returning schedule_id, id",
            [ward, group, day],
        ).fetchone()
        assert row is not None
        sessions[ward, group] = (row[0], row[1])
    for ward, group, who in [(ward_a, "A", "a1"), (ward_a, "All", "a3"), (ward_b, "All", "b1")]:
        conn.execute(
            "insert into public.session_participants (session_id, ward_branch_id, user_hash)"
            " values (%s, %s, %s)",
            [sessions[ward, group][1], ward, who],
        )
    participant_id = make_user(conn)
    conn.execute(
        "insert into public.participants (user_id, full_name) values (%s, 'Pat Participant')",
        [participant_id],
    )
    admin_id = make_user(conn, app_role="admin")
    actors = {
        "grouping admin": user_actor("grouping admin", admin_id, app_role="admin"),
        "non-admin user": user_actor("non-admin user", make_user(conn)),
        "participant": user_actor("participant", participant_id),
        "anon": ANON,
        "ward A admin": ward_user(conn, name="A admin", ward=ward_a, role="admin"),
        "ward A leader": ward_user(conn, name="A leader", ward=ward_a, role="leader"),
        "ward A member": ward_user(
            conn, name="A member", ward=ward_a, role="member", user_hash="a1"
        ),
        "ward B admin": ward_user(conn, name="B admin", ward=ward_b, role="admin"),
    }
    schedule_a, session_a = sessions[ward_a, "All"]
    return World(ward_a, ward_b, actors, make_user(conn), schedule_a, session_a)


@pytest.fixture(scope="module")
def world_conn(database_url: str) -> Iterator[Conn]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def world(world_conn: Conn) -> Iterator[World]:
    built = build_world(world_conn)
    yield built
    world_conn.execute(
        "delete from public.ward_branches where id in (%s, %s)", [built.ward_a, built.ward_b]
    )


@dataclass(frozen=True)
class Relation:
    name: str
    ward_column: str
    update_set: str
    insert_columns: str
    insert_values: str  # may use %(ward)s, %(outsider)s, %(schedule)s, %(session)s


RELATIONS = {
    r.name: r
    for r in [
        Relation("ward_branches", "id", "name = name || '!'", "name", "'New ward'"),
        Relation(
            "ward_branch_members", "ward_branch_id", "role = role",
            "ward_branch_id, user_id, role", "%(ward)s, %(outsider)s, 'member'",
        ),
        Relation(
            "ward_members", "ward_branch_id", "phone = '555'",
            "ward_branch_id, user_hash, first_name, last_name", "%(ward)s, 'a9', 'New', 'Member'",
        ),
        Relation(
            "ward_member_groups", "ward_branch_id", "assigned_group = 'D'",
            "ward_branch_id, user_hash, assigned_group", "%(ward)s, 'a4', 'C'",
        ),
        Relation(
            "ward_assignment_versions", "ward_branch_id", "version = version + 1",
            "ward_branch_id", "%(ward)s",
        ),
        Relation(
            "audit_log", "ward_branch_id", "new_group = 'D'",
            "ward_branch_id, user_hash, action, batch_id",
            "%(ward)s, 'a1', 'insert', gen_random_uuid()",
        ),
        Relation(
            "cleaning_schedules", "ward_branch_id", "notes = 'moved'",
            "ward_branch_id, assigned_group, schedule_date", "%(ward)s, 'C', '2025-07-01'",
        ),
        Relation(
            "cleaning_sessions", "ward_branch_id", "session_date = session_date + 7",
            "schedule_id, ward_branch_id, session_date", "%(schedule)s, %(ward)s, '2025-07-02'",
        ),
        Relation(
            "session_participants", "ward_branch_id", "attended = not attended",
            "session_id, ward_branch_id, user_hash", "%(session)s, %(ward)s, 'a2'",
        ),
        Relation(
            "member_participation_stats", "ward_branch_id", "total_participations = 0",
            "ward_branch_id, user_hash", "%(ward)s, 'a4'",
        ),
    ]
}  # fmt: skip


def ward_a_fingerprint(conn: Conn, relation: Relation, world: World) -> str:
    """Ward A's rows of `relation` as the owner sees them (RLS does not apply)."""
    query = sql.SQL(
        "select coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from {} t"
        " where {} = %s"
    ).format(sql.Identifier("public", relation.name), sql.Identifier(relation.ward_column))
    row = conn.execute(query, [world.ward_a]).fetchone()
    assert row is not None
    return str(row[0])


def attempt(
    conn: Conn, statement: sql.SQL | sql.Composed, params: dict[str, Any] | list[Any]
) -> Outcome:
    try:
        with conn.transaction():
            changed: int = conn.execute(statement, params).rowcount
            return changed
    except psycopg.errors.InsufficientPrivilege:
        return DENIED
    except psycopg.errors.ObjectNotInPrerequisiteState:
        return READ_ONLY


def run_as(
    conn: Conn,
    world: World,
    actor: str,
    relation: Relation,
    statement: sql.SQL | sql.Composed,
    params: dict[str, Any] | list[Any],
) -> Outcome:
    """Run `statement` as `actor` and roll back; ward A must be untouched unless rows
    were written."""
    before = ward_a_fingerprint(conn, relation, world)
    with act_as(conn, world.actors[actor]):
        outcome = attempt(conn, statement, params)
        conn.execute("reset role")
        if outcome in (DENIED, READ_ONLY, 0):
            assert ward_a_fingerprint(conn, relation, world) == before
        else:
            assert ward_a_fingerprint(conn, relation, world) != before
    return outcome
