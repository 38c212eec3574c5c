"""What the stores send over PostgREST exists in the migrated database: RPCs, relations, columns.

Every method of GroupingStore, WardStore and EventsStore is called over `PostgrestTransport` against
the PostgREST stand-in; each captured request is then checked against the real schema,
with the grants `authenticated` holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
from psycopg.rows import TupleRow

from engine.wards.models import WardMember
from functions.database.postgrest import PostgrestTransport
from functions.events.schemas import EventCreate, ImportedParticipant
from functions.events.store import EventsStore
from functions.grouping.edit_store import RunEditStore
from functions.grouping.request_store import GroupingRequestStore
from functions.grouping.schemas import (
    ApartPair,
    GroupLock,
    PolicyCreate,
    PolicyPublic,
    PolicyUpdate,
    RunRecord,
    columns_of,
)
from functions.grouping.store import GroupingStore
from functions.wards.schemas import AssignmentChange
from functions.wards.store import WardStore
from tests.functions.postgrest_fake import (
    CALLER_TOKEN,
    EVENT_ID,
    POLICY_ID,
    RUN_ID,
    FakePostgrest,
    body_of,
    empty_grouping_result,
    relation_of,
    sample_rows,
)
from tests.functions.ward_store_fake import WARD, ward_fake

Connection = psycopg.Connection[TupleRow]
RUN = RunRecord(trigger_source="api", started_at=datetime(2026, 11, 1, tzinfo=UTC))
PRIVILEGE_BY_METHOD = {"GET": "select", "POST": "insert", "PATCH": "update", "DELETE": "delete"}
# Query parameters that are not column filters.
NOT_COLUMNS = {"select", "order", "offset", "limit"}
# The model each row-returning RPC's result is read into (all of the row arrives: no select).
RPC_ROW_MODELS = {"activate_grouping_policy": PolicyPublic}


def _calls(store: GroupingStore) -> dict[str, Callable[[], Any]]:
    policy, run, event = UUID(POLICY_ID), UUID(RUN_ID), UUID(EVENT_ID)

    def update_both_ways() -> None:
        for changes in (
            PolicyUpdate(name="n", age_bands=(20,), scoring_weights={"age": 1}),
            PolicyUpdate(),  # no changes: a read of the policy, not a PATCH
        ):
            store.update_policy(
                policy_id=policy, changes=changes, expected_updated_at=datetime.now(UTC)
            )

    return {
        "list_policies": lambda: store.list_policies(),
        "get_policy": lambda: store.get_policy(policy_id=policy),
        "get_active_policy": lambda: store.get_active_policy(),
        "create_policy": lambda: store.create_policy(policy=PolicyCreate(name="n")),
        "update_policy": update_both_ways,
        "delete_policy": lambda: store.delete_policy(policy_id=policy),
        "activate_policy": lambda: store.activate_policy(policy_id=policy),
        "list_active_participants": lambda: (
            store.list_active_participants(),
            store.list_active_participants(event_id=event),
        ),
        "get_event": lambda: store.get_event(event_id=event),
        "save_run": lambda: (
            store.save_run(
                idempotency_key="k", policy_id=policy, run=RUN, result=empty_grouping_result()
            ),
            store.save_run(
                idempotency_key="k",
                policy_id=policy,
                run=RUN,
                result=empty_grouping_result(),
                event_id=event,
            ),
        ),
        "record_failed_run": lambda: (
            store.record_failed_run(policy_id=policy, run=RUN, failure="engine-error"),
            store.record_failed_run(
                policy_id=policy, run=RUN, failure="engine-error", event_id=event
            ),
        ),
        "claim_run": lambda: store.claim_run(idempotency_key="k", request_hash="h"),
        "release_run_claim": lambda: store.release_run_claim(idempotency_key="k"),
        "find_run_by_idempotency_key": lambda: store.find_run_by_idempotency_key(key="k"),
        "get_run": lambda: store.get_run(run_id=run),
        "latest_run_id": lambda: store.latest_run_id(event_id=event),
        "list_locks": lambda: store.requests.list_locks(event_id=event),
        "set_lock": lambda: store.requests.set_lock(
            event_id=event, lock=GroupLock(participant_id=run)
        ),
        "list_apart_pairs": lambda: store.requests.list_apart_pairs(event_id=event),
        "add_apart_pair": lambda: store.requests.add_apart_pair(
            event_id=event, pair=ApartPair.of(run, policy)
        ),
        "remove_lock": lambda: store.requests.remove_lock(event_id=event, participant_id=run),
        "remove_apart_pair": lambda: store.requests.remove_apart_pair(
            event_id=event, pair=ApartPair.of(run, policy)
        ),
    }


@pytest.fixture(scope="module")
def sent_requests() -> list[httpx.Request]:
    fake = FakePostgrest()
    calls = _calls(GroupingStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)))
    # The grouping store's methods, and those of its requests store (locks, apart pairs).
    store_methods = {
        name
        for kind in (GroupingStore, GroupingRequestStore)
        for name in dir(kind)
        if not name.startswith("_")
    }
    assert set(calls) == store_methods, "every store method is exercised"
    for call in calls.values():
        call()
    return fake.requests


def _ward_calls(store: WardStore) -> dict[str, Callable[[], Any]]:
    ward = UUID(WARD)
    member = WardMember(user_hash="h1", first_name="Dana", last_name="Cohen", phone="050")
    change = AssignmentChange(user_hash="h1", new_group="A")
    return {
        "ward_role": lambda: store.ward_role(ward_id=ward),
        "sync_roster": lambda: store.sync_roster(ward_id=ward, members=[member]),
        "versions": lambda: store.versions(ward_id=ward),
        "get_roster": lambda: store.get_roster(ward_id=ward),
        "get_assignments": lambda: store.get_assignments(ward_id=ward),
        "bulk_update": lambda: store.bulk_update(
            ward_id=ward, assignments=[change], expected_version=7
        ),
        "restore": lambda: store.restore(ward_id=ward, audit_id=12, expected_version=8),
        "audit_trail": lambda: store.audit_trail(ward_id=ward, limit=10),
        "participation_facts": lambda: store.participation_facts(ward_id=ward),
    }


@pytest.fixture(scope="module")
def ward_sent_requests() -> list[httpx.Request]:
    fake = ward_fake()
    calls = _ward_calls(WardStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)))
    assert set(calls) == {name for name in dir(WardStore) if not name.startswith("_")}
    for call in calls.values():
        call()
    return fake.requests


def _events_calls(store: EventsStore) -> dict[str, Callable[[], Any]]:
    event = UUID(EVENT_ID)
    # As a survey reader gives them, and as a model.
    read = {"id": "dana@example.org", "full_name": "Dana", "age": "31", "responses": {}}
    person = ImportedParticipant(external_id="row-3", birth_date=date(1990, 5, 1))
    return {
        "create_event": lambda: store.create_event(
            event=EventCreate(name="Friday", event_date=date(2026, 12, 4))
        ),
        "list_events": lambda: (store.list_events(), store.list_events(status="open")),
        "get_event": lambda: store.get_event(event_id=event),
        "close_event": lambda: store.close_event(event_id=event),
        "list_registrations": lambda: store.list_registrations(event_id=event),
        "import_registrations": lambda: store.import_registrations(
            event_id=event, participants=[read, person]
        ),
    }


@pytest.fixture(scope="module")
def events_sent_requests() -> list[httpx.Request]:
    fake = FakePostgrest()
    calls = _events_calls(EventsStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)))
    assert set(calls) == {name for name in dir(EventsStore) if not name.startswith("_")}
    for call in calls.values():
        call()
    return fake.requests


def _edit_calls(store: RunEditStore) -> dict[str, Callable[[], Any]]:
    run = UUID(RUN_ID)
    group = {"number": 1, "members": [POLICY_ID], "score": 0.5, "kosher": False}
    return {
        "list_edits": lambda: store.list_edits(run_id=run),
        "apply_edit": lambda: store.apply_edit(
            run_id=run, expected_seq=0, kind="move", edit={"to_group": 1}, groups=[group]
        ),
    }


@pytest.fixture(scope="module")
def edits_sent_requests() -> list[httpx.Request]:
    fake = FakePostgrest(rows={**sample_rows(), "run_edits": []})
    fake.rpc_answers["edit_run_groups"] = 1
    calls = _edit_calls(RunEditStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)))
    assert set(calls) == {name for name in dir(RunEditStore) if not name.startswith("_")}
    for call in calls.values():
        call()
    return fake.requests


def test_the_run_edit_store_edits_by_rpc_and_reads_the_log(
    edits_sent_requests: list[httpx.Request],
) -> None:
    assert {(r.method, relation_of(r)) for r in edits_sent_requests} == {
        ("GET", "run_edits"),
        ("POST", "rpc/edit_run_groups"),
    }


STORE_REQUESTS = {
    "grouping": "sent_requests",
    "edits": "edits_sent_requests",
    "ward": "ward_sent_requests",
    "events": "events_sent_requests",
}


@pytest.fixture(params=sorted(STORE_REQUESTS))
def store_requests(request: pytest.FixtureRequest) -> list[httpx.Request]:
    """What each store sent over PostgREST, one store per test run."""
    requests: list[httpx.Request] = request.getfixturevalue(STORE_REQUESTS[request.param])
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
    assert set(_rpc_requests(sent_requests)) == {
        "activate_grouping_policy",
        "claim_grouping_run",
        "release_grouping_run",
        "remove_grouping_policy",
        "save_grouping_run",
    }
    assert {(r.method, relation_of(r)) for r in sent_requests if r.method != "POST"} == {
        ("GET", "grouping_policies"),
        ("PATCH", "grouping_policies"),
        ("GET", "participants"),
        ("GET", "event_registrants"),
        ("GET", "events"),
        ("GET", "runs"),
        ("GET", "run_history"),
        ("GET", "run_groups"),
        ("GET", "run_unassigned"),
        ("GET", "grouping_locks"),
        ("GET", "event_apart_pairs"),
        ("DELETE", "grouping_locks"),
        ("DELETE", "event_apart_pairs"),
    }
    assert {relation_of(r) for r in sent_requests if not relation_of(r).startswith("rpc/")} == {
        "grouping_policies",
        "participants",
        "event_registrants",
        "events",
        "runs",
        "run_history",
        "run_groups",
        "run_unassigned",
        "grouping_locks",
        "event_apart_pairs",
    }


def test_a_run_sends_its_event_only_when_it_has_one(sent_requests: list[httpx.Request]) -> None:
    saves = [body_of(r) for r in sent_requests if relation_of(r) == "rpc/save_grouping_run"]
    assert [body.get("event_id") for body in saves] == [None, EVENT_ID, None, EVENT_ID]
    assert ["event_id" in body for body in saves] == [False, True, False, True]


def test_the_events_store_imports_by_rpc_and_reads_its_relations(
    events_sent_requests: list[httpx.Request],
) -> None:
    assert set(_rpc_requests(events_sent_requests)) == {"import_registrations"}
    assert {(r.method, relation_of(r)) for r in events_sent_requests} == {
        ("POST", "events"),
        ("GET", "events"),
        ("PATCH", "events"),
        ("GET", "event_registrants"),
        ("POST", "rpc/import_registrations"),
    }


def test_the_ward_store_calls_its_rpcs_and_reads_its_relations(
    ward_sent_requests: list[httpx.Request],
) -> None:
    assert set(_rpc_requests(ward_sent_requests)) == {
        "ward_role",
        "ward_roster_state",
        "ward_assignment_state",
        "ward_sync_roster",
        "ward_bulk_update",
        "ward_restore_assignments",
        "ward_participation_facts",
    }
    # The roster and the assignments are read by their RPCs, not from ward_members and
    # ward_member_groups; only the versions and the audit trail are selects.
    assert {(r.method, relation_of(r)) for r in ward_sent_requests if r.method != "POST"} == {
        ("GET", "ward_assignment_versions"),
        ("GET", "audit_log"),
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


def test_rpcs_are_called_without_a_select(store_requests: list[httpx.Request]) -> None:
    for name, requests in _rpc_requests(store_requests).items():
        for request in requests:
            assert not _columns_used(request), f"{name}: the transport selects nothing from RPCs"


def test_rpc_rows_have_exactly_the_columns_of_their_model(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for name in _rpc_requests(store_requests):
        returned = db.execute(
            "select array_agg(a.attname::text) from pg_proc p"
            " join pg_type t on t.oid = p.prorettype"
            " join pg_attribute a on a.attrelid = t.typrelid and a.attnum > 0"
            " and not a.attisdropped"
            " where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            [name],
        ).fetchone()
        assert returned is not None
        if returned[0] is None:  # a scalar or jsonb result, not a row
            assert name not in RPC_ROW_MODELS, f"{name} was expected to return a row"
            continue
        assert name in RPC_ROW_MODELS, f"{name} returns a row: say which model reads it"
        # The models forbid unknown fields, so a column more would fail as surely as one less.
        assert set(returned[0]) == set(columns_of(RPC_ROW_MODELS[name])), name


def test_every_row_model_rpc_is_called(sent_requests: list[httpx.Request]) -> None:
    assert set(RPC_ROW_MODELS) <= set(_rpc_requests(sent_requests))


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
