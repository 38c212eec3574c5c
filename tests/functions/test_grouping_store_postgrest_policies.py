"""GroupingStore's policy requests to PostgREST, exactly, through supabase-py and a
MockTransport: reads with explicit columns and filters, create, update (stale or archived
when it matches nothing), delete and activation as RPCs; and the policy schemas' own checks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from pydantic import ValidationError

from functions.database.postgrest import PostgrestTransport, project_client
from functions.grouping.errors import ActivePolicyError, ArchivedPolicyError
from functions.grouping.schemas import PolicyCreate, PolicyUpdate
from functions.grouping.store import GroupingStore
from functions.web.errors import NotFoundError, ServiceError, StaleVersionError
from tests.functions.grouping_store_fake import FIRST_PAGE, STARTED
from tests.functions.grouping_store_fake import fake as fake
from tests.functions.grouping_store_fake import http_client as _client
from tests.functions.grouping_store_fake import query_params as _params
from tests.functions.grouping_store_fake import store as store
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    POLICY_ID,
    POLICY_ROW,
    SUPABASE_URL,
    FakePostgrest,
    body_of,
    relation_of,
)

POLICY_COLUMNS = (
    "kosher_only,min_group_size,fallback_group_size,target_group_size,max_allergy_count,"
    "age_policy,age_bands,scoring_weights,id,name,is_active,created_at,updated_at,archived_at"
)


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
            # As PostgREST answers a counted read of nothing.
            return httpx.Response(200, json=[], headers={"Content-Range": "*/0"})
        return fake.handle(request)

    client = project_client(SUPABASE_URL, ANON_KEY, _client(matches_nothing))
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
