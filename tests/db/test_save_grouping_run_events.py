"""save_grouping_run with an event (0020): the run keeps its event, a closed event is not
grouped again (EV003) though a replay still answers, and a call without an event is as it
was before events (0018)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import SERVICE_ROLE, act_as
from tests.db.events_world import EventCast
from tests.db.events_world import event_cast as event_cast
from tests.db.grouping_world import insert_policy, result_payload, scalar

Connection = psycopg.Connection[TupleRow]


def _people(cast: EventCast, count: int) -> list[UUID]:
    cast.import_rows([cast.person(n) for n in range(count)])
    rows = cast.db.execute(
        "select id from public.participants where external_id like %s order by external_id",
        [cast.prefix + "%"],
    ).fetchall()
    return [row[0] for row in rows]


def _save(
    conn: Connection,
    policy: UUID,
    result: dict[str, Any],
    *,
    event: UUID | None,
    key: str | None = None,
) -> UUID:
    run_id: UUID = scalar(
        conn,
        "select public.save_grouping_run(idempotency_key => %s, policy_id => %s,"
        ' run => \'{"trigger_source": "api"}\', result => %s::jsonb, event_id => %s)',
        [key, policy, json.dumps(result), event],
    )
    return run_id


def test_a_run_of_an_event_keeps_its_event(event_cast: EventCast) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    people = _people(event_cast, 4)
    with act_as(db, event_cast.admin, commit=True) as conn:
        run = _save(conn, policy, result_payload([people]), event=event_cast.event)
    assert scalar(db, "select event_id from public.runs where id = %s", [run]) == event_cast.event
    assert (
        scalar(db, "select event_id from public.run_history where run_id = %s", [run])
        == event_cast.event
    )
    db.execute("delete from public.runs where id = %s", [run])
    db.execute("delete from public.grouping_policies where id = %s", [policy])


def test_a_call_without_an_event_is_as_before(event_cast: EventCast) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    people = _people(event_cast, 4)
    with act_as(db, SERVICE_ROLE) as conn:
        # The positional four- and five-argument forms of 0005 and 0018.
        four = scalar(
            conn,
            "select public.save_grouping_run(null, %s, '{}', %s::jsonb)",
            [policy, json.dumps(result_payload([people]))],
        )
        five = scalar(
            conn,
            "select public.save_grouping_run('k5', %s, '{}', %s::jsonb, 'hash')",
            [policy, json.dumps(result_payload([people]))],
        )
        assert conn.execute(
            "select event_id from public.runs where id = any(%s)", [[four, five]]
        ).fetchall() == [(None,), (None,)]


@pytest.mark.parametrize("caller", ["admin", "service_role"])
def test_a_closed_event_cannot_be_grouped(event_cast: EventCast, caller: str) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    people = _people(event_cast, 4)
    db.execute("update public.events set status = 'closed' where id = %s", [event_cast.event])
    actor = event_cast.admin if caller == "admin" else SERVICE_ROLE
    for key in ("after-close", None):
        with pytest.raises(psycopg.Error) as raised, act_as(db, actor) as conn:
            _save(conn, policy, result_payload([people]), event=event_cast.event, key=key)
        assert raised.value.sqlstate == "EV003"
    assert scalar(db, "select count(*) from public.runs where policy_id = %s", [policy]) == 0
    db.execute("delete from public.grouping_policies where id = %s", [policy])


def test_a_replay_of_a_run_saved_before_the_event_closed_still_answers_it(
    event_cast: EventCast,
) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    people = _people(event_cast, 4)
    key = f"before-close-{uuid4()}"
    with act_as(db, event_cast.admin, commit=True) as conn:
        first = _save(conn, policy, result_payload([people]), event=event_cast.event, key=key)
    db.execute("update public.events set status = 'closed' where id = %s", [event_cast.event])
    with act_as(db, event_cast.admin) as conn:
        again = _save(conn, policy, result_payload([people]), event=event_cast.event, key=key)
    assert again == first
    # The same key for the same result of another event is another request.
    other = event_cast.add_event()
    with pytest.raises(psycopg.Error) as raised, act_as(db, event_cast.admin) as conn:
        _save(conn, policy, result_payload([people]), event=other, key=key)
    assert raised.value.sqlstate == "GR001"
    db.execute("delete from public.runs where id = %s", [first])
    db.execute("delete from public.grouping_policies where id = %s", [policy])


def test_an_unknown_event_fails_on_the_foreign_key(event_cast: EventCast) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    with pytest.raises(psycopg.errors.ForeignKeyViolation), act_as(db, event_cast.admin) as conn:
        _save(conn, policy, result_payload([]), event=uuid4())
    db.execute("delete from public.grouping_policies where id = %s", [policy])


def test_an_event_with_runs_is_kept(event_cast: EventCast) -> None:
    db = event_cast.db
    policy = insert_policy(db, name=f"events {uuid4()}")
    with act_as(db, event_cast.admin, commit=True) as conn:
        run = _save(conn, policy, result_payload([]), event=event_cast.event)
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute("delete from public.events where id = %s", [event_cast.event])
    db.execute("delete from public.runs where id = %s", [run])
    db.execute("delete from public.grouping_policies where id = %s", [policy])
