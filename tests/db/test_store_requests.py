"""What each store sends over PostgREST: which RPCs it calls and which relations it reads
and writes, so a request added or dropped is seen here before the schema checks
(test_store_contract.py) judge it.
"""

from __future__ import annotations

import httpx

from tests.db.store_calls import edits_sent_requests as edits_sent_requests
from tests.db.store_calls import events_sent_requests as events_sent_requests
from tests.db.store_calls import rpc_requests as _rpc_requests
from tests.db.store_calls import sent_requests as sent_requests
from tests.db.store_calls import ward_sent_requests as ward_sent_requests
from tests.functions.postgrest_fake import EVENT_ID, body_of, relation_of


def test_the_run_edit_store_edits_by_rpc_and_reads_the_log(
    edits_sent_requests: list[httpx.Request],
) -> None:
    assert {(r.method, relation_of(r)) for r in edits_sent_requests} == {
        ("GET", "run_edits"),
        ("POST", "rpc/edit_run_groups"),
    }


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
