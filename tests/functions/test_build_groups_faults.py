"""POST /build-groups under faults and races: connections killed mid-save, one key in flight
twice. Real PostgreSQL, through the Lambda handler."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import UUID

import pytest

from functions.grouping.run_request import RunRequest, request_hash
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.build_groups_fixtures import engine_calls as engine_calls
from tests.functions.events import Answer

pytestmark = pytest.mark.db
KILLS = 100
# The backend kills itself while the save RPC inserts the groups' members (the run and its
# groups already written in the transaction): a connection lost
# mid-save, as a failover or an idle-timeout would. Security definer: only a superuser
# may signal a superuser's backend, and the test connects as one.
KILL_MID_SAVE = """
create function public.test_kill_mid_save() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform pg_terminate_backend(pg_backend_pid());
  perform pg_sleep(5);
  return new;
end $$;
create trigger test_kill_mid_save before insert on public.group_members
  for each row execute function public.test_kill_mid_save();
"""


@pytest.fixture
def policy(api_world: ApiWorld) -> UUID:
    api_world.seed_participants(40)
    return api_world.add_policy("Dinners", active=True)


@pytest.fixture
def killing_saves(api_world: ApiWorld) -> Iterator[None]:
    api_world.db.execute(KILL_MID_SAVE)
    yield
    api_world.db.execute("drop trigger test_kill_mid_save on public.group_members")
    api_world.db.execute("drop function public.test_kill_mid_save()")


def _post(call: Call, api_world: ApiWorld, key: str) -> Answer:
    headers = {"idempotency-key": key}
    return call("POST", "/build-groups", token=api_world.admin_token, body={}, headers=headers)


def test_connections_killed_mid_save_answer_503_and_leave_nothing(
    api_world: ApiWorld, call: Call, policy: UUID, killing_saves: None
) -> None:
    answers = [_post(call, api_world, f"kill-{n}").status for n in range(KILLS)]
    assert answers == [503] * KILLS
    for table in ("runs", "groups", "group_members", "unassigned_queue", "run_claims"):
        assert api_world.count(f"select count(*) from public.{table}") == 0, table


def test_after_a_fault_the_same_key_runs_again(
    api_world: ApiWorld, call: Call, policy: UUID, engine_calls: list[int]
) -> None:
    api_world.db.execute(KILL_MID_SAVE)
    try:
        assert _post(call, api_world, "retry-me").status == 503
    finally:
        api_world.db.execute("drop trigger test_kill_mid_save on public.group_members")
        api_world.db.execute("drop function public.test_kill_mid_save()")
    retried = _post(call, api_world, "retry-me")
    assert retried.status == 201, retried.text
    assert api_world.runs() == 1 and len(engine_calls) == 2


def _hold_claim(api_world: ApiWorld, key: str, *, age: timedelta = timedelta(0)) -> None:
    """The claim another request holds right now (or held, `age` ago)."""
    asked = request_hash(RunRequest(trigger_source="api", idempotency_key=key))
    api_world.db.execute(
        "insert into public.run_claims (idempotency_key, request_hash, claimed_at)"
        " values (%s, %s, now() - %s)",
        [key, asked, age],
    )


def test_a_key_in_flight_is_409_in_progress_and_the_engine_does_not_run(
    api_world: ApiWorld, call: Call, policy: UUID, engine_calls: list[int]
) -> None:
    _hold_claim(api_world, "api:busy")
    answer = _post(call, api_world, "busy")
    assert answer.status == 409
    assert answer.json()["type"].endswith(":in-progress")
    assert engine_calls == [] and api_world.runs() == 0


def test_an_expired_claim_is_taken_over(
    api_world: ApiWorld, call: Call, policy: UUID, engine_calls: list[int]
) -> None:
    _hold_claim(api_world, "api:crashed", age=timedelta(minutes=16))
    assert _post(call, api_world, "crashed").status == 201
    assert len(engine_calls) == 1


def test_concurrent_requests_with_one_key_run_the_engine_once(
    api_world: ApiWorld, call: Call, policy: UUID, engine_calls: list[int]
) -> None:
    def post_from_a_thread(_: int) -> Answer:
        # Mangum runs the app on the thread's event loop, as each Lambda has its own.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return _post(call, api_world, "same")
        finally:
            loop.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(post_from_a_thread, range(10)))
    assert len(engine_calls) == 1 and api_world.runs() == 1
    # One ran; each other was told it was in flight (409), or replayed it once saved (201,
    # as the first answer was, with `replayed` set).
    ran = [a for a in answers if a.status == 201 and not a.json()["replayed"]]
    assert len(ran) == 1
    assert {a.status for a in answers} <= {201, 409}
    assert all(a.json()["type"].endswith(":in-progress") for a in answers if a.status == 409)
