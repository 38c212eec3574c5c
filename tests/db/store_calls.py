"""Every method of each store called over `PostgrestTransport`, and what each sent.

The stores (GroupingStore with its requests store, RunEditStore, WardStore, EventsStore)
are called against the PostgREST stand-in, each method at least once (a fixture fails
when a method is left out), and the captured requests are the fixtures: what the
stores send (test_store_requests.py) and whether the migrated database has it
(test_store_contract.py).
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
from functions.grouping.schemas import ApartPair, GroupLock, PolicyCreate, PolicyUpdate, RunRecord
from functions.grouping.store import GroupingStore
from functions.wards.schemas import AssignmentChange
from functions.wards.store import WardStore
from tests.functions.postgrest_fake import (
    CALLER_TOKEN,
    EVENT_ID,
    POLICY_ID,
    RUN_ID,
    FakePostgrest,
    empty_grouping_result,
    relation_of,
    sample_rows,
)
from tests.functions.ward_store_fake import WARD, ward_fake

Connection = psycopg.Connection[TupleRow]
RUN = RunRecord(trigger_source="api", started_at=datetime(2026, 11, 1, tzinfo=UTC))


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


def rpc_requests(requests: list[httpx.Request]) -> dict[str, list[httpx.Request]]:
    found: dict[str, list[httpx.Request]] = {}
    for request in requests:
        if relation_of(request).startswith("rpc/"):
            found.setdefault(relation_of(request).removeprefix("rpc/"), []).append(request)
    return found
