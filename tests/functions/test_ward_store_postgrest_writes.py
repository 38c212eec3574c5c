"""WardStore's writes to PostgREST, exactly: a roster sync, a bulk update and a restore, one
RPC each in camel case; and the database's refusals as domain errors naming the offender."""

from __future__ import annotations

from uuid import UUID

import pytest

from engine.wards.models import WardMember
from functions.database.codes import error_for_code
from functions.database.errors import DatabaseError
from functions.wards.errors import (
    DuplicateWardMemberError,
    HouseholdSplitError,
    InvalidWardGroupError,
    MalformedWardPayloadError,
    StaleAssignmentsError,
    UnknownWardMemberError,
    WardPayloadError,
)
from functions.wards.schemas import AssignmentChange, RosterSync
from functions.wards.store import WardStore
from functions.web.errors import ForbiddenError, NotFoundError, StaleVersionError
from tests.functions.postgrest_fake import FakePostgrest, body_of, relation_of
from tests.functions.ward_store_fake import WARD
from tests.functions.ward_store_fake import fake as fake
from tests.functions.ward_store_fake import store as store


def test_a_roster_sync_is_one_rpc_in_camel_case(fake: FakePostgrest, store: WardStore) -> None:
    members = [
        WardMember(user_hash="cohen-1", first_name="Dana", last_name="Cohen", address="1 Herzl"),
        WardMember(user_hash="levi-1", first_name="Avi", last_name="Levi", household_id="H-l"),
    ]
    outcome = store.sync_roster(ward_id=UUID(WARD), members=members)
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
    }  # fmt: skip


def test_bulk_update_and_restore_are_one_rpc_each(fake: FakePostgrest, store: WardStore) -> None:
    changes = [
        AssignmentChange(user_hash="cohen-1", new_group="A"),
        AssignmentChange(user_hash="levi-1", new_group="D"),
    ]
    assert store.bulk_update(ward_id=UUID(WARD), assignments=changes, expected_version=7) == 8
    restored = store.restore(ward_id=UUID(WARD), audit_id=12, expected_version=8)
    assert restored == 9
    assert [(relation_of(r), body_of(r)) for r in fake.requests] == [
        (
            "rpc/ward_bulk_update",
            {
                "p_ward_branch_id": WARD,
                "p_assignments": [
                    {"userHash": "cohen-1", "newGroup": "A"},
                    {"userHash": "levi-1", "newGroup": "D"},
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
            },
        ),
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
