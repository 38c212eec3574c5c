"""GroupingStore's transport to PostgREST, through supabase-py and a MockTransport: the
caller's token and the API key on every request (never the previous caller's), one client
per URL and key, and PostgREST's failures and codes as domain errors without their text."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from functions.auth.errors import CredentialsRejectedError
from functions.database.codes import error_for_code
from functions.database.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    InvalidPayloadError,
    ReferentialIntegrityError,
)
from functions.database.postgrest import PostgrestTransport, project_client
from functions.grouping.errors import (
    ActivePolicyError,
    ArchivedPolicyError,
    IdempotencyConflictError,
)
from functions.grouping.schemas import RunRecord
from functions.grouping.store import GroupingStore
from functions.web.errors import ConflictError, ForbiddenError, NotFoundError, ServiceError
from tests.functions.grouping_store_fake import STARTED
from tests.functions.grouping_store_fake import fake as fake
from tests.functions.grouping_store_fake import http_client as _client
from tests.functions.grouping_store_fake import store as store
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    POLICY_ID,
    SUPABASE_URL,
    FakePostgrest,
    empty_grouping_result,
)


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
    first = project_client(SUPABASE_URL, ANON_KEY)
    assert project_client(SUPABASE_URL, ANON_KEY) is first
    assert project_client(SUPABASE_URL, "service-key") is not first


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

    client = project_client(SUPABASE_URL, ANON_KEY, _client(unreachable))
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
