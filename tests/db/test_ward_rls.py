"""Row Level Security of every ward table and view: actors x relations x actions.

The world: ward A and ward B, each with a roster, assignments (and so audit rows and
a version), schedules, sessions and attendance. Each case runs as one actor in a
transaction that is rolled back, and reads or writes ward A's rows (ward B's for the
counts too). Refusals must be complete: a statement that is refused or touches no
row leaves ward A exactly as it was, checked by the owner inside the same
transaction.
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

# SELECT: rows seen as (in ward A, in ward B). Ward A holds 1 ward row, 3 members of
# ward_branch_members (admin, leader, member), 4 roster entries, 3 assignments,
# 1 version, 3 audit rows (the 3 stored assignments), 2 schedules, 2 sessions,
# 2 attendances and 4 stats lines; ward B 1, 1, 2, 2, 1, 2, 1, 1, 1, 2.
# The member is linked to a1, who is assigned and attended one of the 2 sessions.
# The grouping admin, the non-admin user and the participant hold no ward role and
# see (0, 0) everywhere; anon is DENIED everywhere.
WARD_ACTORS = ("ward A admin", "ward A leader", "ward A member", "ward B admin")
SEEN = {
    "ward_branches": ((1, 0), (1, 0), (1, 0), (0, 1)),
    "ward_branch_members": ((3, 0), (3, 0), (1, 0), (0, 1)),
    "ward_members": ((4, 0), (4, 0), (1, 0), (0, 2)),
    "ward_member_groups": ((3, 0), (3, 0), (1, 0), (0, 2)),
    "ward_assignment_versions": ((1, 0), (1, 0), (0, 0), (0, 1)),
    "audit_log": ((3, 0), (3, 0), (0, 0), (0, 2)),
    "cleaning_schedules": ((2, 0), (2, 0), (2, 0), (0, 1)),
    "cleaning_sessions": ((2, 0), (2, 0), (2, 0), (0, 1)),
    "session_participants": ((2, 0), (2, 0), (1, 0), (0, 1)),
    "member_participation_stats": ((4, 0), (4, 0), (1, 0), (0, 2)),
}

MANAGERS = ("ward A admin", "ward A leader")
# INSERT of one ward A row: who may. Everyone else is refused (42501).
MAY_INSERT = {
    "ward_branches": (),  # wards are created by the service role
    "ward_branch_members": ("ward A admin",),
    "ward_members": MANAGERS,
    "ward_member_groups": MANAGERS,
    "ward_assignment_versions": (),  # triggers only
    "audit_log": (),  # triggers only
    "cleaning_schedules": MANAGERS,
    "cleaning_sessions": MANAGERS,
    "session_participants": MANAGERS,
}
# UPDATE and DELETE of all of ward A's rows: the rows each actor changes. The view
# is READ_ONLY and the tables without write grants are DENIED for every actor;
# otherwise actors not listed change 0 rows and anon is DENIED.
NO_WRITE_GRANT = ("ward_assignment_versions", "audit_log")
UPDATED = {
    "ward_branches": {"ward A admin": 1},
    "ward_branch_members": {"ward A admin": 3},
    "ward_members": {"ward A admin": 4, "ward A leader": 4},
    "ward_member_groups": {"ward A admin": 3, "ward A leader": 3},
    "cleaning_schedules": {"ward A admin": 2, "ward A leader": 2},
    "cleaning_sessions": {"ward A admin": 2, "ward A leader": 2},
    "session_participants": {"ward A admin": 2, "ward A leader": 2},
}
DELETED = {**UPDATED, "ward_branches": {}}  # a ward is removed by the service role only


def read_outcome(relation: str, actor: str) -> object:
    if actor == "anon":
        return DENIED
    if actor not in WARD_ACTORS:
        return (0, 0)
    return SEEN[relation][WARD_ACTORS.index(actor)]


def write_outcome(table: dict[str, dict[str, int]], relation: str, actor: str) -> Outcome:
    if relation == "member_participation_stats":
        return READ_ONLY
    if relation in NO_WRITE_GRANT or actor == "anon":
        return DENIED
    return table[relation].get(actor, 0)


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


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_select(world_conn: Conn, world: World, relation: str, actor: str) -> None:
    statement = sql.SQL("select {col} = %s, {col} = %s from {rel}").format(
        col=sql.Identifier(RELATIONS[relation].ward_column),
        rel=sql.Identifier("public", relation),
    )
    with act_as(world_conn, world.actors[actor]):
        try:
            with world_conn.transaction():
                rows = world_conn.execute(statement, [world.ward_a, world.ward_b]).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            seen: object = DENIED
        else:
            in_a, in_b = sum(1 for a, _ in rows if a), sum(1 for _, b in rows if b)
            assert len(rows) == in_a + in_b, "rows of a third ward are visible"
            seen = (in_a, in_b)
    assert seen == read_outcome(relation, actor)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("relation", RELATIONS)
def test_insert(world_conn: Conn, world: World, relation: str, actor: str) -> None:
    target = RELATIONS[relation]
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier("public", relation),
        sql.SQL(target.insert_columns),
        sql.SQL(target.insert_values),
    )
    params = {
        "ward": world.ward_a,
        "outsider": world.outsider_id,
        "schedule": world.schedule_a,
        "session": world.session_a,
    }
    outcome = run_as(world_conn, world, actor, target, statement, params)
    if relation == "member_participation_stats":
        assert outcome == READ_ONLY
    else:
        assert outcome == (1 if actor in MAY_INSERT[relation] else DENIED)


def update_or_delete(action: str, relation: Relation) -> sql.Composed:
    """`action` ("update" or "delete") of every ward A row of `relation`."""
    change = sql.SQL(
        "update {} set " + relation.update_set if action == "update" else "delete from {}"
    )
    return sql.SQL("{} where {} = %s").format(
        change.format(sql.Identifier("public", relation.name)),
        sql.Identifier(relation.ward_column),
    )


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("action", ["update", "delete"])
def test_update_and_delete(
    world_conn: Conn, world: World, action: str, relation: str, actor: str
) -> None:
    target = RELATIONS[relation]
    statement = update_or_delete(action, target)
    outcome = run_as(world_conn, world, actor, target, statement, [world.ward_a])
    assert outcome == write_outcome(UPDATED if action == "update" else DELETED, relation, actor)


def test_cross_ward_writes_cannot_move_rows_into_another_ward(
    world_conn: Conn, world: World
) -> None:
    """Ward B's admin cannot file a ward B schedule under ward A, nor pull A's rows to B."""
    with act_as(world_conn, world.actors["ward B admin"]):
        moved = attempt(
            world_conn,
            sql.SQL(
                "update public.cleaning_schedules set ward_branch_id = %s where ward_branch_id = %s"
            ),
            [world.ward_a, world.ward_b],
        )
        pulled = attempt(
            world_conn,
            sql.SQL("update public.ward_members set ward_branch_id = %s where ward_branch_id = %s"),
            [world.ward_b, world.ward_a],
        )
    assert (moved, pulled) == (DENIED, 0)
