"""Row Level Security of every ward table and view on SELECT: the rows each actor sees of
ward A and of ward B, and never a third ward's."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from tests.db.actors import act_as
from tests.db.ward_fixtures import Conn
from tests.db.ward_rls_world import ACTOR_NAMES, DENIED, RELATIONS, World
from tests.db.ward_rls_world import world as world
from tests.db.ward_rls_world import world_conn as world_conn

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


def read_outcome(relation: str, actor: str) -> object:
    if actor == "anon":
        return DENIED
    if actor not in WARD_ACTORS:
        return (0, 0)
    return SEEN[relation][WARD_ACTORS.index(actor)]


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
