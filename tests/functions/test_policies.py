"""Grouping policies through Mangum on real PostgreSQL: CRUD, archive on delete, activate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest

from functions.auth.verifier import TokenVerifier
from functions.build_groups import handler as build_groups
from functions.policies import handler
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

pytestmark = pytest.mark.db
Call = Callable[..., Answer]


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    undo = wire(handler.app, api_world.settings, verifier)
    undo_runs = wire(build_groups.app, api_world.settings, verifier)

    def invoke(method: str, path: str, *, token: str | None = None, **event: Any) -> Answer:
        target = build_groups if path.startswith(("/build-groups", "/runs/")) else handler
        token = api_world.admin_token if token is None else token
        return send(target.handler, method, path, token=token, **event)

    yield invoke
    undo()
    undo_runs()


def create(call: Call, **fields: Any) -> dict[str, Any]:
    answer = call("POST", "/grouping/policies", body={"name": "Friday", **fields})
    assert answer.status == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_create_list_and_edit(api_world: ApiWorld, call: Call) -> None:
    created = create(call, min_group_size=3, kosher_only=True)
    assert created["min_group_size"] == 3 and created["is_active"] is False
    listed = call("GET", "/grouping/policies").json()
    assert [policy["id"] for policy in listed] == [created["id"]]
    edited = call("PUT", f"/grouping/policies/{created['id']}", body={"target_group_size": 8})
    assert edited.status == 200
    assert edited.json()["target_group_size"] == 8 and edited.json()["min_group_size"] == 3


def test_an_edit_that_breaks_the_size_order_is_a_422_naming_the_field(call: Call) -> None:
    created = create(call)
    answer = call("PUT", f"/grouping/policies/{created['id']}", body={"min_group_size": 9})
    assert answer.status == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["fallback_group_size"]


def test_unknown_fields_and_a_non_admin_are_refused(api_world: ApiWorld, call: Call) -> None:
    unknown = call("POST", "/grouping/policies", body={"name": "X", "colour": "red"})
    assert unknown.status == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["colour"]
    refused = call("POST", "/grouping/policies", body={"name": "X"}, token=api_world.member_token)
    assert refused.status == 403
    assert api_world.count("select count(*) from public.grouping_policies") == 0


def test_activate_makes_exactly_one_policy_active(call: Call) -> None:
    first, second = create(call), create(call, name="Saturday")
    for policy in (first, second):
        answer = call("POST", f"/grouping/policies/{policy['id']}/activate")
        assert answer.status == 200 and answer.json()["is_active"] is True
    active = [p["id"] for p in call("GET", "/grouping/policies").json() if p["is_active"]]
    assert active == [second["id"]]


def test_deleting_the_active_policy_is_refused_with_a_clear_message(call: Call) -> None:
    policy = create(call)
    call("POST", f"/grouping/policies/{policy['id']}/activate")
    answer = call("DELETE", f"/grouping/policies/{policy['id']}")
    assert answer.status == 409
    assert "active" in answer.json()["detail"]
    assert [p["id"] for p in call("GET", "/grouping/policies").json()] == [policy["id"]]


def test_delete_removes_an_unused_policy_and_archives_a_used_one(
    api_world: ApiWorld, call: Call
) -> None:
    unused, used, active = create(call), create(call, name="Used"), create(call, name="Active")
    call("POST", f"/grouping/policies/{active['id']}/activate")
    api_world.seed_participants(12)
    run = call("POST", "/build-groups", body={"policy_id": used["id"]}).json()
    gone = call("DELETE", f"/grouping/policies/{unused['id']}")
    kept = call("DELETE", f"/grouping/policies/{used['id']}")
    assert gone.json()["outcome"] == "deleted" and kept.json()["outcome"] == "archived"
    assert [p["id"] for p in call("GET", "/grouping/policies").json()] == [active["id"]]
    archived = call("GET", "/grouping/policies", query="include_archived=true")
    assert used["id"] in [p["id"] for p in archived.json()]
    shown = call("GET", f"/runs/{run['run_id']}").json()
    assert shown["run"]["policy_id"] == used["id"]
    assert call("DELETE", f"/grouping/policies/{uuid4()}").status == 404


def test_editing_a_policy_does_not_change_what_an_old_run_used(
    api_world: ApiWorld, call: Call
) -> None:
    policy = create(call, target_group_size=6)
    call("POST", f"/grouping/policies/{policy['id']}/activate")
    api_world.seed_participants(12)
    run = call("POST", "/build-groups", body={}).json()
    call("PUT", f"/grouping/policies/{policy['id']}", body={"target_group_size": 9})
    shown = call("GET", f"/runs/{run['run_id']}").json()
    assert shown["run"]["options"]["target_group_size"] == 6


def test_a_new_policy_with_sizes_out_of_order_is_a_422(api_world: ApiWorld, call: Call) -> None:
    answer = call("POST", "/grouping/policies", body={"name": "Bad", "min_group_size": 9})
    assert answer.status == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["fallback_group_size"]
    assert api_world.count("select count(*) from public.grouping_policies") == 0
