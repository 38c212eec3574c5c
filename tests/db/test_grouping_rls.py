"""Row Level Security of the grouping tables, views and RPCs, actor by actor.

Each write runs as the actor and is committed to the test's outer transaction,
then the owner compares the table with its state before: admins (and the
service role) change it; everyone else changes nothing and sees nothing, except
a linked participant, who sees their own participant row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

from tests.db.actors import act_as
from tests.db.grouping_world import (
    ACTOR_NAMES,
    GroupingWorld,
    build_grouping_world,
    delete_grouping_world,
    result_payload,
    scalar,
)

Connection = psycopg.Connection[TupleRow]
Statement = tuple[str, list[Any]]
WRITERS = {"admin", "service_role"}


@dataclass(frozen=True)
class TableCase:
    name: str
    target: Callable[[GroupingWorld], Statement]  # where-clause picking one row
    insert: Callable[[GroupingWorld], Statement]
    change: str  # set-clause of the update


TABLES = {
    case.name: case
    for case in (
        TableCase(
            "grouping_policies",
            lambda w: ("id = %s", [w.spare_policy]),
            lambda w: ("(name) values ('new policy')", []),
            "name = 'renamed'",
        ),
        TableCase(
            "participants",
            lambda w: ("id = %s", [w.free_participants[0]]),
            lambda w: ("(full_name) values ('New Person')", []),
            "full_name = 'Renamed'",
        ),
        TableCase(
            "runs",
            lambda w: ("id = %s", [w.run]),
            lambda w: (
                "(policy_id, trigger_source, payload_hash) values (%s, 'cli', 'h')",
                [w.active_policy],
            ),
            "engine_version = 'tampered'",
        ),
        TableCase(
            "groups",
            lambda w: ("id = %s", [w.group]),
            lambda w: (
                "(run_id, group_number, size, score, kosher) values (%s, 7, 2, 0.5, false)",
                [w.run],
            ),
            "age_band = 'tampered'",
        ),
        TableCase(
            "group_members",
            lambda w: ("run_id = %s and participant_id = %s", [w.run, w.grouped_stranger]),
            lambda w: (
                "(run_id, group_id, participant_id) values (%s, %s, %s)",
                [w.run, w.group, w.free_participants[0]],
            ),
            "participant_id = (select id from public.participants where full_name = 'Free Two')",
        ),
        TableCase(
            "unassigned_queue",
            lambda w: ("run_id = %s and participant_id = %s", [w.run, w.unassigned_participant]),
            lambda w: (
                "(run_id, participant_id, reason) values (%s, %s, 'missing-age')",
                [w.run, w.free_participants[1]],
            ),
            "reason = 'invalid-profile'",
        ),
    )
}
DASHBOARD_VIEWS = ("run_history", "run_groups", "run_unassigned")
# A saved run's groups change only through edit_run_groups: signed-in callers may not
# update or delete them, and no writer may add a group, or add, drop or double a member
# (GR011).
SAVED_RUN_WRITERS = {
    ("groups", "insert"): set(),
    ("groups", "update"): {"service_role"},
    ("groups", "delete"): set(),
    ("group_members", "insert"): set(),
    ("group_members", "update"): {"service_role"},
    ("group_members", "delete"): set(),
}


@pytest.fixture(scope="module")
def committed_world(database_url: str) -> Iterator[GroupingWorld]:
    # Built once for the module's few hundred cases; each case rolls back its writes.
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.transaction():
            world = build_grouping_world(conn)
        yield world
        delete_grouping_world(conn, world)


@pytest.fixture
def world(db: Connection, committed_world: GroupingWorld) -> Iterator[GroupingWorld]:
    with db.transaction(force_rollback=True):
        yield committed_world


def _fingerprint(db: Connection, relation: str) -> str:
    query = sql.SQL(
        "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from public.{} t"
    ).format(sql.Identifier(relation))
    return str(scalar(db, query.as_string(db)))


def _visible_rows(relation: str, actor: str, owner_count: int) -> int:
    if actor in WRITERS:
        return owner_count
    return 1 if (actor, relation) == ("participant", "participants") else 0


def _run_write(db: Connection, world: GroupingWorld, actor: str, statement: Statement) -> int:
    """Rows the actor's statement touched; raises when refused outright."""
    query, params = statement
    with act_as(db, world.actors[actor], commit=True) as conn:
        return conn.execute(query.encode(), params).rowcount


def _assert_write_outcome(
    db: Connection,
    world: GroupingWorld,
    relation: str,
    actor: str,
    statement: Statement,
    writers: set[str] = WRITERS,
) -> None:
    before = _fingerprint(db, relation)
    if actor == "anon":
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run_write(db, world, actor, statement)
        assert _fingerprint(db, relation) == before
        return
    if actor in writers:
        assert _run_write(db, world, actor, statement) == 1
        assert _fingerprint(db, relation) != before
        return
    try:
        touched = _run_write(db, world, actor, statement)
    except psycopg.errors.InsufficientPrivilege:
        touched = 0
    except psycopg.DatabaseError as error:
        assert error.sqlstate == "GR011"
        touched = 0
    assert touched == 0
    assert _fingerprint(db, relation) == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("relation", [*TABLES, *DASHBOARD_VIEWS])
def test_select(db: Connection, world: GroupingWorld, relation: str, actor: str) -> None:
    owner_count = int(scalar(db, f"select count(*) from public.{relation}"))
    assert owner_count > 0
    if actor == "anon":
        with pytest.raises(psycopg.errors.InsufficientPrivilege), act_as(db, world.actors[actor]):
            db.execute(f"select count(*) from public.{relation}".encode())
        return
    with act_as(db, world.actors[actor]) as conn:
        visible = int(scalar(conn, f"select count(*) from public.{relation}"))
    assert visible == _visible_rows(relation, actor, owner_count)


def test_a_participant_sees_only_their_own_participant_row(
    db: Connection, world: GroupingWorld
) -> None:
    with act_as(db, world.actors["participant"]) as conn:
        rows = conn.execute("select id, responses from public.participants").fetchall()
    assert rows == [(world.linked_participant, {"diet": "vegan"})]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("table", TABLES)
def test_insert(db: Connection, world: GroupingWorld, table: str, actor: str) -> None:
    values, params = TABLES[table].insert(world)
    statement = (f"insert into public.{table} {values}", params)
    writers = SAVED_RUN_WRITERS.get((table, "insert"), WRITERS)
    _assert_write_outcome(db, world, table, actor, statement, writers)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("table", TABLES)
def test_update(db: Connection, world: GroupingWorld, table: str, actor: str) -> None:
    case = TABLES[table]
    where, params = case.target(world)
    statement = (f"update public.{table} set {case.change} where {where}", params)
    writers = SAVED_RUN_WRITERS.get((table, "update"), WRITERS)
    _assert_write_outcome(db, world, table, actor, statement, writers)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("table", TABLES)
def test_delete(db: Connection, world: GroupingWorld, table: str, actor: str) -> None:
    where, params = TABLES[table].target(world)
    statement = (f"delete from public.{table} where {where}", params)
    writers = SAVED_RUN_WRITERS.get((table, "delete"), WRITERS)
    _assert_write_outcome(db, world, table, actor, statement, writers)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
@pytest.mark.parametrize("view", [*DASHBOARD_VIEWS, "my_group"])
@pytest.mark.parametrize(
    "write",
    [
        "insert into public.{} (run_id) values (null)",
        "update public.{} set run_id = null",
        "delete from public.{}",
    ],
    ids=["insert", "update", "delete"],
)
def test_views_are_read_only_for_everyone(
    db: Connection, world: GroupingWorld, view: str, actor: str, write: str
) -> None:
    before = _fingerprint(db, view)
    # Refused either for lack of privilege or because a join view is not updatable
    # (PostgreSQL checks the latter first).
    refused = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)
    with pytest.raises(refused), act_as(db, world.actors[actor]):
        db.execute(write.format(view).encode())
    assert _fingerprint(db, view) == before


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_activating_a_policy_is_for_admins_and_the_service(
    db: Connection, world: GroupingWorld, actor: str
) -> None:
    call = ("select public.activate_grouping_policy(%s)", [world.spare_policy])
    if actor in WRITERS:
        _run_write(db, world, actor, call)
        expected = world.spare_policy
    else:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run_write(db, world, actor, call)
        expected = world.active_policy
    active = db.execute("select id from public.grouping_policies where is_active").fetchall()
    assert active == [(expected,)]


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_saving_a_run_is_for_admins_and_the_service(
    db: Connection, world: GroupingWorld, actor: str
) -> None:
    payload = result_payload([world.free_participants])
    call = (
        "select public.save_grouping_run(null, %s, '{}'::jsonb, %s::jsonb)",
        [world.active_policy, json.dumps(payload)],
    )
    runs_before = int(scalar(db, "select count(*) from public.runs"))
    if actor in WRITERS:
        _run_write(db, world, actor, call)
        assert scalar(db, "select count(*) from public.runs") == runs_before + 1
        return
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _run_write(db, world, actor, call)
    assert scalar(db, "select count(*) from public.runs") == runs_before
