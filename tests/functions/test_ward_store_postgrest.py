"""WardStore's requests to PostgREST, exactly, and its refusals as domain errors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest

from engine.wards.models import WardMember
from engine.wards.participation import ParticipationFacts
from functions.database.codes import error_for_code
from functions.database.errors import DatabaseError
from functions.database.postgrest import PAGE_SIZE, PostgrestTransport, supabase_client
from functions.wards.errors import (
    DuplicateWardMemberError,
    HouseholdSplitError,
    InvalidWardGroupError,
    MalformedWardPayloadError,
    StaleAssignmentsError,
    UnknownWardMemberError,
    WardPayloadError,
)
from functions.wards.schemas import AssignmentChange, RosterSync, StoredAssignment, WardVersions
from functions.wards.store import WardStore
from functions.web.errors import ForbiddenError, NotFoundError, StaleVersionError
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    STAMP,
    SUPABASE_URL,
    FakePostgrest,
    body_of,
    relation_of,
)

WARD = "55555555-5555-4555-8555-555555555555"
BATCH = "66666666-6666-4666-8666-666666666666"
ACTOR = "77777777-7777-4777-8777-777777777777"
ROSTER_ROW = {
    "user_hash": "cohen-1",
    "first_name": "Dana",
    "last_name": "Cohen",
    "address": "1 Herzl St",
    "phone": None,
    "household_id": "H-cohen",
}
AUDIT_COLUMNS = (
    "id,user_hash,action,old_group,new_group,old_household_id,new_household_id,actor_id,"
    "changed_at,batch_id,restored_from"
)


VERSIONS_READ = ("GET", "ward_assignment_versions", [
    ("select", "version,roster_version"), ("ward_branch_id", f"eq.{WARD}"),
    ("offset", "0"), ("limit", "1000"),
])  # fmt: skip
# What ward_roster_state and ward_assignment_state answer (sql/migrations/0019).
ROSTER_STATE = {"version": 3, "members": [ROSTER_ROW]}
ASSIGNMENT_STATE = {
    "version": 7,
    "assignments": [
        {"user_hash": "cohen-1", "assigned_group": "B", "household_id": "H-cohen"},
        {"user_hash": "levi-1", "assigned_group": "C", "household_id": None},
    ],
}


def ward_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "ward_assignment_versions": [{"version": 7, "roster_version": 3}],
        "audit_log": [
            {
                "id": 12,
                "user_hash": "levi-1",
                "action": "update",
                "old_group": "A",
                "new_group": "C",
                "old_household_id": None,
                "new_household_id": None,
                "actor_id": ACTOR,
                "changed_at": STAMP,
                "batch_id": BATCH,
                "restored_from": None,
            }
        ],
    }


def ward_fake() -> FakePostgrest:
    """A PostgREST stand-in holding one ward's rows and answering the ward RPCs."""
    answers = {
        "ward_role": "leader",
        "ward_roster_state": ROSTER_STATE,
        "ward_assignment_state": ASSIGNMENT_STATE,
        "ward_sync_roster": {"added": 1, "updated": 0, "removed": 2, "rejoined": 1},
        "ward_bulk_update": 8,
        "ward_restore_assignments": 9,
        "ward_participation_facts": {
            "sessions": {"A": 2, "All": 1},
            "attended": {"cohen-1": {"A": 1, "All": 1}},
        },
    }
    return FakePostgrest(rows=ward_rows(), rpc_answers=answers)


@pytest.fixture
def fake() -> FakePostgrest:
    return ward_fake()


@pytest.fixture
def store(fake: FakePostgrest) -> WardStore:
    return WardStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN))


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


def test_a_roster_sync_is_one_rpc_in_camel_case(fake: FakePostgrest, store: WardStore) -> None:
    members = [
        WardMember(user_hash="cohen-1", first_name="Dana", last_name="Cohen", address="1 Herzl"),
        WardMember(user_hash="levi-1", first_name="Avi", last_name="Levi", household_id="H-l"),
    ]
    move = AssignmentChange(user_hash="levi-1", new_group="B", household_id="H-l")
    outcome = store.sync_roster(
        ward_id=UUID(WARD), members=members, moves=[move], expected_version=7
    )
    assert outcome == RosterSync(added=1, updated=0, removed=2, rejoined=1)
    (request,) = fake.requests
    assert relation_of(request) == "rpc/ward_sync_roster"
    assert body_of(request) == {
        "p_ward_branch_id": WARD,
        "p_members": [
            {"userHash": "cohen-1", "firstName": "Dana", "lastName": "Cohen",
             "address": "1 Herzl", "phone": None, "householdId": None},
            {"userHash": "levi-1", "firstName": "Avi", "lastName": "Levi",
             "address": None, "phone": None, "householdId": "H-l"},
        ],
        "p_assignments": [{"userHash": "levi-1", "newGroup": "B", "householdId": "H-l"}],
        "p_expected_version": 7,
    }  # fmt: skip


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
    client = supabase_client(SUPABASE_URL, ANON_KEY, http)
    store = WardStore(PostgrestTransport(client, access_token=CALLER_TOKEN))
    with pytest.raises(ForbiddenError):
        _read_state(store, function)
    assert len(fake.requests) == 1


def test_bulk_update_and_restore_are_one_rpc_each(fake: FakePostgrest, store: WardStore) -> None:
    changes = [
        AssignmentChange(user_hash="cohen-1", new_group="A", household_id="H-cohen"),
        AssignmentChange(user_hash="levi-1", new_group="D"),
    ]
    assert store.bulk_update(ward_id=UUID(WARD), assignments=changes, expected_version=7) == 8
    households = {"cohen-1": "H-cohen", "levi-1": "auto:levi"}
    restored = store.restore(
        ward_id=UUID(WARD), audit_id=12, expected_version=8, households=households
    )
    assert restored == 9
    assert [(relation_of(r), body_of(r)) for r in fake.requests] == [
        (
            "rpc/ward_bulk_update",
            {
                "p_ward_branch_id": WARD,
                "p_assignments": [
                    {"userHash": "cohen-1", "newGroup": "A", "householdId": "H-cohen"},
                    {"userHash": "levi-1", "newGroup": "D", "householdId": None},
                ],
                "p_expected_version": 7,
            },
        ),
        (
            "rpc/ward_restore_assignments",
            {
                "p_ward_branch_id": WARD,
                "p_audit_id": 12,
                "p_expected_version": 8,
                "p_households": {"cohen-1": "H-cohen", "levi-1": "auto:levi"},
            },
        ),
    ]


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


def _refuse(fake: FakePostgrest, code: str, details: str | None) -> None:
    body = {"code": code, "message": "secret SQL text", "details": details, "hint": None}
    fake.failures["POST", "rpc/ward_bulk_update"] = (400, body)


@pytest.mark.parametrize(
    ("code", "details", "error", "named"),
    [
        ("WB001", '{"user_hash": "ghost-1"}', UnknownWardMemberError, ("ghost-1", None, None)),
        ("WB002", '{"user_hash": "levi-1", "group": "E"}', InvalidWardGroupError,
         ("levi-1", "E", None)),
        ("WB003", '{"household_id": "H-cohen"}', HouseholdSplitError, (None, None, "H-cohen")),
        ("WB005", '{"user_hash": "levi-1"}', DuplicateWardMemberError, ("levi-1", None, None)),
        ("WB005", None, MalformedWardPayloadError, (None, None, None)),
        ("WB006", "not json", WardPayloadError, (None, None, None)),
    ],
)  # fmt: skip
def test_refusals_name_the_offender_without_sql_text(
    fake: FakePostgrest,
    store: WardStore,
    code: str,
    details: str | None,
    error: type[WardPayloadError],
    named: tuple[str | None, str | None, str | None],
) -> None:
    _refuse(fake, code, details)
    with pytest.raises(error) as refused:
        store.bulk_update(ward_id=UUID(WARD), assignments=[], expected_version=7)
    assert type(refused.value) is error
    assert (refused.value.user_hash, refused.value.group, refused.value.household_id) == named
    assert str(refused.value) == error.default_detail


def test_a_stale_version_carries_the_current_one(fake: FakePostgrest, store: WardStore) -> None:
    _refuse(fake, "WB004", '{"current_version": 11}')
    with pytest.raises(StaleVersionError) as refused:
        store.bulk_update(ward_id=UUID(WARD), assignments=[], expected_version=7)
    assert isinstance(refused.value, StaleAssignmentsError)
    assert refused.value.current_version == 11


@pytest.mark.parametrize(
    ("code", "error"),
    [("42501", ForbiddenError), ("P0002", NotFoundError), ("XX000", DatabaseError)],
)
def test_other_codes_keep_their_mapping_when_a_detail_comes_along(
    code: str, error: type[DatabaseError]
) -> None:
    assert type(error_for_code(code, '{"audit_id": 3}')) is error


def test_a_stale_refusal_without_a_readable_version_still_is_stale() -> None:
    mapped = error_for_code("WB004", '{"current_version": "seven"}')
    assert isinstance(mapped, StaleAssignmentsError) and mapped.current_version is None
