"""Who writes a run's edits and groups (migration: run_edits, edit_run_groups): the
audit table's RLS actor by actor, and direct writes of a saved run's groups refused for
every writer, so the RPC (test_run_edits.py) stays the only way a group changes.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.db.actors import act_as
from tests.db.grouping_world import ACTOR_NAMES, scalar
from tests.db.run_edits_world import Connection, EditWorld
from tests.db.run_edits_world import edit_groups as _edit
from tests.db.run_edits_world import members_by_group as _members
from tests.db.run_edits_world import moved as _moved
from tests.db.run_edits_world import sqlstate_of as _code
from tests.db.run_edits_world import world as world


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_the_edit_log_is_read_by_admins_and_written_by_nobody(
    db: Connection, world: EditWorld, actor: str
) -> None:
    with act_as(db, world.actors["admin"], commit=True) as conn:
        _edit(conn, world, _moved(world))
    writes = [
        "update public.run_edits set kind = 'swap'",
        "delete from public.run_edits",
        "insert into public.run_edits (run_id, seq, kind, before, after, actor)"
        f" values ('{world.run}', 9, 'move', '{{}}', '{{}}', gen_random_uuid())",
    ]
    for write in writes:
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            act_as(db, world.actors[actor]) as conn,
        ):
            conn.execute(write.encode())
    assert scalar(db, "select count(*) from public.run_edits where run_id = %s", [world.run]) == 1
    if actor == "anon":
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            act_as(db, world.actors[actor]) as conn,
        ):
            conn.execute("select count(*) from public.run_edits")
        return
    with act_as(db, world.actors[actor]) as conn:
        seen = scalar(conn, "select count(*) from public.run_edits where run_id = %s", [world.run])
    assert seen == (1 if actor in ("admin", "service_role") else 0)


def test_a_signed_in_admin_cannot_write_a_saved_runs_groups_directly(
    db: Connection, world: EditWorld
) -> None:
    first, second = world.groups
    group_two = scalar(
        db, "select id from public.groups where run_id = %s and group_number = 2", [world.run]
    )
    writes = [
        (
            "update public.group_members set group_id = %s where participant_id = %s",
            [group_two, first[0]],
        ),
        ("delete from public.group_members where participant_id = %s", [first[0]]),
        ("update public.groups set size = 5 where run_id = %s", [world.run]),
        ("delete from public.groups where run_id = %s", [world.run]),
    ]
    for query, params in writes:
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            act_as(db, world.actors["admin"]) as conn,
        ):
            conn.execute(query.encode(), params)
    assert _members(db, world) == {1: set(first), 2: set(second)}


def test_no_writer_may_leave_a_group_off_its_size_or_a_person_out(
    db: Connection, world: EditWorld
) -> None:
    first, second = world.groups
    group_one = scalar(
        db, "select id from public.groups where run_id = %s and group_number = 1", [world.run]
    )
    group_two = scalar(
        db, "select id from public.groups where run_id = %s and group_number = 2", [world.run]
    )
    service = world.actors["service_role"]
    writes: list[tuple[str, list[Any], Any]] = [
        # Moved without its groups' sizes: the sizes no longer match.
        (
            "update public.group_members set group_id = %s where participant_id = %s",
            [group_two, first[0]],
            service,
        ),
        ("delete from public.group_members where participant_id = %s", [first[0]], service),
        (
            "insert into public.group_members (run_id, group_id, participant_id)"
            " values (%s, %s, %s)",
            [world.run, group_one, world.outsider],
            service,
        ),
        # An admin's direct insert into a saved run (insert stays granted for saves).
        (
            "insert into public.group_members (run_id, group_id, participant_id)"
            " values (%s, %s, %s)",
            [world.run, group_one, world.outsider],
            world.actors["admin"],
        ),
        # The size column alone, checked at commit (here: at `set constraints`).
        ("update public.groups set size = 5 where id = %s", [group_one], service),
    ]
    for query, params, actor in writes:
        with pytest.raises(psycopg.Error) as refused, act_as(db, actor) as conn:
            conn.execute(query.encode(), params)
            conn.execute("set constraints all immediate")
        assert _code(refused) == "GR011", query
    assert _members(db, world) == {1: set(first), 2: set(second)}
