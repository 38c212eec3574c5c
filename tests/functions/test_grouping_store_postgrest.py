"""GroupingStore's requests to PostgREST, exactly, through supabase-py and a MockTransport."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from pydantic import ValidationError

from functions.auth.errors import CredentialsRejectedError
from functions.database.codes import error_for_code
from functions.database.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    InvalidPayloadError,
    ReferentialIntegrityError,
)
from functions.database.postgrest import PAGE_SIZE, PostgrestTransport, supabase_client
from functions.grouping.errors import (
    ActivePolicyError,
    ArchivedPolicyError,
    IdempotencyConflictError,
)
from functions.grouping.schemas import PolicyCreate, PolicyUpdate, RunRecord
from functions.grouping.store import GroupingStore
from functions.web.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceError,
    StaleVersionError,
)
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    PERSON_ID,
    POLICY_ID,
    POLICY_ROW,
    RUN_ID,
    SUPABASE_URL,
    FakePostgrest,
    body_of,
    empty_grouping_result,
    relation_of,
)

POLICY_COLUMNS = (
    "kosher_only,min_group_size,fallback_group_size,target_group_size,max_allergy_count,"
    "age_policy,age_bands,scoring_weights,id,name,is_active,created_at,updated_at,archived_at"
)
STARTED = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
# A select without a limit asks for its first page of 1000 rows (and more while pages are full).
FIRST_PAGE = [("offset", "0"), ("limit", "1000")]


@pytest.fixture
def fake() -> FakePostgrest:
    return FakePostgrest()


@pytest.fixture
def store(fake: FakePostgrest) -> GroupingStore:
    return GroupingStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN))


def _params(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def test_every_request_carries_the_callers_token_and_the_api_key(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    store.list_policies()
    store.activate_policy(policy_id=UUID(POLICY_ID))
    for request in fake.requests:
        assert request.headers["authorization"] == f"Bearer {CALLER_TOKEN}"
        assert request.headers["apikey"] == ANON_KEY
        assert request.url.host == "project-ref.supabase.co"


def test_one_callers_token_never_reaches_the_next_callers_requests(fake: FakePostgrest) -> None:
    client = fake.client()
    GroupingStore(PostgrestTransport(client, access_token="first.caller.token")).list_policies()
    GroupingStore(PostgrestTransport(client, access_token="second.caller.token")).list_policies()
    GroupingStore(PostgrestTransport.for_service_role(client)).list_policies()
    assert [r.headers["authorization"] for r in fake.requests] == [
        "Bearer first.caller.token",
        "Bearer second.caller.token",
        f"Bearer {ANON_KEY}",  # the client's own key: in production, the service key
    ]


def test_the_client_is_made_once_per_url_and_key() -> None:
    first = supabase_client(SUPABASE_URL, ANON_KEY)
    assert supabase_client(SUPABASE_URL, ANON_KEY) is first
    assert supabase_client(SUPABASE_URL, "service-key") is not first


def test_policies_are_read_with_explicit_columns_and_filters(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    policies = store.list_policies()
    store.list_policies(include_archived=True)
    active = store.get_active_policy()
    store.get_policy(policy_id=UUID(POLICY_ID))

    assert [(r.method, r.url.path) for r in fake.requests] == [
        ("GET", "/rest/v1/grouping_policies")
    ] * 4
    order = ("order", "created_at.asc,id.asc")
    select = ("select", POLICY_COLUMNS)
    assert [_params(r) for r in fake.requests] == [
        [select, ("archived_at", "is.null"), order, *FIRST_PAGE],
        [select, order, *FIRST_PAGE],
        [select, ("is_active", "is.true"), order, *FIRST_PAGE],
        [select, ("id", f"eq.{POLICY_ID}"), order, *FIRST_PAGE],
    ]
    assert [p.name for p in policies] == ["Friday dinner"]
    assert active is not None and active.age_bands == (18, 30, 50)


def test_an_unknown_policy_is_not_found(fake: FakePostgrest, store: GroupingStore) -> None:
    fake.rows["grouping_policies"] = []
    with pytest.raises(NotFoundError):
        store.get_policy(policy_id=UUID(POLICY_ID))
    assert store.get_active_policy() is None


def test_create_posts_the_policy_and_asks_for_it_back(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    created = store.create_policy(policy=PolicyCreate(name="Friday dinner", kosher_only=True))
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/grouping_policies")
    assert _params(request) == [("select", POLICY_COLUMNS)]
    assert "return=representation" in request.headers["prefer"]
    assert body_of(request) == {
        "name": "Friday dinner",
        "kosher_only": True,
        "min_group_size": 4,
        "fallback_group_size": 5,
        "target_group_size": 6,
        "max_allergy_count": 3,
        "age_policy": "banded",
        "age_bands": [18, 25, 30, 35, 40, 50, 60],
        "scoring_weights": {},
    }
    assert created.id == UUID(POLICY_ID)


def test_update_patches_only_the_changed_fields_of_the_expected_version(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    store.update_policy(
        policy_id=UUID(POLICY_ID),
        changes=PolicyUpdate(name="Renamed", target_group_size=7),
        expected_updated_at=STARTED,
    )
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("PATCH", "/rest/v1/grouping_policies")
    assert body_of(request) == {"name": "Renamed", "target_group_size": 7}
    assert _params(request) == [
        ("id", f"eq.{POLICY_ID}"),
        ("archived_at", "is.null"),
        ("updated_at", "eq.2026-11-01T20:00:00+00:00"),
        ("select", POLICY_COLUMNS),
    ]


@pytest.mark.parametrize(
    ("changes", "refused_by"),
    [
        # A PATCH that matches no row; then the plain read by id tells stale from archived.
        ({"name": "x"}, "PATCH"),
        # No changes: the read with the version filters finds nothing, the read by id does.
        ({}, "GET"),
    ],
)
def test_an_update_that_matches_nothing_is_stale_or_archived(
    fake: FakePostgrest, changes: dict[str, Any], refused_by: str
) -> None:
    live = dict(POLICY_ROW)
    fake.rows["grouping_policies"] = [live]

    def matches_nothing(request: httpx.Request) -> httpx.Response:
        if request.method == refused_by and "updated_at" in request.url.params:
            fake.requests.append(request)
            return httpx.Response(200, json=[])
        return fake.handle(request)

    client = supabase_client(SUPABASE_URL, ANON_KEY, _client(matches_nothing))
    store = GroupingStore(PostgrestTransport(client, access_token=CALLER_TOKEN))
    update = PolicyUpdate.model_validate(changes)
    with pytest.raises(StaleVersionError):
        store.update_policy(policy_id=UUID(POLICY_ID), changes=update, expected_updated_at=STARTED)
    live["archived_at"] = "2026-11-02T00:00:00+00:00"
    with pytest.raises(ArchivedPolicyError):
        store.update_policy(policy_id=UUID(POLICY_ID), changes=update, expected_updated_at=STARTED)
    # Nothing but the refused request and the reads that explain it.
    assert {r.method for r in fake.requests} == {refused_by, "GET"}


def test_an_update_without_changes_reads_the_policy_instead_of_patching(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    unchanged = store.update_policy(
        policy_id=UUID(POLICY_ID), changes=PolicyUpdate(), expected_updated_at=STARTED
    )
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("GET", "/rest/v1/grouping_policies")
    assert _params(request) == [
        ("select", POLICY_COLUMNS),
        ("id", f"eq.{POLICY_ID}"),
        ("archived_at", "is.null"),
        ("updated_at", "eq.2026-11-01T20:00:00+00:00"),
        ("order", "created_at.asc,id.asc"),
        *FIRST_PAGE,
    ]
    assert (unchanged.id, unchanged.name) == (UUID(POLICY_ID), "Friday dinner")


def _client(handler: Any) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize("outcome", ["deleted", "archived"])
def test_delete_is_one_rpc_answering_deleted_or_archived(
    fake: FakePostgrest, store: GroupingStore, outcome: str
) -> None:
    # The database function deletes, or archives when runs refer to the policy.
    fake.rpc_answers["remove_grouping_policy"] = outcome
    assert store.delete_policy(policy_id=UUID(POLICY_ID)) == outcome
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/remove_grouping_policy")
    assert body_of(request) == {"policy_id": POLICY_ID}
    assert _params(request) == []


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        # PostgREST answers 400 for the schema's own SQLSTATEs and 500 for P0002.
        (400, "GR003", ActivePolicyError),  # the active policy
        (500, "P0002", NotFoundError),  # no such policy (or one the caller cannot see)
    ],
)
def test_a_refused_delete_is_a_domain_error(
    fake: FakePostgrest,
    store: GroupingStore,
    status: int,
    code: str,
    error: type[ServiceError],
) -> None:
    fake.fail("POST", "rpc/remove_grouping_policy", status, code)
    with pytest.raises(error) as refused:
        store.delete_policy(policy_id=UUID(POLICY_ID))
    assert type(refused.value) is error
    assert [relation_of(r) for r in fake.requests] == ["rpc/remove_grouping_policy"]


def test_activation_calls_the_rpc_by_name(fake: FakePostgrest, store: GroupingStore) -> None:
    activated = store.activate_policy(policy_id=UUID(POLICY_ID))
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/activate_grouping_policy")
    assert body_of(request) == {"policy_id": POLICY_ID}
    assert _params(request) == []  # the function's whole row comes back: no select
    assert (activated.id, activated.is_active) == (UUID(POLICY_ID), True)


def test_participants_are_read_page_by_page(fake: FakePostgrest, store: GroupingStore) -> None:
    template = fake.rows["participants"][0]
    people = [{**template, "id": f"{n:08d}-0000-4000-8000-000000000000"} for n in range(2500)]
    fake.rows["participants"] = people
    participants = store.list_active_participants()
    assert [p.id for p in participants] == [p["id"] for p in people]
    assert [(r.url.params["offset"], r.url.params["limit"]) for r in fake.requests] == [
        ("0", str(PAGE_SIZE)),
        ("1000", str(PAGE_SIZE)),
        ("2000", str(PAGE_SIZE)),
    ]
    assert _params(fake.requests[0])[:3] == [
        ("select", "id,full_name,age,birth_date,responses"),
        ("active", "is.true"),
        ("order", "id.asc"),
    ]


def test_save_sends_the_run_and_result_to_the_rpc(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    run = RunRecord(trigger_source="api", options={"seed": 3}, started_at=STARTED)
    run_id = store.save_run(
        idempotency_key="key-1",
        policy_id=UUID(POLICY_ID),
        run=run,
        result=empty_grouping_result(),
        request_hash="abc",
    )
    (request,) = fake.requests
    assert (request.method, request.url.path) == ("POST", "/rest/v1/rpc/save_grouping_run")
    body = body_of(request)
    assert set(body) == {"idempotency_key", "policy_id", "run", "result", "request_hash"}
    assert (body["idempotency_key"], body["policy_id"], body["request_hash"]) == (
        "key-1",
        POLICY_ID,
        "abc",
    )
    assert body["run"] == {
        "trigger_source": "api",
        "options": {"seed": 3},
        "engine_version": None,
        "started_at": "2026-11-01T20:00:00Z",
        "finished_at": None,
        "status": "succeeded",
        "error": None,
    }
    assert body["result"]["groups"] == []
    assert body["result"]["diagnostics"]["engine"]["seed"] == 1
    assert run_id == UUID(RUN_ID)


def test_a_failed_run_is_saved_without_key_or_rows(
    fake: FakePostgrest, store: GroupingStore
) -> None:
    run = RunRecord(trigger_source="nightly", started_at=STARTED)
    store.record_failed_run(policy_id=UUID(POLICY_ID), run=run, failure="engine-error")
    body = body_of(fake.requests[0])
    assert body["idempotency_key"] is None
    assert (body["run"]["status"], body["run"]["error"]) == ("failed", "engine-error")
    assert body["result"] == {"groups": [], "unassigned": [], "diagnostics": {}}


def test_a_run_is_found_by_its_idempotency_key(fake: FakePostgrest, store: GroupingStore) -> None:
    found = store.find_run_by_idempotency_key(key="key, with (odd) chars")
    assert found is not None
    assert (found.run_id, found.request_hash) == (UUID(RUN_ID), "hash-of-the-first-request")
    (request,) = fake.requests
    assert request.url.path == "/rest/v1/runs"
    assert _params(request) == [
        ("select", "id,payload_hash"),
        ("idempotency_key", "eq.key, with (odd) chars"),
        *FIRST_PAGE,
    ]
    fake.rows["runs"] = []
    assert store.find_run_by_idempotency_key(key="unknown") is None


def test_a_run_is_read_with_its_groups_and_queue(fake: FakePostgrest, store: GroupingStore) -> None:
    detail = store.get_run(run_id=UUID(RUN_ID))
    assert [relation_of(r) for r in fake.requests] == [
        "run_history",
        "runs",
        "run_groups",
        "run_unassigned",
    ]
    assert _params(fake.requests[1]) == [
        ("select", "options,diagnostics"),
        ("id", f"eq.{RUN_ID}"),
        *FIRST_PAGE,
    ]
    assert ("order", "group_number.asc") in _params(fake.requests[2])
    assert ("order", "participant_id.asc") in _params(fake.requests[3])
    assert (detail.run.run_number, detail.run.options) == (42, {"seed": 1})
    assert detail.groups[0].member_ids == [UUID(PERSON_ID)]
    assert detail.unassigned[0].reason == "missing-age"


def test_a_run_nobody_can_see_is_not_found(fake: FakePostgrest, store: GroupingStore) -> None:
    fake.rows["run_history"] = []
    with pytest.raises(NotFoundError):
        store.get_run(run_id=UUID(RUN_ID))


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (403, "42501", ForbiddenError),
        (400, "P0002", NotFoundError),
        (400, "GR001", IdempotencyConflictError),
        (400, "GR002", ArchivedPolicyError),
        (409, "23505", ConflictError),
        (409, "23503", ReferentialIntegrityError),
        (400, "22023", InvalidPayloadError),
        (401, "PGRST301", CredentialsRejectedError),
        (503, "PGRST001", DatabaseUnavailableError),
    ],
)
def test_postgrest_errors_become_domain_errors_without_their_text(
    fake: FakePostgrest, store: GroupingStore, status: int, code: str, error: type[ServiceError]
) -> None:
    fake.fail("POST", "rpc/save_grouping_run", status, code)
    run = RunRecord(trigger_source="api", started_at=STARTED)
    with pytest.raises(error) as raised:
        store.save_run(
            idempotency_key="k", policy_id=UUID(POLICY_ID), run=run, result=empty_grouping_result()
        )
    assert type(raised.value) is error
    assert "secret" not in str(raised.value) and raised.value.__suppress_context__


def test_a_network_failure_is_unavailable() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = supabase_client(SUPABASE_URL, ANON_KEY, _client(unreachable))
    with pytest.raises(DatabaseUnavailableError):
        GroupingStore(PostgrestTransport(client, access_token=CALLER_TOKEN)).list_policies()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("42501", ForbiddenError),
        ("P0002", NotFoundError),
        ("GR001", IdempotencyConflictError),
        ("GR002", ArchivedPolicyError),
        ("GR003", ActivePolicyError),
        ("23505", ConflictError),
        ("23503", ReferentialIntegrityError),
        ("23514", InvalidPayloadError),
        ("22P02", InvalidPayloadError),
        ("08006", DatabaseUnavailableError),
        ("40001", DatabaseUnavailableError),
        ("503", DatabaseUnavailableError),
        ("PGRST116", NotFoundError),
        ("XX000", DatabaseError),
        (None, DatabaseError),
    ],
)
def test_codes_map_to_domain_errors(code: str | None, error: type[ServiceError]) -> None:
    mapped = error_for_code(code)
    assert type(mapped) is error
    assert str(mapped) == error.default_detail


def test_a_new_policy_is_checked_by_the_engines_option_rules() -> None:
    with pytest.raises(ValidationError) as refused:
        PolicyCreate(name="bad sizes", min_group_size=6, fallback_group_size=5)
    assert "fallback_group_size" in str(refused.value)
    with pytest.raises(ValidationError):
        PolicyCreate(name="unknown field", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        PolicyCreate(name="   ")


def test_an_update_sends_only_what_was_given() -> None:
    changes = PolicyUpdate.model_validate({"name": "x", "kosher_only": None, "age_bands": [20]})
    assert changes.changed_columns() == {"name": "x", "age_bands": [20]}
