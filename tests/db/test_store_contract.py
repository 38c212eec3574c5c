"""What the Supabase stores send exists in the migrated database: RPCs, tables, views, columns.

Every method of SupabaseStore and SupabaseWardStore is called against the PostgREST
stand-in; each captured request is then checked against the real schema, with the
grants `authenticated` holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from psycopg.rows import TupleRow

from engine.wards.models import WardMember
from functions.common.store import GroupingStore, PolicyCreate, PolicyUpdate, RunRecord
from functions.common.store_supabase import SupabaseStore
from functions.common.ward_store import AssignmentChange, WardStore
from functions.common.ward_store_supabase import SupabaseWardStore
from tests.functions.postgrest_fake import (
    CALLER_TOKEN,
    POLICY_ID,
    RUN_ID,
    FakePostgrest,
    body_of,
    empty_grouping_result,
    relation_of,
)
from tests.functions.test_ward_store_supabase import WARD, ward_fake

Connection = psycopg.Connection[TupleRow]
RUN = RunRecord(trigger_source="api", started_at=datetime(2026, 11, 1, tzinfo=UTC))
PRIVILEGE_BY_METHOD = {"GET": "select", "POST": "insert", "PATCH": "update", "DELETE": "delete"}
# Query parameters that are not column filters.
NOT_COLUMNS = {"select", "order", "offset", "limit"}


def _calls(store: SupabaseStore, fake: FakePostgrest) -> dict[str, Callable[[], Any]]:
    policy, run = UUID(POLICY_ID), UUID(RUN_ID)

    def delete_both_ways() -> None:
        store.delete_policy(policy_id=policy)
        fake.fail("DELETE", "grouping_policies", 409, "23503")
        store.delete_policy(policy_id=policy)

    return {
        "list_policies": lambda: store.list_policies(),
        "get_policy": lambda: store.get_policy(policy_id=policy),
        "get_active_policy": lambda: store.get_active_policy(),
        "create_policy": lambda: store.create_policy(policy=PolicyCreate(name="n")),
        "update_policy": lambda: store.update_policy(
            policy_id=policy,
            changes=PolicyUpdate(name="n", age_bands=(20,), scoring_weights={"age": 1}),
            expected_updated_at=datetime.now(UTC),
        ),
        "delete_policy": delete_both_ways,
        "activate_policy": lambda: store.activate_policy(policy_id=policy),
        "list_active_participants": lambda: store.list_active_participants(),
        "save_run": lambda: store.save_run(
            idempotency_key="k", policy_id=policy, run=RUN, result=empty_grouping_result()
        ),
        "record_failed_run": lambda: store.record_failed_run(
            policy_id=policy, run=RUN, failure="engine-error"
        ),
        "find_run_by_idempotency_key": lambda: store.find_run_by_idempotency_key(key="k"),
        "get_run": lambda: store.get_run(run_id=run),
    }


@pytest.fixture(scope="module")
def sent_requests() -> list[httpx.Request]:
    fake = FakePostgrest()
    calls = _calls(SupabaseStore(fake.client(), access_token=CALLER_TOKEN), fake)
    store_methods = {name for name in dir(GroupingStore) if not name.startswith("_")}
    assert set(calls) == store_methods, "every store method is exercised"
    for call in calls.values():
        call()
    return fake.requests


def _ward_calls(store: SupabaseWardStore) -> dict[str, Callable[[], Any]]:
    ward = UUID(WARD)
    member = WardMember(user_hash="h1", first_name="Dana", last_name="Cohen", phone="050")
    change = AssignmentChange(user_hash="h1", new_group="A", household_id="H1")
    return {
        "ward_role": lambda: store.ward_role(ward_id=ward),
        "sync_roster": lambda: store.sync_roster(
            ward_id=ward, members=[member], moves=[change], expected_version=3
        ),
        "versions": lambda: store.versions(ward_id=ward),
        "get_roster": lambda: store.get_roster(ward_id=ward),
        "get_assignments": lambda: store.get_assignments(ward_id=ward),
        "bulk_update": lambda: store.bulk_update(
            ward_id=ward, assignments=[change], expected_version=7
        ),
        "restore": lambda: store.restore(
            ward_id=ward, audit_id=12, expected_version=8, households={"h1": "H1"}
        ),
        "audit_trail": lambda: store.audit_trail(ward_id=ward, limit=10),
        "participation_facts": lambda: store.participation_facts(ward_id=ward),
    }


@pytest.fixture(scope="module")
def ward_sent_requests() -> list[httpx.Request]:
    fake = ward_fake()
    calls = _ward_calls(SupabaseWardStore(fake.client(), access_token=CALLER_TOKEN))
    assert set(calls) == {name for name in dir(WardStore) if not name.startswith("_")}
    for call in calls.values():
        call()
    return fake.requests


@pytest.fixture(params=["grouping", "ward"])
def store_requests(request: pytest.FixtureRequest) -> list[httpx.Request]:
    """What each Supabase store sent, one store per test run."""
    name = "sent_requests" if request.param == "grouping" else "ward_sent_requests"
    requests: list[httpx.Request] = request.getfixturevalue(name)
    return requests


def _rpc_requests(requests: list[httpx.Request]) -> dict[str, list[httpx.Request]]:
    found: dict[str, list[httpx.Request]] = {}
    for request in requests:
        if relation_of(request).startswith("rpc/"):
            found.setdefault(relation_of(request).removeprefix("rpc/"), []).append(request)
    return found


def _columns_used(request: httpx.Request) -> set[str]:
    used: set[str] = set()
    for key, value in request.url.params.multi_items():
        if key == "select":
            used.update(value.split(","))
        elif key == "order":
            used.update(part.split(".")[0] for part in value.split(","))
        elif key not in NOT_COLUMNS:
            used.add(key)
    body = body_of(request)
    if isinstance(body, dict) and not relation_of(request).startswith("rpc/"):
        used.update(body)
    return used


def _columns_of(db: Connection, relation: str) -> set[str]:
    rows = db.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = %s",
        [relation],
    ).fetchall()
    return {row[0] for row in rows}


def test_the_store_sends_rpcs_and_reads_relations(sent_requests: list[httpx.Request]) -> None:
    assert set(_rpc_requests(sent_requests)) == {"activate_grouping_policy", "save_grouping_run"}
    relations = {relation_of(r) for r in sent_requests} - {"rpc/activate_grouping_policy"}
    assert relations - {"rpc/save_grouping_run"} == {
        "grouping_policies",
        "participants",
        "runs",
        "run_history",
        "run_groups",
        "run_unassigned",
    }


def test_the_ward_store_calls_its_rpcs_and_reads_its_relations(
    ward_sent_requests: list[httpx.Request],
) -> None:
    assert set(_rpc_requests(ward_sent_requests)) == {
        "ward_role",
        "ward_sync_roster",
        "ward_bulk_update",
        "ward_restore_assignments",
        "ward_participation_facts",
    }
    assert {relation_of(r) for r in ward_sent_requests if r.method != "POST"} == {
        "ward_members",
        "ward_assignment_versions",
        "ward_member_groups",
        "audit_log",
    }


def test_every_rpc_exists_with_these_parameter_names_for_authenticated(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for name, requests in _rpc_requests(store_requests).items():
        functions = db.execute(
            "select p.proargnames, p.pronargs - p.pronargdefaults,"
            " has_function_privilege('authenticated', p.oid, 'execute')"
            " from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            [name],
        ).fetchall()
        assert len(functions) == 1, f"{name}: exactly one function, so PostgREST finds it"
        argument_names, required_count, executable = functions[0]
        assert executable, f"{name} is executable by authenticated"
        for request in requests:
            sent = set(body_of(request))
            assert sent <= set(argument_names), f"{name}: unknown parameters"
            assert set(argument_names[:required_count]) <= sent, f"{name}: required parameters"


def test_rpc_results_have_the_columns_selected_from_them(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for name, requests in _rpc_requests(store_requests).items():
        for request in requests:
            selected = _columns_used(request)
            if not selected:
                continue
            returned = db.execute(
                "select array_agg(a.attname::text) from pg_proc p"
                " join pg_type t on t.oid = p.prorettype"
                " join pg_attribute a on a.attrelid = t.typrelid and a.attnum > 0"
                " where p.pronamespace = 'public'::regnamespace and p.proname = %s",
                [name],
            ).fetchone()
            assert returned is not None and returned[0] is not None, f"{name} returns a row type"
            assert selected <= set(returned[0]), f"{name}: selected columns it does not return"


def test_every_table_and_view_read_or_written_has_its_columns_and_grants(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for request in store_requests:
        relation = relation_of(request)
        if relation.startswith("rpc/"):
            continue
        missing = _columns_used(request) - _columns_of(db, relation)
        assert not missing, f"{request.method} {relation}: no such columns {sorted(missing)}"
        privilege = PRIVILEGE_BY_METHOD[request.method]
        allowed = db.execute(
            "select has_table_privilege('authenticated', %s, %s)", [f"public.{relation}", privilege]
        ).fetchone()
        assert allowed == (True,), f"authenticated may {privilege} {relation}"
