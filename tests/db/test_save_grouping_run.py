"""save_grouping_run: one call, one transaction, all or nothing, idempotent by key."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import SERVICE_ROLE, Actor, act_as, make_user, user_actor
from tests.db.grouping_world import (
    insert_participant,
    insert_policy,
    result_payload,
    save_run,
    scalar,
)

Connection = psycopg.Connection[TupleRow]
COUNTED_TABLES = ("runs", "groups", "group_members", "unassigned_queue")


@dataclass(frozen=True)
class Cast:
    """Committed rows for these tests: a policy, eight participants and an admin."""

    policy: UUID
    people: list[UUID]
    admin: Actor


@pytest.fixture
def cast(db: Connection) -> Iterator[Cast]:
    policy = insert_policy(db, name="save tests")
    people = [insert_participant(db, full_name=f"Person {i}") for i in range(8)]
    admin_id = make_user(db, app_role="admin")
    yield Cast(policy, people, user_actor("admin", admin_id, app_role="admin"))
    db.execute("delete from public.runs where policy_id = %s", [policy])
    db.execute("delete from public.grouping_policies where id = %s", [policy])
    db.execute("delete from public.participants where id = any(%s)", [people])
    db.execute("delete from auth.users where id = %s", [admin_id])


def _counts(db: Connection) -> dict[str, int]:
    return {t: int(scalar(db, f"select count(*) from public.{t}")) for t in COUNTED_TABLES}


def _save(
    db: Connection,
    cast: Cast,
    result: dict[str, Any],
    *,
    key: str | None = None,
    run: dict[str, Any] | None = None,
    request_hash: str | None = None,
) -> UUID:
    """Save as the cast's admin in its own committed transaction, as PostgREST would."""
    with act_as(db, cast.admin, commit=True) as conn:
        run_id: UUID = scalar(
            conn,
            "select public.save_grouping_run(%s, %s, %s::jsonb, %s::jsonb, %s)",
            [
                key,
                cast.policy,
                json.dumps(run or {"trigger_source": "api"}),
                json.dumps(result),
                request_hash,
            ],
        )
    return run_id


def test_a_run_is_saved_with_its_groups_members_queue_and_derived_counts(
    db: Connection, cast: Cast
) -> None:
    p = cast.people
    result = result_payload([[p[0], p[1], p[2]], [p[3], p[4]]], [(p[5], "allergy-limit-exceeded")])
    run = {
        "trigger_source": "api",
        "engine_version": "1.2.3",
        "options": {"target_group_size": 3},
        "started_at": "2024-05-01T10:00:00+00:00",
        "finished_at": "2024-05-01T10:00:02+00:00",
    }
    run_id = _save(db, cast, result, key="k-saved", run=run)

    saved = db.execute(
        "select policy_id, status, participant_count, assigned_count, unassigned_count,"
        " group_count, engine_version, options, trigger_source, triggered_by,"
        " finished_at - started_at, diagnostics -> 'scores' ->> 'mean'"
        " from public.runs where id = %s",
        [run_id],
    ).fetchone()
    assert saved is not None
    assert saved[:10] == (
        cast.policy, "succeeded", 6, 5, 1, 2, "1.2.3", {"target_group_size": 3}, "api",
        cast.admin.user_id,
    )  # fmt: skip
    assert saved[10].total_seconds() == 2
    assert saved[11] == "0.75"

    groups = db.execute(
        "select group_number, size, kosher, age_band, age_min, age_max,"
        " array(select participant_id from public.group_members m where m.group_id = g.id"
        " order by participant_id)"
        " from public.groups g where run_id = %s order by group_number",
        [run_id],
    ).fetchall()
    assert groups == [
        (1, 3, False, "25-29", 25, 29, sorted([p[0], p[1], p[2]])),
        (2, 2, True, "25-29", 25, 29, sorted([p[3], p[4]])),
    ]
    queue = db.execute(
        "select participant_id, reason, details from public.unassigned_queue where run_id = %s",
        [run_id],
    ).fetchall()
    assert queue == [(p[5], "allergy-limit-exceeded", {"pool": 1})]


def _broken_payloads(people: list[UUID]) -> dict[str, dict[str, Any]]:
    p = people
    unknown_member = result_payload([[p[0], p[1]], [p[2], uuid4()]])
    bad_reason = result_payload([[p[0], p[1]]], [(p[2], "missing-age")])
    bad_reason["unassigned"][0]["reason"] = "felt-like-it"
    missing_score = result_payload([[p[0], p[1]], [p[2], p[3]]])
    del missing_score["groups"][1]["score"]
    return {
        "unknown participant in the last group": unknown_member,
        "unassigned reason outside the spec": bad_reason,
        "group without a score": missing_score,
        "participant in two groups": result_payload([[p[0], p[1]], [p[1], p[2]]]),
        "participant grouped and unassigned": result_payload(
            [[p[0], p[1]]], [(p[1], "missing-age")]
        ),
    }


BROKEN = {
    "unknown participant in the last group": psycopg.errors.ForeignKeyViolation,
    "unassigned reason outside the spec": psycopg.errors.CheckViolation,
    "group without a score": psycopg.errors.NotNullViolation,
    "participant in two groups": psycopg.errors.UniqueViolation,
    "participant grouped and unassigned": psycopg.errors.UniqueViolation,
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_failure_in_the_middle_leaves_no_row_behind(
    db: Connection, cast: Cast, case: str
) -> None:
    before = _counts(db)
    with pytest.raises(BROKEN[case]):
        _save(db, cast, _broken_payloads(cast.people)[case], key=f"broken-{case}")
    assert _counts(db) == before
    assert scalar(db, "select count(*) from public.runs where policy_id = %s", [cast.policy]) == 0


def test_the_same_key_again_returns_the_first_run_and_writes_nothing(
    db: Connection, cast: Cast
) -> None:
    result = result_payload([cast.people[:4]], [(cast.people[4], "missing-age")])
    first = _save(db, cast, result, key="replayed")
    after_first = _counts(db)
    again = _save(db, cast, result, key="replayed")
    assert again == first
    assert _counts(db) == after_first


def test_the_same_key_with_a_different_payload_is_refused(db: Connection, cast: Cast) -> None:
    first = _save(db, cast, result_payload([cast.people[:4]]), key="reused")
    after_first = _counts(db)
    with pytest.raises(psycopg.Error) as raised:
        _save(db, cast, result_payload([cast.people[1:5]]), key="reused")
    assert raised.value.sqlstate == "GR001"
    assert _counts(db) == after_first
    assert scalar(db, "select id from public.runs where idempotency_key = 'reused'") == first


def test_a_caller_supplied_request_hash_decides_what_counts_as_the_same_request(
    db: Connection, cast: Cast
) -> None:
    # A retried request may recompute a slightly different result (timings); the
    # caller's hash of its request is what identifies it.
    first = _save(db, cast, result_payload([cast.people[:4]]), key="hashed", request_hash="r1")
    again = _save(db, cast, result_payload([cast.people[:5]]), key="hashed", request_hash="r1")
    assert again == first
    with pytest.raises(psycopg.Error) as raised:
        _save(db, cast, result_payload([cast.people[:4]]), key="hashed", request_hash="r2")
    assert raised.value.sqlstate == "GR001"


def test_without_a_key_every_call_is_a_new_run(db: Connection, cast: Cast) -> None:
    result = result_payload([cast.people[:4]])
    assert _save(db, cast, result) != _save(db, cast, result)


def test_concurrent_calls_with_one_key_save_one_run(
    db: Connection, database_url: str, cast: Cast
) -> None:
    result = json.dumps(result_payload([cast.people[:4]], [(cast.people[4], "missing-age")]))
    barrier = threading.Barrier(2, timeout=30)
    run_ids: list[UUID] = []

    def save() -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            barrier.wait()
            with act_as(conn, cast.admin, commit=True):
                run_ids.append(
                    scalar(
                        conn,
                        "select public.save_grouping_run('raced', %s, '{}', %s::jsonb)",
                        [cast.policy, result],
                    )
                )

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(run_ids) == 2
    assert run_ids[0] == run_ids[1]
    assert scalar(db, "select count(*) from public.runs where idempotency_key = 'raced'") == 1
    members = scalar(db, "select count(*) from public.group_members where run_id = %s", run_ids[:1])
    assert members == 4


@pytest.mark.parametrize(
    "result",
    [{"groups": [], "unassigned": []}, {"groups": {}, "unassigned": [], "diagnostics": {}}],
    ids=["no diagnostics", "groups not a list"],
)
def test_a_payload_of_the_wrong_shape_is_an_invalid_parameter(
    db: Connection, cast: Cast, result: dict[str, Any]
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        _save(db, cast, result)


@pytest.fixture
def archived_policy(db: Connection, cast: Cast) -> Iterator[UUID]:
    """A second policy of the cast, with one run saved while it was live, then archived."""
    policy = insert_policy(db, name="retired")
    with act_as(db, cast.admin, commit=True) as conn:
        save_run(
            conn, policy_id=policy, result=result_payload([cast.people[:4]]), key="pre-archive"
        )
        assert scalar(conn, "select public.remove_grouping_policy(%s)", [policy]) == "archived"
    yield policy
    db.execute("delete from public.runs where policy_id = %s", [policy])
    db.execute("delete from public.grouping_policies where id = %s", [policy])


@pytest.mark.parametrize("actor", ["admin", "service_role"])
def test_an_archived_policy_cannot_run(
    db: Connection, cast: Cast, archived_policy: UUID, actor: str
) -> None:
    caller = cast.admin if actor == "admin" else SERVICE_ROLE
    before = _counts(db)
    for key in ("after-archive", None):
        with pytest.raises(psycopg.Error) as raised, act_as(db, caller) as conn:
            save_run(
                conn, policy_id=archived_policy, result=result_payload([cast.people[4:]]), key=key
            )
        assert raised.value.sqlstate == "GR002"
    assert _counts(db) == before


def test_a_replay_of_a_run_saved_before_its_policy_was_archived_still_answers_it(
    db: Connection, cast: Cast, archived_policy: UUID
) -> None:
    first = scalar(db, "select id from public.runs where idempotency_key = 'pre-archive'")
    with act_as(db, cast.admin) as conn:
        again = save_run(
            conn,
            policy_id=archived_policy,
            result=result_payload([cast.people[:4]]),
            key="pre-archive",
        )
    assert again == first
