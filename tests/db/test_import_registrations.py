"""import_registrations: people upserted by external id and registered for an event, in one
call, all or nothing; the same rows again change nothing, not even `updated_at`."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import SERVICE_ROLE, act_as
from tests.db.events_world import EventCast, insert_event
from tests.db.events_world import event_cast as event_cast
from tests.db.grouping_world import scalar

Connection = psycopg.Connection[TupleRow]


def test_a_first_import_adds_and_registers_everyone(event_cast: EventCast) -> None:
    rows = [event_cast.person(n) for n in range(3)]
    counts = event_cast.import_rows(rows)
    assert counts == {"added": 3, "updated": 0, "unchanged": 0, "registered": 3}
    stored = event_cast.stored()
    assert [row[:5] for row in stored] == [
        (f"{event_cast.prefix}{n}", f"Person {n}", 30 + n, None, {"diet": "vegan", "kosher": "yes"})
        for n in range(3)
    ]
    assert event_cast.registered() == [row[0] for row in stored]


def test_importing_the_same_rows_again_writes_nothing(event_cast: EventCast) -> None:
    rows = [event_cast.person(n) for n in range(4)]
    event_cast.import_rows(rows)
    before = event_cast.stored()
    registered_at = event_cast.db.execute(
        "select participant_id, registered_at from public.event_registrations"
        " where event_id = %s order by 1",
        [event_cast.event],
    ).fetchall()
    # The same people in another order, their answers' keys in another order too.
    again = [{**row, "responses": dict(reversed(row["responses"].items()))} for row in rows]
    counts = event_cast.import_rows(list(reversed(again)))
    assert counts == {"added": 0, "updated": 0, "unchanged": 4, "registered": 0}
    # Neither updated_at nor the row version (xmin) moved: no row was written.
    assert event_cast.stored() == before
    assert (
        event_cast.db.execute(
            "select participant_id, registered_at from public.event_registrations"
            " where event_id = %s order by 1",
            [event_cast.event],
        ).fetchall()
        == registered_at
    )


def test_a_returning_persons_new_answers_replace_the_old_ones(event_cast: EventCast) -> None:
    first = event_cast.person(1, birth_date="1990-05-01")
    event_cast.import_rows([first, event_cast.person(2)])
    (_, kept_before) = event_cast.stored()
    # Person 1 answers again: a new name and diet, no age and no birth date this time.
    answered = {
        "external_id": first["external_id"],
        "full_name": "Person One",
        "responses": {"diet": "vegetarian"},
    }
    counts = event_cast.import_rows([answered, event_cast.person(2)])
    assert counts == {"added": 0, "updated": 1, "unchanged": 1, "registered": 0}
    changed, kept = event_cast.stored()
    assert changed[:5] == (first["external_id"], "Person One", None, None, {"diet": "vegetarian"})
    assert changed[5] > kept_before[5]  # updated_at moved for the changed row only
    assert kept == kept_before


def test_a_re_export_with_new_rows_adds_them(event_cast: EventCast) -> None:
    event_cast.import_rows([event_cast.person(n) for n in range(2)])
    counts = event_cast.import_rows([event_cast.person(n) for n in range(4)])
    assert counts == {"added": 2, "updated": 0, "unchanged": 2, "registered": 2}
    assert len(event_cast.registered()) == 4


def test_people_kept_across_events_are_registered_for_each(event_cast: EventCast) -> None:
    rows = [event_cast.person(n) for n in range(3)]
    event_cast.import_rows(rows)
    next_week = event_cast.add_event(name="Next Friday")
    # Two come again, one with a new answer, and one newcomer.
    again = [rows[0], {**rows[1], "responses": {"diet": "vegan"}}, event_cast.person(9)]
    counts = event_cast.import_rows(again, event=next_week)
    assert counts == {"added": 1, "updated": 1, "unchanged": 1, "registered": 3}
    assert event_cast.registered(next_week) == sorted(row["external_id"] for row in again)
    assert len(event_cast.stored()) == 4
    assert len(event_cast.registered()) == 3


def test_a_person_already_registered_by_hand_is_not_registered_twice(
    event_cast: EventCast,
) -> None:
    event_cast.import_rows([event_cast.person(1)])
    counts = event_cast.import_rows([event_cast.person(1), event_cast.person(2)])
    assert counts["registered"] == 1 and len(event_cast.registered()) == 2


BAD_ROWS: dict[str, Any] = {
    "an age out of range": {"age": 200},
    "an age that is not a number": {"age": "thirty"},
    "a fractional age": {"age": 30.5},
    "a birth date that is no date": {"birth_date": "1990-13-01"},
    "a birth date before 1900": {"birth_date": "1899-12-31"},
    "answers that are not an object": {"responses": ["vegan"]},
    "a blank name": {"full_name": " "},
    "an unknown key": {"email": "x@example.org"},
    "no external id": {"external_id": None},
    "an external id that is not text": {"external_id": 7},
    "an external id with spaces around it": {"external_id": " padded "},
    "a NUL in an answer": {"responses": {"diet": "vegan\u0000"}},
}


@pytest.mark.parametrize("change", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_one_bad_row_fails_the_whole_import(event_cast: EventCast, change: dict[str, Any]) -> None:
    event_cast.import_rows([event_cast.person(1)])
    before = event_cast.stored()
    rows = [
        {**event_cast.person(1), "full_name": "Changed"},
        event_cast.person(2),
        {**event_cast.person(3), **change},
    ]
    with pytest.raises(psycopg.Error) as raised:
        event_cast.import_rows(rows)
    # Refused as a value of the wrong shape or range: a 422 through the API.
    assert raised.value.sqlstate is not None
    assert raised.value.sqlstate[:2] in {"22", "23"}
    assert event_cast.stored() == before
    assert len(event_cast.registered()) == 1


@pytest.mark.parametrize("rows", ["not an array", {"external_id": "x"}, [1, 2]])
def test_a_payload_of_the_wrong_shape_is_an_invalid_parameter(
    event_cast: EventCast, rows: Any
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        event_cast.import_rows(rows)


def test_an_external_id_twice_in_one_import_is_refused(event_cast: EventCast) -> None:
    rows = [event_cast.person(1), event_cast.person(2), event_cast.person(1, full_name="Again")]
    with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
        event_cast.import_rows(rows)
    assert json.loads(raised.value.diag.message_detail or "") == {"row": 2}
    assert event_cast.stored() == []


def test_more_than_50000_rows_is_refused_before_anything_is_read(event_cast: EventCast) -> None:
    with pytest.raises(psycopg.Error) as raised, act_as(event_cast.db, event_cast.admin) as conn:
        conn.execute(
            "select public.import_registrations(%s, (select jsonb_agg(jsonb_build_object("
            "'external_id', %s || g)) from generate_series(1, 50001) as g))",
            [event_cast.event, event_cast.prefix],
        )
    assert raised.value.sqlstate == "EV001"
    assert event_cast.stored() == []


def test_a_closed_event_refuses_imports(event_cast: EventCast) -> None:
    event_cast.import_rows([event_cast.person(1)])
    event_cast.db.execute(
        "update public.events set status = 'closed' where id = %s", [event_cast.event]
    )
    with pytest.raises(psycopg.Error) as raised:
        event_cast.import_rows(
            [event_cast.person(1, full_name="Late change"), event_cast.person(2)]
        )
    assert raised.value.sqlstate == "EV002"
    assert [row[1] for row in event_cast.stored()] == ["Person 1"]


def test_an_unknown_event_is_no_data_found(event_cast: EventCast) -> None:
    missing = insert_event(event_cast.db)
    event_cast.db.execute("delete from public.events where id = %s", [missing])
    with pytest.raises(psycopg.errors.NoDataFound):
        event_cast.import_rows([event_cast.person(1)], event=missing)
    assert event_cast.stored() == []


def test_the_service_role_may_import(event_cast: EventCast) -> None:
    counts = event_cast.import_rows([event_cast.person(1)], actor=SERVICE_ROLE)
    assert counts["added"] == 1


def test_an_empty_import_changes_nothing(event_cast: EventCast) -> None:
    assert event_cast.import_rows([]) == {
        "added": 0,
        "updated": 0,
        "unchanged": 0,
        "registered": 0,
    }


def test_people_without_an_external_id_are_never_matched(event_cast: EventCast) -> None:
    db = event_cast.db
    by_hand = scalar(
        db, "insert into public.participants (full_name) values ('Person 1') returning id"
    )
    try:
        counts = event_cast.import_rows([event_cast.person(1)])
        assert counts["added"] == 1
        assert (
            scalar(db, "select external_id from public.participants where id = %s", [by_hand])
            is None
        )
    finally:
        db.execute("delete from public.participants where id = %s", [by_hand])


def test_a_closed_event_refuses_registrations_from_any_writer(event_cast: EventCast) -> None:
    db = event_cast.db
    event_cast.import_rows([event_cast.person(1)])
    other = event_cast.add_event()
    event_cast.import_rows([event_cast.person(2)], event=other)
    newcomer = scalar(
        db, "select id from public.participants where external_id = %s", [f"{event_cast.prefix}2"]
    )
    db.execute("update public.events set status = 'closed' where id = %s", [event_cast.event])
    assert scalar(db, "select closed_at from public.events where id = %s", [event_cast.event])
    writes = {
        "insert": "insert into public.event_registrations (event_id, participant_id)"
        " values (%(closed)s, %(person)s)",
        "move": "update public.event_registrations set event_id = %(closed)s"
        " where event_id = %(other)s and participant_id = %(person)s",
    }
    for actor in (event_cast.admin, SERVICE_ROLE):
        for statement in writes.values():
            with pytest.raises(psycopg.Error) as raised, act_as(db, actor) as conn:
                conn.execute(
                    statement.encode(),
                    {"closed": event_cast.event, "other": other, "person": newcomer},
                )
            assert raised.value.sqlstate == "EV002"
    assert event_cast.registered() == [f"{event_cast.prefix}1"]
    # Reopened, it takes registrations again, and forgets when it closed.
    db.execute("update public.events set status = 'open' where id = %s", [event_cast.event])
    assert (
        scalar(db, "select closed_at from public.events where id = %s", [event_cast.event]) is None
    )
    assert event_cast.import_rows([event_cast.person(3)])["registered"] == 1
