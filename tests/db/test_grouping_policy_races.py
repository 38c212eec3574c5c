"""One active policy under concurrent activations: raw updates, the RPC, and both mixed
by admins; each succeeds, none deadlocks, and exactly one policy stays active.

These need committed rows and separate connections, so unlike the checks beside them
(test_grouping_policies.py) they do not run in a rolled-back transaction: their
fixtures delete what they made.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import TupleRow

from tests.db.actors import Actor, act_as, make_user, user_actor
from tests.db.grouping_world import active_policies as _active
from tests.db.grouping_world import insert_policy, scalar

Connection = psycopg.Connection[TupleRow]


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
