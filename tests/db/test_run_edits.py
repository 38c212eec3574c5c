"""Manual edits of a run in the database (migration: edit_run_groups): the RPC's own
checks, what it writes and what undo restores. Who may write the log and the groups
directly is in test_run_edit_writes.py.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from tests.db.actors import act_as
from tests.db.grouping_world import ACTOR_NAMES
from tests.db.run_edits_world import Connection, EditWorld
from tests.db.run_edits_world import edit_groups as _edit
from tests.db.run_edits_world import group as _group
from tests.db.run_edits_world import members_by_group as _members
from tests.db.run_edits_world import moved as _moved
from tests.db.run_edits_world import sqlstate_of as _code
from tests.db.run_edits_world import world as world


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
