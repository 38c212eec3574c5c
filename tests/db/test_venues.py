"""public.venues and venue assignments: admins only, canonical allergens, the plan's rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

from engine.venues.models import CANONICAL_ALLERGENS
from tests.db.actors import act_as
from tests.db.grouping_world import (
    ACTOR_NAMES,
    GroupingWorld,
    build_grouping_world,
    scalar,
    unchecked_run_groups,
)

Connection = psycopg.Connection[TupleRow]
WRITERS = {"admin", "service_role"}
# The spec's list (spec/grouping.md, Allergies), typed here from the spec.
SPEC_ALLERGENS = {
    "peanut", "tree_nut", "sesame", "milk", "egg", "fish", "shellfish", "soy", "gluten",
    "mustard", "celery", "lupin", "sulphite", "mollusc",
}  # fmt: skip


@pytest.fixture
def world(db: Connection) -> Iterator[GroupingWorld]:
    # Built and used in one transaction, rolled back after the test.
    with db.transaction(force_rollback=True):
        yield build_grouping_world(db)


def add_venue(conn: Connection, **columns: Any) -> UUID:
    values = {"name": "Alma", "group_capacity": 2, "seat_capacity": 12, **columns}
    query = sql.SQL("insert into public.venues ({}) values ({}) returning id").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in values),
        sql.SQL(", ").join(sql.Placeholder() for _ in values),
    )
    row = conn.execute(query, list(values.values())).fetchone()
    assert row is not None
    venue_id: UUID = row[0]
    return venue_id


def test_the_database_knows_the_spec_allergens(db: Connection) -> None:
    keys = scalar(db, "select private.canonical_allergens()")
    assert set(keys) == SPEC_ALLERGENS == set(CANONICAL_ALLERGENS)


@pytest.mark.parametrize(
    ("columns", "valid"),
    [
        ({"keeps_out": ["peanut", "sesame"]}, True),
        ({"keeps_out": ["kiwi"]}, False),
        ({"keeps_out": ["other:kiwi"]}, False),
        ({"keeps_out": ["peanut", "peanut"]}, False),
        ({"keeps_out": ["peanut", None]}, False),
        ({"group_capacity": 0}, False),
        ({"seat_capacity": 0}, False),
        ({"cost": -1}, False),
        ({"name": "  "}, False),
        ({"area": ""}, False),
    ],
)
def test_venue_checks_follow_the_engine_model(
    db: Connection, world: GroupingWorld, columns: dict[str, Any], valid: bool
) -> None:
    admin = world.actors["admin"]
    if valid:
        with act_as(db, admin):
            add_venue(db, **columns)
        return
    with pytest.raises(psycopg.errors.CheckViolation), act_as(db, admin):
        add_venue(db, **columns)


@pytest.mark.parametrize("actor", ACTOR_NAMES)
def test_only_admins_and_the_service_see_and_write_venues(
    db: Connection, world: GroupingWorld, actor: str
) -> None:
    venue = add_venue(db)
    who = world.actors[actor]
    if actor == "anon":
        with pytest.raises(psycopg.errors.InsufficientPrivilege), act_as(db, who) as conn:
            conn.execute("select count(*) from public.venues")
        return
    with act_as(db, who) as conn:
        seen = scalar(conn, "select count(*) from public.venues")
    assert seen == (1 if actor in WRITERS else 0)
    with act_as(db, who, commit=True) as conn:
        conn.execute("update public.venues set name = 'Renamed' where id = %s", [venue])
    renamed = scalar(db, "select name = 'Renamed' from public.venues where id = %s", [venue])
    assert renamed == (actor in WRITERS)
    if actor not in WRITERS:
        with pytest.raises(psycopg.errors.InsufficientPrivilege), act_as(db, who):
            add_venue(db)


def _plan(conn: Connection, run: UUID) -> None:
    conn.execute(
        "insert into public.venue_plans (run_id, plan, placed_count, unplaced_count, optimal)"
        " values (%s, '{}', 0, 0, true)",
        [run],
    )


def _assign(conn: Connection, run: UUID, group: UUID, venue: UUID) -> None:
    conn.execute(
        "insert into public.venue_assignments (run_id, group_id, venue_id) values (%s, %s, %s)",
        [run, group, venue],
    )


def _set_group(db: Connection, group: UUID, *, kosher: bool, severe: list[str]) -> None:
    summary = {"allergens": dict.fromkeys(severe, "severe"), "severe": severe}
    db.execute(
        "update public.groups set kosher = %s, allergy_summary = %s where id = %s",
        [kosher, json.dumps(summary), group],
    )


@pytest.mark.parametrize(
    ("group", "venue", "valid"),
    [
        ({"kosher": True, "severe": []}, {"kosher": True}, True),
        ({"kosher": True, "severe": []}, {"kosher": False}, False),
        ({"kosher": False, "severe": ["sesame"]}, {"keeps_out": ["sesame", "milk"]}, True),
        ({"kosher": False, "severe": ["sesame"]}, {"keeps_out": ["milk"]}, False),
        ({"kosher": False, "severe": []}, {"active": False}, False),
        ({"kosher": False, "severe": []}, {"seat_capacity": 1}, False),
    ],
)
def test_an_assignment_written_directly_keeps_the_rules(
    db: Connection,
    world: GroupingWorld,
    group: dict[str, Any],
    venue: dict[str, Any],
    valid: bool,
) -> None:
    _set_group(db, world.group, **group)
    venue_id = add_venue(db, **venue)
    _plan(db, world.run)
    admin = world.actors["admin"]
    if valid:
        with act_as(db, admin):
            _assign(db, world.run, world.group, venue_id)
        return
    with pytest.raises(psycopg.errors.CheckViolation), act_as(db, admin):
        _assign(db, world.run, world.group, venue_id)


def test_a_venue_takes_no_more_groups_than_it_has(db: Connection, world: GroupingWorld) -> None:
    _set_group(db, world.group, kosher=False, severe=[])
    venue_id = add_venue(db, group_capacity=1, seat_capacity=100)
    _plan(db, world.run)
    with unchecked_run_groups(db):  # a second group for the run, without its people
        other = scalar(
            db,
            "insert into public.groups (run_id, group_number, size, score, kosher)"
            " values (%s, 99, 4, 0.5, false) returning id",
            [world.run],
        )
    _assign(db, world.run, world.group, venue_id)
    with pytest.raises(psycopg.errors.CheckViolation), act_as(db, world.actors["admin"]):
        _assign(db, world.run, other, venue_id)


def test_a_member_sees_only_their_own_groups_venue(db: Connection, world: GroupingWorld) -> None:
    _set_group(db, world.group, kosher=False, severe=[])
    venue_id = add_venue(db, name="Alma", area="north", cost=99)
    _plan(db, world.run)
    _assign(db, world.run, world.group, venue_id)
    with act_as(db, world.actors["participant"]) as conn:
        rows = conn.execute("select venue_name, area, kosher from public.my_group_venue").fetchall()
        # The member reads neither the venue itself nor the assignment.
        assert scalar(conn, "select count(*) from public.venues") == 0
        assert scalar(conn, "select count(*) from public.venue_assignments") == 0
    assert rows == [("Alma", "north", False)]
    with act_as(db, world.actors["user"]) as conn:
        assert conn.execute("select * from public.my_group_venue").fetchall() == []
    with pytest.raises(psycopg.errors.InsufficientPrivilege), act_as(db, world.actors["anon"]):
        db.execute("select * from public.my_group_venue")
