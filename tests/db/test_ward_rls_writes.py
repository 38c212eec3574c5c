"""Row Level Security of every ward table and view on INSERT, UPDATE and DELETE: who may
write ward A's rows, how many rows each write changes, that refusals leave ward A as it was,
and that no write moves rows from one ward to another."""

from __future__ import annotations

import pytest
from psycopg import sql

from tests.db.actors import act_as
from tests.db.ward_fixtures import Conn
from tests.db.ward_rls_world import (
    ACTOR_NAMES,
    DENIED,
    READ_ONLY,
    RELATIONS,
    Outcome,
    Relation,
    World,
    attempt,
    run_as,
)
from tests.db.ward_rls_world import world as world
from tests.db.ward_rls_world import world_conn as world_conn

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


def write_outcome(table: dict[str, dict[str, int]], relation: str, actor: str) -> Outcome:
    if relation == "member_participation_stats":
        return READ_ONLY
    if relation in NO_WRITE_GRANT or actor == "anon":
        return DENIED
    return table[relation].get(actor, 0)


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
