"""grouping_policies: CHECKs that mirror the engine's option rules, and one active policy."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import psycopg
import pydantic
import pytest
from psycopg.rows import TupleRow

from engine.grouping.options import GroupingOptions
from tests.db.actors import Actor, act_as, make_user, user_actor
from tests.db.grouping_world import insert_policy, scalar

Connection = psycopg.Connection[TupleRow]

# (columns, valid?) decided from the spec's option table, not from either implementation.
CASES: list[tuple[str, dict[str, Any], bool]] = [
    (
        "smallest sizes",
        {"min_group_size": 2, "fallback_group_size": 2, "target_group_size": 2},
        True,
    ),
    ("largest target", {"target_group_size": 50}, True),
    ("min below two", {"min_group_size": 1}, False),
    ("fallback below min", {"min_group_size": 5, "fallback_group_size": 4}, False),
    ("target below fallback", {"fallback_group_size": 6, "target_group_size": 5}, False),
    ("target above fifty", {"target_group_size": 51}, False),
    ("no severe allergens allowed", {"max_allergy_count": 0}, True),
    ("negative allergy count", {"max_allergy_count": -1}, False),
    ("loose ages", {"age_policy": "loose"}, True),
    ("unknown age policy", {"age_policy": "strict"}, False),
    ("one band edge", {"age_bands": [0]}, True),
    ("no band edges", {"age_bands": []}, False),
    ("bands not increasing", {"age_bands": [18, 30, 25]}, False),
    ("repeated band edge", {"age_bands": [18, 25, 25]}, False),
    ("negative band edge", {"age_bands": [-1, 18]}, False),
    ("weights at the limits", {"scoring_weights": {"age": 0, "size": 10}}, True),
    ("weight above ten", {"scoring_weights": {"diet": 10.5}}, False),
    ("negative weight", {"scoring_weights": {"age": -0.1}}, False),
    ("unknown weight key", {"scoring_weights": {"height": 1}}, False),
    ("weight not a number", {"scoring_weights": {"age": "high"}}, False),
]


def _insert(conn: Connection, columns: dict[str, Any]) -> None:
    names = ", ".join(["name", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    values = [json.dumps(v) if isinstance(v, dict) else v for v in columns.values()]
    conn.execute(
        f"insert into public.grouping_policies ({names}) values ({marks})".encode(),
        ["case", *values],
    )


def _engine_accepts(columns: dict[str, Any]) -> bool:
    options = {k: tuple(v) if k == "age_bands" else v for k, v in columns.items()}
    try:
        GroupingOptions.model_validate(options)
    except pydantic.ValidationError:
        return False
    return True


@pytest.mark.parametrize(("columns", "valid"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_checks_accept_exactly_what_the_engine_accepts(
    db: Connection, columns: dict[str, Any], valid: bool
) -> None:
    assert _engine_accepts(columns) is valid
    with db.transaction(force_rollback=True):
        if valid:
            _insert(db, columns)
        else:
            with pytest.raises(psycopg.errors.CheckViolation):
                _insert(db, columns)


def test_column_defaults_are_the_engine_defaults(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        row = db.execute(
            "insert into public.grouping_policies (name) values ('defaults') returning"
            " kosher_only, min_group_size, fallback_group_size, target_group_size,"
            " max_allergy_count, age_policy, age_bands, scoring_weights, is_active"
        ).fetchone()
    assert row == (False, 4, 5, 6, 3, "banded", [18, 25, 30, 35, 40, 50, 60], {}, False)
    defaults = GroupingOptions()
    assert row[:7] == (
        defaults.kosher_only,
        defaults.min_group_size,
        defaults.fallback_group_size,
        defaults.target_group_size,
        defaults.max_allergy_count,
        defaults.age_policy,
        list(defaults.age_bands),
    )


def _active(db: Connection) -> list[UUID]:
    return [row[0] for row in db.execute("select id from public.grouping_policies where is_active")]


def test_activating_one_policy_deactivates_the_other(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        first = insert_policy(db, name="first", active=True)
        second = insert_policy(db, name="second", active=True)
        assert _active(db) == [second]
        db.execute("update public.grouping_policies set is_active = true where id = %s", [first])
        assert _active(db) == [first]


def test_the_partial_unique_index_holds_even_without_the_trigger(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        insert_policy(db, name="first", active=True)
        db.execute(
            "alter table public.grouping_policies disable trigger single_active_policy_trigger"
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            insert_policy(db, name="second", active=True)


def test_an_archived_policy_cannot_be_activated(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        archived = scalar(
            db,
            "insert into public.grouping_policies (name, archived_at) values ('old', now())"
            " returning id",
        )
        db.execute("set local role service_role")
        with pytest.raises(psycopg.Error) as raised:
            db.execute("select public.activate_grouping_policy(%s)", [archived])
    assert raised.value.sqlstate == "GR002"
    assert archived not in _active(db)


def test_activating_an_unknown_policy_is_no_data_found(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        db.execute("set local role service_role")
        with pytest.raises(psycopg.errors.NoDataFound):
            db.execute("select public.activate_grouping_policy(gen_random_uuid())")


def test_the_active_policy_cannot_be_deleted_or_archived(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        active = insert_policy(db, name="in use", active=True)
        with pytest.raises(psycopg.Error) as raised:
            db.execute("delete from public.grouping_policies where id = %s", [active])
    assert raised.value.sqlstate == "GR003"
    with db.transaction(force_rollback=True):
        active = insert_policy(db, name="in use", active=True)
        with pytest.raises(psycopg.errors.CheckViolation):
            db.execute(
                "update public.grouping_policies set archived_at = now() where id = %s", [active]
            )


# Concurrency: these need committed rows and separate connections.


@pytest.fixture
def three_policies(db: Connection) -> Iterator[tuple[UUID, UUID, UUID]]:
    ids = (
        insert_policy(db, name="race start", active=True),
        insert_policy(db, name="race one"),
        insert_policy(db, name="race two"),
    )
    yield ids
    db.execute(
        "update public.grouping_policies set is_active = false where id = any(%s)", [list(ids)]
    )
    db.execute("delete from public.grouping_policies where id = any(%s)", [list(ids)])


@pytest.fixture
def committed_admin(db: Connection) -> Iterator[Actor]:
    user_id = make_user(db, app_role="admin")
    yield user_actor("admin", user_id, app_role="admin")
    db.execute("delete from auth.users where id = %s", [user_id])


def _in_threads(targets: list[Callable[[threading.Barrier], None]]) -> list[BaseException | None]:
    """Run the targets side by side; each calls `barrier.wait()` once it is connected,
    so their statements start together. Returns each one's exception or None."""
    outcomes: list[BaseException | None] = [None] * len(targets)
    barrier = threading.Barrier(len(targets), timeout=30)

    def run(index: int) -> None:
        try:
            targets[index](barrier)
        except BaseException as error:  # reported to the test thread
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _raw_activation(database_url: str, policy: UUID) -> Callable[[threading.Barrier], None]:
    def activate(barrier: threading.Barrier) -> None:
        with psycopg.connect(database_url) as conn:  # one transaction, committed on exit
            barrier.wait()
            conn.execute(
                "update public.grouping_policies set is_active = true where id = %s", [policy]
            )
            time.sleep(0.5)  # hold the transaction open so the two overlap

    return activate


def test_two_concurrent_raw_activations_both_succeed_and_leave_exactly_one_active(
    db: Connection, database_url: str, three_policies: tuple[UUID, UUID, UUID]
) -> None:
    # A direct write queues on the RPC's lock too: the second waits for the first to
    # commit, then deactivates it, instead of failing on the partial unique index.
    _, one, two = three_policies
    outcomes = _in_threads([_raw_activation(database_url, one), _raw_activation(database_url, two)])

    assert outcomes == [None, None]
    active = _active(db)
    assert len(active) == 1
    assert active[0] in {one, two}


def test_a_blocked_activation_succeeds_once_the_first_commits(
    db: Connection, database_url: str, three_policies: tuple[UUID, UUID, UUID]
) -> None:
    _, one, two = three_policies
    with psycopg.connect(database_url) as first:
        first.execute("update public.grouping_policies set is_active = true where id = %s", [one])
        second_pid: list[int] = []
        outcome: list[BaseException | None] = [None]

        def second() -> None:
            with psycopg.connect(database_url) as conn:
                second_pid.append(conn.info.backend_pid)
                try:
                    conn.execute(
                        "update public.grouping_policies set is_active = true where id = %s",
                        [two],
                    )
                except psycopg.Error as error:
                    outcome[0] = error

        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_blocked(db, second_pid)
        first.commit()
        thread.join(timeout=30)
    assert outcome[0] is None
    assert _active(db) == [two]


def _wait_until_blocked(db: Connection, pid: list[int]) -> None:
    for _ in range(200):
        if pid and scalar(
            db, "select wait_event_type = 'Lock' from pg_stat_activity where pid = %s", pid
        ):
            return
        time.sleep(0.02)
    raise AssertionError("the second activation never waited for the first")


def test_concurrent_activations_through_the_rpc_both_succeed_and_one_stays_active(
    db: Connection,
    database_url: str,
    three_policies: tuple[UUID, UUID, UUID],
    committed_admin: Actor,
) -> None:
    _, one, two = three_policies

    def activate(policy: UUID) -> Callable[[threading.Barrier], None]:
        def call(barrier: threading.Barrier) -> None:
            with psycopg.connect(database_url, autocommit=True) as conn:
                barrier.wait()
                with act_as(conn, committed_admin, commit=True):
                    conn.execute("select public.activate_grouping_policy(%s)", [policy])
                    time.sleep(0.5)

        return call

    assert _in_threads([activate(one), activate(two)]) == [None, None]
    active = _active(db)
    assert len(active) == 1
    assert active[0] in {one, two}


def _as_admin(
    database_url: str, admin: Actor, statement: str, policy: UUID, pids: list[int] | None = None
) -> Callable[[threading.Barrier | None], None]:
    """One request as the admin through PostgREST's role: `statement` on `policy`, committed."""

    def call(barrier: threading.Barrier | None) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            if pids is not None:
                pids.append(conn.info.backend_pid)
            if barrier is not None:
                barrier.wait()
            with act_as(conn, admin, commit=True):
                conn.execute(statement.encode(), [policy])
                time.sleep(0.1)  # hold the transaction open so the requests overlap

    return call


_RPC = "select public.activate_grouping_policy(%s)"
_DIRECT = "update public.grouping_policies set is_active = true where id = %s"


def test_direct_and_rpc_activations_by_admins_all_succeed_and_leave_one_active(
    db: Connection,
    database_url: str,
    three_policies: tuple[UUID, UUID, UUID],
    committed_admin: Actor,
) -> None:
    # Direct writes (a dashboard's PATCH) and the RPC, on the same policies and on
    # different ones: none fails on the unique index, none deadlocks.
    calls: list[Callable[[threading.Barrier], None]] = [
        _as_admin(database_url, committed_admin, statement, policy)
        for statement in (_RPC, _DIRECT)
        for policy in three_policies
        for _ in range(2)
    ]
    for _ in range(2):
        assert _in_threads(calls) == [None] * len(calls)
        active = _active(db)
        assert len(active) == 1
        assert active[0] in three_policies


def test_a_direct_activation_queued_behind_an_rpc_of_the_same_policy_does_not_deadlock(
    db: Connection,
    database_url: str,
    three_policies: tuple[UUID, UUID, UUID],
    committed_admin: Actor,
) -> None:
    # While one activation holds the lock, an RPC and then a direct write queue for the
    # same policy. Were the direct write to lock the row before the activation lock,
    # the RPC (granted the lock first) would wait for that row and the two deadlock.
    _, one, two = three_policies
    queued: list[tuple[str, list[int]]] = [(_RPC, []), (_DIRECT, [])]
    outcomes: list[BaseException | None] = []

    def run(call: Callable[[threading.Barrier | None], None]) -> None:
        try:
            call(None)
        except BaseException as error:  # reported to the test thread
            outcomes.append(error)

    with psycopg.connect(database_url, autocommit=True) as holder:
        threads = []
        with act_as(holder, committed_admin, commit=True):
            holder.execute(_RPC, [one])
            for statement, pids in queued:
                call = _as_admin(database_url, committed_admin, statement, two, pids)
                threads.append(threading.Thread(target=run, args=(call,)))
                threads[-1].start()
                _wait_until_blocked(db, pids)
        for thread in threads:
            thread.join(timeout=30)
    assert outcomes == []
    assert _active(db) == [two]
