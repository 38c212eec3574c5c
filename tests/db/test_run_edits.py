"""Manual edits of a run in the database (migration: run_edits, edit_run_groups): the
audit table's RLS actor by actor, the RPC's own checks, and direct writes of a saved
run's groups refused for every writer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import act_as, make_user
from tests.db.grouping_world import (
    ACTOR_NAMES,
    grouping_actors,
    insert_participant,
    insert_policy,
    result_payload,
    scalar,
)

Connection = psycopg.Connection[TupleRow]
OPTIONS = {"min_group_size": 3, "target_group_size": 5}


@dataclass(frozen=True)
class EditWorld:
    run: UUID
    groups: tuple[list[UUID], list[UUID]]
    outsider: UUID
    actors: dict[str, Any]


@pytest.fixture
def world(db: Connection) -> Iterator[EditWorld]:
    with db.transaction(force_rollback=True):
        people = [insert_participant(db, full_name=f"Person {n}") for n in range(8)]
        outsider = insert_participant(db, full_name="Not In The Run")
        policy = insert_policy(db, name="edits", active=True)
        payload = result_payload([people[:4], people[4:]])
        db.execute("set local role service_role")
        run: UUID = scalar(
            db,
            "select public.save_grouping_run(null, %s, %s::jsonb, %s::jsonb)",
            [
                policy,
                json.dumps({"trigger_source": "cli", "options": OPTIONS}),
                json.dumps(payload),
            ],
        )
        db.execute("reset role")
        yield EditWorld(run, (people[:4], people[4:]), outsider, grouping_actors(db, make_user(db)))


def _group(number: int, members: list[UUID], score: float = 0.5) -> dict[str, Any]:
    return {
        "number": number,
        "members": [str(m) for m in members],
        "score": score,
        "kosher": False,
        "age_band": None,
        "age_range": None,
        "diets": {},
        "allergy_summary": {},
    }


def _edit(
    conn: Connection,
    world: EditWorld,
    groups: list[dict[str, Any]],
    *,
    kind: str = "move",
    seq: int = 0,
    edit: dict[str, Any] | None = None,
) -> int:
    """edit_run_groups as `conn`'s actor; a move is group 1's first person into group 2."""
    if edit is None:
        edit = {"participant_id": str(world.groups[0][0]), "to_group": 2} if kind == "move" else {}
    return int(
        scalar(
            conn,
            "select public.edit_run_groups(%s, %s, %s, %s::jsonb, %s::jsonb)",
            [world.run, seq, kind, json.dumps(edit), json.dumps(groups)],
        )
    )


def _moved(world: EditWorld) -> list[dict[str, Any]]:
    """Group 1's first person moved into group 2 (sizes 3 and 5, both allowed)."""
    first, second = world.groups
    return [_group(1, first[1:]), _group(2, [*second, first[0]])]


def _group_id(db: Connection, world: EditWorld, number: int) -> UUID:
    query = "select id from public.groups where run_id = %s and group_number = %s"
    found: UUID = scalar(db, query, [world.run, number])
    return found


def _members(db: Connection, world: EditWorld) -> dict[int, set[UUID]]:
    rows = db.execute(
        "select group_number, member_ids from public.run_groups where run_id = %s", [world.run]
    ).fetchall()
    return {number: set(ids) for number, ids in rows}


def _code(error: pytest.ExceptionInfo[psycopg.Error]) -> str | None:
    return error.value.sqlstate


def test_an_admin_edit_moves_the_person_and_is_audited_without_allergies(
    db: Connection, world: EditWorld
) -> None:
    admin = world.actors["admin"]
    with act_as(db, admin, commit=True) as conn:
        assert _edit(conn, world, _moved(world)) == 1
    first, second = world.groups
    assert _members(db, world) == {1: set(first[1:]), 2: {*second, first[0]}}
    sizes = db.execute(
        "select group_number, size, score from public.groups where run_id = %s order by 1",
        [world.run],
    ).fetchall()
    assert sizes == [(1, 3, 0.5), (2, 5, 0.5)]
    row = db.execute(
        "select actor, kind, before, after from public.run_edits where run_id = %s", [world.run]
    ).fetchone()
    assert row is not None
    actor, kind, before, after = row
    assert (actor, kind) == (admin.user_id, "move")
    assert before["1"]["members"] == sorted(str(m) for m in first)
    assert before["1"]["score"] == 0.75  # as saved by the run
    # The saved groups carry a severe peanut allergy: the audit names no allergen.
    assert "peanut" not in json.dumps([before, after])
    assert "allergy_summary" not in before["1"]


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "admin"])
def test_only_an_admin_may_call_the_rpc(db: Connection, world: EditWorld, actor: str) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        act_as(db, world.actors[actor]) as conn,
    ):
        _edit(conn, world, _moved(world))
    assert _members(db, world) == {1: set(world.groups[0]), 2: set(world.groups[1])}


def test_a_stale_version_other_people_and_sizes_out_of_bounds_are_refused(
    db: Connection, world: EditWorld
) -> None:
    first, second = world.groups
    cases = [
        (_moved(world), 1, "GR010"),  # the run has no edit 1 yet
        ([_group(1, [*first[1:], world.outsider]), _group(2, second)], 0, "GR011"),
        ([_group(1, first[2:]), _group(2, [*second, *first[:2]])], 0, "GR011"),  # 2 and 6
        ([_group(1, first), _group(1, first)], 0, "GR011"),  # a group named twice
        ([_group(9, first)], 0, "GR011"),  # no such group
    ]
    for groups, seq, code in cases:
        with pytest.raises(psycopg.Error) as refused, act_as(db, world.actors["admin"]) as conn:
            _edit(conn, world, groups, seq=seq)
        assert _code(refused) == code, groups
    assert _members(db, world) == {1: set(first), 2: set(second)}


def test_the_groups_written_are_the_edit_named(db: Connection, world: EditWorld) -> None:
    first, second = world.groups
    swapped = [_group(1, [second[0], *first[1:]]), _group(2, [first[0], *second[1:]])]
    mismatched: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = [
        # The groups move someone else than the edit says, or elsewhere.
        ("move", {"participant_id": str(first[1]), "to_group": 2}, _moved(world)),
        ("move", {"participant_id": str(first[0]), "to_group": 1}, _moved(world)),
        # A "move" that is a swap, and a swap of other people than the groups trade.
        ("move", {"participant_id": str(first[0]), "to_group": 2}, swapped),
        ("swap", {"first": str(first[1]), "second": str(second[0])}, swapped),
        ("swap", {"first": str(first[0]), "second": str(second[0])}, _moved(world)),
    ]
    for kind, edit, groups in mismatched:
        with pytest.raises(psycopg.Error) as refused, act_as(db, world.actors["admin"]) as conn:
            _edit(conn, world, groups, kind=kind, edit=edit)
        assert _code(refused) == "GR011", (kind, edit)
    swap = {"first": str(first[0]), "second": str(second[0])}
    with act_as(db, world.actors["admin"], commit=True) as conn:
        assert _edit(conn, world, swapped, kind="swap", edit=swap) == 1
    assert _members(db, world) == {1: {second[0], *first[1:]}, 2: {first[0], *second[1:]}}


def test_undo_must_restore_its_edit_exactly_and_restores_the_saved_scores(
    db: Connection, world: EditWorld
) -> None:
    admin = world.actors["admin"]
    first, second = world.groups
    with act_as(db, admin, commit=True) as conn:
        _edit(conn, world, _moved(world))
    with (
        pytest.raises(psycopg.Error) as refused,
        act_as(db, admin) as conn,
    ):  # not the state before edit 1
        swapped = [_group(1, [*first[1:], second[0]]), _group(2, [*second[1:], first[0]])]
        _edit(conn, world, swapped, kind="undo", seq=1)
    assert _code(refused) == "GR011"
    with act_as(db, admin, commit=True) as conn:
        restored = [_group(1, first, score=0.1), _group(2, second, score=0.1)]
        assert _edit(conn, world, restored, kind="undo", seq=1) == 2
    assert _members(db, world) == {1: set(first), 2: set(second)}
    scores = db.execute("select score from public.groups where run_id = %s", [world.run]).fetchall()
    assert scores == [(0.75,), (0.75,)]
    with pytest.raises(psycopg.Error) as nothing, act_as(db, admin) as conn:
        _edit(conn, world, restored, kind="undo", seq=2)
    assert _code(nothing) == "GR012"


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
