"""The dashboard views' contents, and what a linked participant can learn about their group."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import act_as
from tests.db.grouping_world import (
    GroupingWorld,
    build_grouping_world,
    insert_participant,
    result_payload,
    save_run,
)

Connection = psycopg.Connection[TupleRow]


@pytest.fixture
def world(db: Connection) -> Iterator[GroupingWorld]:
    with db.transaction(force_rollback=True):
        yield build_grouping_world(db)


def test_run_history_names_the_policy_and_shows_the_headline_figures(
    db: Connection, world: GroupingWorld
) -> None:
    with act_as(db, world.actors["admin"]) as conn:
        row = conn.execute(
            "select policy_name, participant_count, assigned_count, unassigned_count,"
            " group_count, mean_score, min_score, unassigned_by_reason, status"
            " from public.run_history where run_id = %s",
            [world.run],
        ).fetchone()
    assert row == ("active", 3, 2, 1, 1, 0.75, 0.75, {"missing-age": 1}, "succeeded")


def test_run_groups_lists_each_group_with_its_members_names(
    db: Connection, world: GroupingWorld
) -> None:
    with act_as(db, world.actors["admin"]) as conn:
        rows = conn.execute(
            "select group_number, size, member_names, member_ids from public.run_groups"
            " where run_id = %s",
            [world.run],
        ).fetchall()
    # Names sort alphabetically; ids follow their names.
    assert rows == [
        (
            1,
            2,
            ["Dana Linked", "Eli Stranger"],
            [world.linked_participant, world.grouped_stranger],
        )
    ]


def test_run_unassigned_shows_names_and_reasons(db: Connection, world: GroupingWorld) -> None:
    with act_as(db, world.actors["admin"]) as conn:
        rows = conn.execute(
            "select participant_id, full_name, reason, details from public.run_unassigned"
            " where run_id = %s",
            [world.run],
        ).fetchall()
    assert rows == [(world.unassigned_participant, "Gal Unassigned", "missing-age", {"pool": 1})]


def _my_group(db: Connection, world: GroupingWorld, actor: str) -> list[tuple[object, ...]]:
    with act_as(db, world.actors[actor]) as conn:
        return conn.execute(
            "select group_number, group_size, full_name, is_me from public.my_group"
            " order by full_name"
        ).fetchall()


def test_a_linked_participant_sees_their_group_and_its_members_names(
    db: Connection, world: GroupingWorld
) -> None:
    assert _my_group(db, world, "participant") == [
        (1, 2, "Dana Linked", True),
        (1, 2, "Eli Stranger", False),
    ]


def test_my_group_exposes_names_but_no_answers_or_ids(db: Connection) -> None:
    columns = db.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = 'my_group' order by ordinal_position"
    ).fetchall()
    assert [c[0] for c in columns] == [
        "run_id", "group_number", "group_size", "kosher", "age_band", "full_name", "is_me",
    ]  # fmt: skip


@pytest.mark.parametrize("actor", ["admin", "user", "self_declared_admin", "service_role"])
def test_my_group_is_empty_for_anyone_not_linked_to_a_participant(
    db: Connection, world: GroupingWorld, actor: str
) -> None:
    if actor == "service_role":
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _my_group(db, world, actor)
        return
    assert _my_group(db, world, actor) == []


def test_my_group_follows_the_latest_run_that_placed_the_participant(
    db: Connection, world: GroupingWorld
) -> None:
    newcomer = insert_participant(db, full_name="Avi Newcomer")
    db.execute("set local role service_role")
    save_run(
        db,
        policy_id=world.active_policy,
        result=result_payload(
            [
                [world.grouped_stranger, world.free_participants[0]],
                [newcomer, world.linked_participant],
            ]
        ),
    )
    db.execute("reset role")
    assert _my_group(db, world, "participant") == [
        (2, 2, "Avi Newcomer", False),
        (2, 2, "Dana Linked", True),
    ]

    db.execute("set local role service_role")
    save_run(
        db,
        policy_id=world.active_policy,
        result=result_payload(
            [[world.grouped_stranger, newcomer]], [(world.linked_participant, "missing-age")]
        ),
    )
    db.execute("reset role")
    assert _my_group(db, world, "participant") == []
