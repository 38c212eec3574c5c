"""A saved run of two groups to edit, and the calls and reads the run edit tests share.

The run is saved by the service role as a run of the CLI, inside a transaction rolled
back after each test, so every test edits the same fresh run (groups of four, sizes 3-5
allowed) with the same actors; one person stays outside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import make_user
from tests.db.grouping_world import (
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
        run = save_run(db, policy, OPTIONS, result_payload([people[:4], people[4:]]))
        yield EditWorld(run, (people[:4], people[4:]), outsider, grouping_actors(db, make_user(db)))


def save_run(
    db: Connection,
    policy: UUID,
    options: dict[str, Any],
    payload: dict[str, Any],
    event: UUID | None = None,
) -> UUID:
    """The run `payload` saved as the service role would save a CLI run with `options`."""
    db.execute("set local role service_role")
    run: UUID = scalar(
        db,
        "select public.save_grouping_run(null, %s, %s::jsonb, %s::jsonb, null, %s)",
        [
            policy,
            json.dumps({"trigger_source": "cli", "options": options}),
            json.dumps(payload),
            event,
        ],
    )
    db.execute("reset role")
    return run


def group(number: int, members: list[UUID], score: float = 0.5) -> dict[str, Any]:
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


def edit_groups(
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


def moved(world: EditWorld) -> list[dict[str, Any]]:
    """Group 1's first person moved into group 2 (sizes 3 and 5, both allowed)."""
    first, second = world.groups
    return [group(1, first[1:]), group(2, [*second, first[0]])]


def group_id(db: Connection, world: EditWorld, number: int) -> UUID:
    query = "select id from public.groups where run_id = %s and group_number = %s"
    found: UUID = scalar(db, query, [world.run, number])
    return found


def members_by_group(db: Connection, world: EditWorld) -> dict[int, set[UUID]]:
    rows = db.execute(
        "select group_number, member_ids from public.run_groups where run_id = %s", [world.run]
    ).fetchall()
    return {number: set(ids) for number, ids in rows}


def sqlstate_of(error: pytest.ExceptionInfo[psycopg.Error]) -> str | None:
    return error.value.sqlstate
