"""A PostgREST stand-in holding one ward's rows and answering the ward RPCs, and a WardStore
over it with the caller's token: the world of the WardStore PostgREST tests."""

from __future__ import annotations

from typing import Any

import pytest

from functions.database.postgrest import PostgrestTransport
from functions.wards.store import WardStore
from tests.functions.postgrest_fake import CALLER_TOKEN, STAMP, FakePostgrest

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
# What ward_roster_state and ward_assignment_state answer (sql/migrations/0016).
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
