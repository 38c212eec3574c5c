"""The health tables and doors as each API role, directly as PostgREST would run them:
nobody selects keys or ciphertext; each door checks its caller and writes exactly one audit
row; a member of group 3 gets nothing of group 4 nor of anyone's answers; the audit is
append-only for everyone but the service role; erasure keeps the audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import ANON, SERVICE_ROLE, Actor, act_as, make_user, user_actor
from tests.db.grouping_world import unchecked_run_groups
from tests.db.health_seed import insert_people

Connection = psycopg.Connection[TupleRow]
PEANUT = {"dietary_restrictions": "severe peanut allergy"}
TABLES = ("health_data_keys", "participant_health", "health_access_log")
COLUMN_OF = {
    "health_data_keys": "key_ref",
    "participant_health": "share_with_group",
    "health_access_log": "route",
}


@dataclass(frozen=True)
class World:
    admin: Actor
    three: Actor  # member of group 3
    four: Actor  # member of group 4
    stranger: Actor  # signed in, no participant
    three_id: UUID
    four_id: UUID
    group_three: UUID
    group_four: UUID


def _one(conn: Connection, query: str, params: list[Any]) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def world(db: Connection) -> Iterator[World]:
    admin_id, three_user, four_user, stranger = (make_user(db) for _ in range(4))
    db.execute(
        'update auth.users set raw_app_meta_data = raw_app_meta_data || \'{"role": "admin"}\''
        " where id = %s",
        [admin_id],
    )
    three_id, four_id = insert_people(
        db,
        [
            {"full_name": "Tal Three", "user_id": three_user, "responses": PEANUT},
            {
                "full_name": "Noa Four",
                "user_id": four_user,
                "responses": {"dietary_restrictions": "sesame"},
            },
        ],
    )
    policy = _one(db, "insert into public.grouping_policies (name) values ('p') returning id", [])
    run = _one(
        db,
        "insert into public.runs (policy_id, trigger_source, payload_hash, participant_count,"
        " assigned_count) values (%s, 'api', 'h', 2, 2) returning id",
        [policy],
    )
    groups = []
    # Groups of 4 holding one person each: only who is in which group matters here.
    with unchecked_run_groups(db):
        for number, person in ((3, three_id), (4, four_id)):
            group = _one(
                db,
                "insert into public.groups (run_id, group_number, size, score, kosher,"
                " allergy_summary) values (%s, %s, 4, 0.9, false, %s::jsonb) returning id",
                [run, number, json.dumps({"allergens": {"peanut": "severe"}})],
            )
            db.execute(
                "insert into public.group_members (run_id, group_id, participant_id)"
                " values (%s, %s, %s)",
                [run, group, person],
            )
            groups.append(group)
    yield World(
        admin=user_actor("admin", admin_id, app_role="admin"),
        three=user_actor("three", three_user),
        four=user_actor("four", four_user),
        stranger=user_actor("stranger", stranger),
        three_id=three_id,
        four_id=four_id,
        group_three=groups[0],
        group_four=groups[1],
    )
    db.execute("delete from public.runs where id = %s", [run])
    db.execute("delete from public.grouping_policies where id = %s", [policy])
    db.execute("delete from public.participants where id = any(%s)", [[three_id, four_id]])
    with act_as(db, SERVICE_ROLE, commit=True):
        db.execute("delete from public.health_access_log")
    db.execute(
        "delete from public.health_data_keys where id not in"
        " (select data_key_id from public.participant_health)"
    )
    db.execute(
        "delete from auth.users where id = any(%s)", [[admin_id, three_user, four_user, stranger]]
    )


def _audit_rows(db: Connection) -> int:
    return int(_one(db, "select count(*) from public.health_access_log", []))


def _refused(db: Connection, actor: Actor, query: str, params: list[Any]) -> str | None:
    """The SQLSTATE the call fails with as `actor` (None when it succeeds)."""
    try:
        with act_as(db, actor):
            db.execute(query, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate
    return None


@pytest.mark.parametrize("table", ["health_data_keys", "participant_health"])
def test_no_api_user_reads_keys_or_ciphertext_directly(
    db: Connection, world: World, table: str
) -> None:
    for actor in (world.admin, world.three, world.stranger, ANON):
        assert _refused(db, actor, f"select * from public.{table}", []) == "42501"


def test_admins_list_the_whole_audit_and_a_member_none_of_another_groups(
    db: Connection, world: World
) -> None:
    with act_as(db, world.admin, commit=True):
        db.execute("select public.open_group_allergy_notes('r', %s, 'venue')", [world.group_four])
    everything = _audit_rows(db)
    with act_as(db, world.admin):
        assert _one(db, "select count(*) from public.health_access_log", []) == everything
    for actor in (world.three, world.stranger):
        with act_as(db, actor):
            assert _one(db, "select count(*) from public.health_access_log", []) == 0
    with act_as(db, world.four):
        assert _one(db, "select count(*) from public.health_access_log", []) == 1
    assert _refused(db, ANON, "select * from public.health_access_log", []) == "42501"


@pytest.mark.parametrize("actor_name", ["admin", "three", "stranger"])
@pytest.mark.parametrize("table", TABLES)
def test_no_api_user_writes_the_health_tables_directly(
    db: Connection, world: World, actor_name: str, table: str
) -> None:
    actor = getattr(world, actor_name)
    assert _refused(db, actor, f"delete from public.{table} returning 1", []) == "42501"
    column = COLUMN_OF[table]
    update = f"update public.{table} set {column} = {column} returning 1"
    assert _refused(db, actor, update, []) == "42501"
    insert = f"insert into public.{table} default values returning 1"
    assert _refused(db, actor, insert, []) == "42501"


def test_the_audit_is_append_only_but_for_the_service_role(db: Connection, world: World) -> None:
    with act_as(db, world.admin, commit=True):
        db.execute("select public.open_participant_answers(%s, 'support', 'test')", [world.four_id])
    # The owner is refused too: only the service role may change or remove audit rows.
    for statement in (
        "update public.health_access_log set route = 'x'",
        "delete from public.health_access_log",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), db.transaction():
            db.execute(statement)
    with act_as(db, SERVICE_ROLE):
        db.execute("update public.health_access_log set route = 'retention'")


def test_each_door_writes_exactly_one_audit_row_with_the_actor(
    db: Connection, world: World
) -> None:
    calls = [
        (world.admin, "select public.open_participant_answers(%s, 'venue', 'r')", [world.three_id]),
        (world.three, "select public.open_participant_answers(null, 'self', 'r')", []),
        (world.three, "select public.open_group_allergy_notes('r')", []),
        (
            world.admin,
            "select public.open_group_allergy_notes('r', %s, 'venue')",
            [world.group_four],
        ),
        (world.admin, "select public.open_health_for_run('r', null)", []),
        (world.admin, "select public.open_health_for_import('r', '[]'::jsonb, null)", []),
    ]
    for actor, query, params in calls:
        before = _audit_rows(db)
        with act_as(db, actor, commit=True):
            db.execute(query, params)
        assert _audit_rows(db) == before + 1
        actor_id = _one(
            db, "select actor_id from public.health_access_log order by id desc limit 1", []
        )
        assert actor_id == actor.user_id


def test_group_three_reads_nothing_of_group_four_nor_of_anyones_answers(
    db: Connection, world: World
) -> None:
    before = _audit_rows(db)
    assert (
        _refused(
            db, world.three, "select public.open_group_allergy_notes('r', %s)", [world.group_four]
        )
        == "42501"
    )
    for purpose in ("venue", "support", "self"):
        assert (
            _refused(
                db,
                world.three,
                "select public.open_participant_answers(%s, %s, 'r')",
                [world.four_id, purpose],
            )
            == "42501"
        )
    assert _refused(db, world.three, "select public.open_health_for_run('r', null)", []) == "42501"
    assert (
        _refused(db, world.stranger, "select public.open_group_allergy_notes('r')", []) == "42501"
    )
    assert _refused(db, ANON, "select public.open_group_allergy_notes('r')", []) == "42501"
    assert _audit_rows(db) == before


def test_an_admin_states_a_purpose(db: Connection, world: World) -> None:
    before = _audit_rows(db)
    for purpose in (None, "curiosity", "group-member", "self"):
        code = _refused(
            db,
            world.admin,
            "select public.open_participant_answers(%s, %s, 'r')",
            [world.four_id, purpose],
        )
        assert code in ("HD001", "42501")
    assert _audit_rows(db) == before


def test_a_member_sees_who_has_which_only_with_consent(db: Connection, world: World) -> None:
    with act_as(db, world.three):
        notes = _one(db, "select public.open_group_allergy_notes('r')", [])
    assert notes["group_id"] == str(world.group_three) and notes["shared"] == []
    with act_as(db, world.three, commit=True):
        db.execute("select public.set_allergy_sharing(true)")
    with act_as(db, world.three):
        notes = _one(db, "select public.open_group_allergy_notes('r')", [])
    assert [member["full_name"] for member in notes["shared"]] == ["Tal Three"]


def test_a_participant_lists_who_read_their_data_and_erasure_keeps_it(
    db: Connection, world: World
) -> None:
    with act_as(db, world.admin, commit=True):
        db.execute("select public.open_participant_answers(%s, 'support', 'r')", [world.three_id])
        db.execute("select public.open_participant_answers(%s, 'support', 'r')", [world.four_id])
        db.execute("select public.erase_participant_health(%s, 'r')", [world.three_id])
    with act_as(db, world.three):
        rows = db.execute(
            "select subject, purpose, actor_id from public.health_access_log order by id"
        ).fetchall()
    assert rows == [
        ("answers", "support", world.admin.user_id),
        ("erasure", "erasure", world.admin.user_id),
    ]
    assert (
        _one(
            db,
            "select count(*) from public.participant_health where participant_id = %s",
            [world.three_id],
        )
        == 0
    )
    assert (
        _one(
            db,
            "select count(*) from public.participant_health where participant_id = %s",
            [world.four_id],
        )
        == 1
    )
