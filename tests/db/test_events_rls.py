"""Row Level Security of the events tables, the registrants view and the import RPC, actor
by actor: admins and the service role read and write them; a signed-in non-admin (one who
calls themself admin in user_metadata, and a participant linked to a registered person,
included) sees nothing and changes nothing; anon is refused outright."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

from tests.db.actors import ANON, SERVICE_ROLE, Actor, act_as, make_user, user_actor
from tests.db.events_world import insert_event
from tests.db.grouping_world import insert_participant, scalar

Connection = psycopg.Connection[TupleRow]
WRITERS = {"admin", "service_role"}
ACTORS = ("admin", "service_role", "participant", "user", "self_declared_admin", "anon")


@dataclass(frozen=True)
class EventsWorld:
    """Two events (one closed), two people, the first registered for the open event."""

    event: UUID
    closed_event: UUID
    registered: UUID
    unregistered: UUID
    actors: dict[str, Actor]


@pytest.fixture(scope="module")
def committed_world(database_url: str) -> Iterator[EventsWorld]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        with conn.transaction():
            linked_user = make_user(conn)
            admin = make_user(conn, app_role="admin")
            self_declared = make_user(conn, user_metadata={"role": "admin"})
            registered = insert_participant(conn, full_name="Rina Registered", user_id=linked_user)
            unregistered = insert_participant(conn, full_name="Uri Unregistered")
            event = insert_event(conn, name="RLS dinner")
            closed_event = insert_event(conn, name="RLS past dinner")
            conn.execute(
                "insert into public.event_registrations (event_id, participant_id) values (%s, %s)",
                [event, registered],
            )
            conn.execute("update public.events set status = 'closed' where id = %s", [closed_event])
            actors = {
                "admin": user_actor("admin", admin, app_role="admin"),
                "service_role": SERVICE_ROLE,
                "participant": user_actor("participant", linked_user),
                "user": user_actor("user", make_user(conn)),
                "self_declared_admin": user_actor(
                    "self_declared_admin", self_declared, user_metadata={"role": "admin"}
                ),
                "anon": ANON,
            }
        world = EventsWorld(event, closed_event, registered, unregistered, actors)
        yield world
        users = [actor.user_id for actor in actors.values() if actor.user_id is not None]
        conn.execute("delete from public.events where id = any(%s)", [[event, closed_event]])
        conn.execute(
            "delete from public.participants where id = any(%s)", [[registered, unregistered]]
        )
        conn.execute("delete from auth.users where id = any(%s)", [users])


@pytest.fixture
def world(db: Connection, committed_world: EventsWorld) -> Iterator[EventsWorld]:
    with db.transaction(force_rollback=True):
        yield committed_world


Statement = tuple[str, dict[str, Any]]


def _ids(world: EventsWorld) -> dict[str, Any]:
    return {
        "event": world.event,
        "registered": world.registered,
        "unregistered": world.unregistered,
    }


WRITES: dict[str, dict[str, str]] = {
    "events": {
        "insert": "insert into public.events (name, event_date) values ('New', '2027-01-01')",
        "update": "update public.events set name = 'Renamed' where id = %(event)s",
        "delete": "delete from public.events where id = %(event)s",
    },
    "event_registrations": {
        "insert": "insert into public.event_registrations (event_id, participant_id)"
        " values (%(event)s, %(unregistered)s)",
        "update": "update public.event_registrations set registered_at = now() - interval '1 day'"
        " where event_id = %(event)s and participant_id = %(registered)s",
        "delete": "delete from public.event_registrations"
        " where event_id = %(event)s and participant_id = %(registered)s",
    },
}


def _fingerprint(db: Connection, relation: str) -> str:
    query = sql.SQL(
        "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from public.{} t"
    ).format(sql.Identifier(relation))
    return str(scalar(db, query.as_string(db)))


def _run(db: Connection, world: EventsWorld, actor: str, statement: str) -> int:
    with act_as(db, world.actors[actor], commit=True) as conn:
        return conn.execute(statement.encode(), _ids(world)).rowcount


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("relation", ["events", "event_registrations", "event_registrants"])
def test_select(db: Connection, world: EventsWorld, relation: str, actor: str) -> None:
    owner_count = int(scalar(db, f"select count(*) from public.{relation}"))
    assert owner_count > 0
    if actor == "anon":
        with pytest.raises(psycopg.errors.InsufficientPrivilege), act_as(db, world.actors[actor]):
            db.execute(f"select count(*) from public.{relation}".encode())
        return
    with act_as(db, world.actors[actor]) as conn:
        visible = int(scalar(conn, f"select count(*) from public.{relation}"))
    assert visible == (owner_count if actor in WRITERS else 0)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("command", ["insert", "update", "delete"])
@pytest.mark.parametrize("table", sorted(WRITES))
def test_writes(db: Connection, world: EventsWorld, table: str, command: str, actor: str) -> None:
    before = _fingerprint(db, table)
    statement = WRITES[table][command]
    if actor == "anon":
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run(db, world, actor, statement)
    elif actor in WRITERS:
        assert _run(db, world, actor, statement) == 1
        assert _fingerprint(db, table) != before
        return
    else:
        try:
            touched = _run(db, world, actor, statement)
        except psycopg.errors.InsufficientPrivilege:
            touched = 0
        assert touched == 0
    assert _fingerprint(db, table) == before


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "write",
    [
        "insert into public.event_registrants (event_id) values (null)",
        "update public.event_registrants set full_name = 'x'",
        "delete from public.event_registrants",
    ],
    ids=["insert", "update", "delete"],
)
def test_the_registrants_view_is_read_only(
    db: Connection, world: EventsWorld, actor: str, write: str
) -> None:
    before = _fingerprint(db, "event_registrants")
    refused = (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)
    with pytest.raises(refused), act_as(db, world.actors[actor]):
        db.execute(write.encode())
    assert _fingerprint(db, "event_registrants") == before


@pytest.mark.parametrize("actor", ACTORS)
def test_importing_is_for_admins_and_the_service(
    db: Connection, world: EventsWorld, actor: str
) -> None:
    rows = json.dumps([{"external_id": "rls-import-1", "full_name": "Imported"}])
    call = f"select public.import_registrations('{world.event}', '{rows}'::jsonb)"
    before = [_fingerprint(db, t) for t in ("participants", "event_registrations")]
    if actor in WRITERS:
        _run(db, world, actor, call)
        assert (
            scalar(
                db,
                "select count(*) from public.event_registrants where external_id = %s",
                ["rls-import-1"],
            )
            == 1
        )
        return
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _run(db, world, actor, call)
    assert [_fingerprint(db, t) for t in ("participants", "event_registrations")] == before


@pytest.mark.parametrize("actor", ["participant", "user", "self_declared_admin"])
def test_a_non_admin_cannot_see_whether_an_event_exists(
    db: Connection, world: EventsWorld, actor: str
) -> None:
    # The RPC refuses before it looks: the same 42501 for a real event and for none.
    for event in (world.event, world.closed_event, UUID(int=0)):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _run(db, world, actor, f"select public.import_registrations('{event}', '[]'::jsonb)")
