"""WardStore's reads from PostgREST, exactly: the caller's token on every request, the role,
the roster and the assignments (one RPC each, with their versions), the versions, the audit
trail and the participation facts; a ward the caller may not see is forbidden."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from engine.wards.models import WardMember
from engine.wards.participation import ParticipationFacts
from functions.database.postgrest import PAGE_SIZE, PostgrestTransport, project_client
from functions.wards.schemas import StoredAssignment, WardVersions
from functions.wards.store import WardStore
from functions.web.errors import ForbiddenError
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    SUPABASE_URL,
    FakePostgrest,
    body_of,
    relation_of,
)
from tests.functions.ward_store_fake import ACTOR, ROSTER_ROW, WARD
from tests.functions.ward_store_fake import fake as fake
from tests.functions.ward_store_fake import store as store

AUDIT_COLUMNS = (
    "id,user_hash,action,old_group,new_group,old_household_id,new_household_id,actor_id,"
    "changed_at,batch_id,restored_from"
)


VERSIONS_READ = ("GET", "ward_assignment_versions", [
    ("select", "version,roster_version"), ("ward_branch_id", f"eq.{WARD}"),
    ("offset", "0"), ("limit", "1000"),
])  # fmt: skip


def _sent(fake: FakePostgrest) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(r.method, relation_of(r), list(r.url.params.multi_items())) for r in fake.requests]


def test_every_request_carries_the_callers_token(fake: FakePostgrest, store: WardStore) -> None:
    store.ward_role(ward_id=UUID(WARD))
    store.get_roster(ward_id=UUID(WARD))
    store.get_assignments(ward_id=UUID(WARD))
    store.versions(ward_id=UUID(WARD))
    store.audit_trail(ward_id=UUID(WARD), limit=1)
    assert [relation_of(r) for r in fake.requests] == [
        "rpc/ward_role",
        "rpc/ward_roster_state",
        "rpc/ward_assignment_state",
        "ward_assignment_versions",
        "audit_log",
    ]
    for request in fake.requests:
        assert request.headers["authorization"] == f"Bearer {CALLER_TOKEN}"
        assert request.headers["apikey"] == ANON_KEY


def test_the_role_is_asked_of_the_ward_role_rpc(fake: FakePostgrest, store: WardStore) -> None:
    assert store.ward_role(ward_id=UUID(WARD)) == "leader"
    fake.rpc_answers["ward_role"] = None
    assert store.ward_role(ward_id=UUID(WARD)) is None
    assert [body_of(r) for r in fake.requests] == [{"p_ward_branch_id": WARD}] * 2


def test_the_roster_is_one_rpc_with_its_version(fake: FakePostgrest, store: WardStore) -> None:
    roster = store.get_roster(ward_id=UUID(WARD))
    assert roster.version == 3
    assert roster.members == [
        WardMember(
            user_hash="cohen-1",
            first_name="Dana",
            last_name="Cohen",
            address="1 Herzl St",
            household_id="H-cohen",
        )
    ]
    (request,) = fake.requests
    assert (request.method, relation_of(request)) == ("POST", "rpc/ward_roster_state")
    assert body_of(request) == {"p_ward_branch_id": WARD}
    assert list(request.url.params.multi_items()) == []


def test_a_roster_larger_than_a_page_comes_back_whole_in_one_answer(
    fake: FakePostgrest, store: WardStore
) -> None:
    # One RPC answer is one JSON value, not rows: PostgREST's max_rows does not page it.
    hashes = [f"m-{i:05d}" for i in range(PAGE_SIZE + 1)]
    fake.rpc_answers["ward_roster_state"] = {
        "version": 4,
        "members": [{**ROSTER_ROW, "user_hash": user_hash} for user_hash in hashes],
    }
    roster = store.get_roster(ward_id=UUID(WARD))
    assert len(roster.members) == 1001
    assert [m.user_hash for m in roster.members] == hashes
    assert roster.members[-1].address == "1 Herzl St" and roster.version == 4
    assert [relation_of(r) for r in fake.requests] == ["rpc/ward_roster_state"]


def test_the_versions_are_one_read(fake: FakePostgrest, store: WardStore) -> None:
    assert store.versions(ward_id=UUID(WARD)) == WardVersions(assignments=7, roster=3)
    assert _sent(fake) == [VERSIONS_READ]


def test_invisible_versions_are_forbidden(fake: FakePostgrest, store: WardStore) -> None:
    fake.rows["ward_assignment_versions"] = []
    with pytest.raises(ForbiddenError):
        store.versions(ward_id=UUID(WARD))
    assert _sent(fake) == [VERSIONS_READ]


def test_assignments_are_one_rpc_with_their_version(fake: FakePostgrest, store: WardStore) -> None:
    assignments, version = store.get_assignments(ward_id=UUID(WARD))
    assert version == 7
    assert assignments == [
        StoredAssignment(user_hash="cohen-1", assigned_group="B", household_id="H-cohen"),
        StoredAssignment(user_hash="levi-1", assigned_group="C"),
    ]
    (request,) = fake.requests
    assert (request.method, relation_of(request)) == ("POST", "rpc/ward_assignment_state")
    assert body_of(request) == {"p_ward_branch_id": WARD}
    assert list(request.url.params.multi_items()) == []


def test_a_ward_without_members_has_an_empty_roster_and_no_assignments(
    fake: FakePostgrest, store: WardStore
) -> None:
    fake.rpc_answers["ward_roster_state"] = {"version": 0, "members": []}
    fake.rpc_answers["ward_assignment_state"] = {"version": 0, "assignments": []}
    roster = store.get_roster(ward_id=UUID(WARD))
    assert (roster.members, roster.version) == ([], 0)
    assert store.get_assignments(ward_id=UUID(WARD)) == ([], 0)


def _read_state(store: WardStore, function: str) -> object:
    if function == "ward_roster_state":
        return store.get_roster(ward_id=UUID(WARD))
    return store.get_assignments(ward_id=UUID(WARD))


@pytest.mark.parametrize("function", ["ward_roster_state", "ward_assignment_state"])
def test_a_ward_the_caller_may_not_see_is_forbidden(
    fake: FakePostgrest, store: WardStore, function: str
) -> None:
    fake.rpc_answers[function] = None  # the function's null: no version row visible
    with pytest.raises(ForbiddenError):
        _read_state(store, function)
    assert [relation_of(r) for r in fake.requests] == [f"rpc/{function}"]


@pytest.mark.parametrize("function", ["ward_roster_state", "ward_assignment_state"])
def test_a_null_state_sent_as_an_empty_body_is_forbidden_too(
    fake: FakePostgrest, function: str
) -> None:
    def empty_body(request: httpx.Request) -> httpx.Response:
        if relation_of(request) == f"rpc/{function}":
            fake.requests.append(request)
            return httpx.Response(200, content=b"")  # supabase-py reads this as []
        return fake.handle(request)

    http = httpx.Client(transport=httpx.MockTransport(empty_body))
    client = project_client(SUPABASE_URL, ANON_KEY, http)
    store = WardStore(PostgrestTransport(client, access_token=CALLER_TOKEN))
    with pytest.raises(ForbiddenError):
        _read_state(store, function)
    assert len(fake.requests) == 1


def test_the_audit_trail_is_the_newest_entries(fake: FakePostgrest, store: WardStore) -> None:
    (entry,) = store.audit_trail(ward_id=UUID(WARD), limit=5)
    assert (entry.id, entry.user_hash, entry.new_group, entry.actor_id) == (
        12,
        "levi-1",
        "C",
        UUID(ACTOR),
    )
    assert _sent(fake) == [
        (
            "GET",
            "audit_log",
            [
                ("select", AUDIT_COLUMNS),
                ("ward_branch_id", f"eq.{WARD}"),
                ("order", "id.desc"),
                ("limit", "5"),
            ],
        )
    ]


def test_participation_facts_are_one_rpc(fake: FakePostgrest, store: WardStore) -> None:
    facts = store.participation_facts(ward_id=UUID(WARD))
    assert facts == ParticipationFacts(
        sessions={"A": 2, "All": 1}, attended={"cohen-1": {"A": 1, "All": 1}}
    )
    assert [(relation_of(r), body_of(r)) for r in fake.requests] == [
        ("rpc/ward_participation_facts", {"p_ward_branch_id": WARD})
    ]
