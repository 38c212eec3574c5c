"""A run of an event that starts from an earlier one, and the organiser's locks and apart
pairs, through Mangum on real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import psycopg
import pytest

from functions.auth.verifier import TokenVerifier
from functions.grouping_requests import handler as requests_handler
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.conftest import wire
from tests.functions.events import send

pytestmark = pytest.mark.db


@pytest.fixture
def ask(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    undo = wire(requests_handler.app, api_world.settings, verifier)
    yield lambda method, path, **event: send(requests_handler.handler, method, path, **event)
    undo()


@pytest.fixture
def event(api_world: ApiWorld) -> tuple[UUID, list[UUID]]:
    api_world.add_policy("Weekly", active=True, age_policy="loose")
    event_id = api_world.add_event()
    return event_id, api_world.register(event_id, 40)


def _groups(api_world: ApiWorld, run_id: str) -> list[set[UUID]]:
    rows = api_world.db.execute(
        "select array_agg(participant_id) from public.group_members where run_id = %s"
        " group by group_id",
        [run_id],
    ).fetchall()
    return [set(row[0]) for row in rows]


def _run(api_world: ApiWorld, call: Call, body: dict[str, object]) -> str:
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert answer.status == 201, answer.text
    run_id: str = answer.json()["run_id"]
    return run_id


def test_a_late_registration_changes_one_group_only(
    api_world: ApiWorld, call: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, _ = event
    first = _run(api_world, call, {"event_id": str(event_id)})
    late = api_world.db.execute(
        "insert into public.participants (external_id, full_name, age, responses)"
        " values ('late', 'Late Comer', 33, '{}'::jsonb) returning id"
    ).fetchone()
    assert late is not None
    api_world.db.execute(
        "insert into public.event_registrations (event_id, participant_id) values (%s, %s)",
        [event_id, late[0]],
    )
    second = _run(api_world, call, {"event_id": str(event_id), "keep_from_run_id": first})
    before, after = _groups(api_world, first), _groups(api_world, second)
    assert len([g for g in before if g not in after]) == 1
    diagnostics = api_world.db.execute(
        "select diagnostics -> 'continuity' from public.runs where id = %s", [second]
    ).fetchone()
    assert diagnostics is not None
    assert diagnostics[0]["joined"] == 1 and diagnostics[0]["moved"] == 0


def test_keep_from_a_run_of_another_event_is_a_422(
    api_world: ApiWorld, call: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, _ = event
    other = api_world.add_event("Another dinner")
    api_world.register(other, 8, seed=3)
    run_of_other = _run(api_world, call, {"event_id": str(other)})
    for keep in (run_of_other, str(uuid4())):
        body = {"event_id": str(event_id), "keep_from_run_id": keep}
        answer = call("POST", "/build-groups", token=api_world.admin_token, body=body)
        assert answer.status == 422, answer.text
        assert answer.json()["type"].endswith(":keep-from-other-event")


def test_an_apart_pair_is_kept_apart_by_the_next_run(
    api_world: ApiWorld, call: Call, ask: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, _ = event
    first = _run(api_world, call, {"event_id": str(event_id)})
    together = next(g for g in _groups(api_world, first) if len(g) >= 2)
    a, b = sorted(together)[:2]
    path = f"/events/{event_id}/apart-pairs"
    answer = ask(
        "POST", path, token=api_world.admin_token, body={"participant_ids": [str(b), str(a)]}
    )
    assert answer.status == 201, answer.text
    assert answer.json() == {"first_participant_id": str(a), "second_participant_id": str(b)}
    again = ask(
        "POST", path, token=api_world.admin_token, body={"participant_ids": [str(a), str(b)]}
    )
    assert again.status == 409
    same = ask(
        "POST", path, token=api_world.admin_token, body={"participant_ids": [str(a), str(a)]}
    )
    assert same.status == 422
    second = _run(api_world, call, {"event_id": str(event_id), "keep_from_run_id": first})
    assert not any({a, b} <= g for g in _groups(api_world, second))


def test_locks_are_listed_and_kept(
    api_world: ApiWorld, call: Call, ask: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, _ = event
    first = _run(api_world, call, {"event_id": str(event_id)})
    group = next(iter(_groups(api_world, first)))
    person = sorted(group)[0]
    path = f"/events/{event_id}/locks"
    body = {"participant_id": str(person), "whole_group": True}
    assert ask("POST", path, token=api_world.admin_token, body=body).status == 201
    listed = ask("GET", path, token=api_world.admin_token)
    assert listed.json() == [body]
    # Stability 0 would regroup freely: the whole-group lock still keeps the group.
    body = {
        "event_id": str(event_id),
        "keep_from_run_id": first,
        "options": {"stability_weight": 0},
    }
    assert group in _groups(api_world, _run(api_world, call, body))


def test_only_admins_ask_and_direct_writes_are_refused(
    api_world: ApiWorld, ask: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, people = event
    path = f"/events/{event_id}/locks"
    answer = ask(
        "POST", path, token=api_world.member_token, body={"participant_id": str(people[0])}
    )
    assert answer.status == 403
    with pytest.raises(psycopg.errors.InsufficientPrivilege), api_world.db.transaction():
        api_world.db.execute("set local role authenticated")
        api_world.db.execute(
            "insert into public.grouping_locks (event_id, participant_id) values (%s, %s)",
            [event_id, people[0]],
        )


def test_a_lock_and_a_pair_are_removed_once(
    api_world: ApiWorld, ask: Call, event: tuple[UUID, list[UUID]]
) -> None:
    event_id, people = event
    a, b = sorted(people[:2])
    admin = api_world.admin_token
    locks, pairs = f"/events/{event_id}/locks", f"/events/{event_id}/apart-pairs"
    assert ask("POST", locks, token=admin, body={"participant_id": str(a)}).status == 201
    body = {"participant_ids": [str(a), str(b)]}
    assert ask("POST", pairs, token=admin, body=body).status == 201
    assert ask("DELETE", f"{locks}/{a}", token=api_world.member_token).status == 403
    assert ask("DELETE", f"{locks}/{a}", token=admin).status == 204
    assert ask("DELETE", f"{locks}/{a}", token=admin).status == 404
    assert ask("GET", locks, token=admin).json() == []
    # Either order names the pair.
    assert ask("DELETE", f"{pairs}/{b}/{a}", token=admin).status == 204
    assert ask("DELETE", f"{pairs}/{a}/{b}", token=admin).status == 404
    assert ask("GET", pairs, token=admin).json() == []
