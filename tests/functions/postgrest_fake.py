"""A stand-in for Supabase's PostgREST behind an httpx MockTransport.

It records every request and answers reads and writes from sample rows, giving back
exactly the columns asked for in `select` (a column it does not know fails the
test), sliced by `offset`/`limit` as PostgREST pages, at most `max_rows` a request (a
project's "Max rows"), with the total in `Content-Range` when `Prefer: count=exact` asks.
RPCs answer from `rpc_answers`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from engine.grouping.models import GroupingResult
from functions.database.postgrest import ProjectClient, project_client

SUPABASE_URL = "https://project-ref.supabase.co"
ANON_KEY = "anon-key-for-tests"
CALLER_TOKEN = "caller.jwt.token"
REST_PREFIX = "/rest/v1/"

POLICY_ID = "11111111-1111-4111-8111-111111111111"
RUN_ID = "22222222-2222-4222-8222-222222222222"
PERSON_ID = "33333333-3333-4333-8333-333333333333"
GROUP_ID = "44444444-4444-4444-8444-444444444444"
EVENT_ID = "55555555-5555-4555-8555-555555555555"
STAMP = "2026-11-01T20:00:00+00:00"

POLICY_ROW: dict[str, Any] = {
    "id": POLICY_ID,
    "name": "Friday dinner",
    "kosher_only": True,
    "min_group_size": 4,
    "fallback_group_size": 5,
    "target_group_size": 6,
    "max_allergy_count": 3,
    "age_policy": "banded",
    "age_bands": [18, 30, 50],
    "scoring_weights": {"age": 0.4},
    "is_active": True,
    "created_at": STAMP,
    "updated_at": STAMP,
    "archived_at": None,
}


def sample_rows() -> dict[str, list[dict[str, Any]]]:
    """One plausible row per table and view the store reads."""
    return {
        "grouping_policies": [POLICY_ROW],
        "participants": [
            {
                "id": PERSON_ID,
                "full_name": "Dana Levi",
                "age": 31,
                "birth_date": None,
                "responses": {"kosher": "yes"},
            }
        ],
        "runs": [
            {
                "id": RUN_ID,
                "payload_hash": "hash-of-the-first-request",
                "started_at": STAMP,
                "options": {"seed": 1},
                "diagnostics": {"counts": {}},
            }
        ],
        "run_history": [
            {
                "run_id": RUN_ID,
                "run_number": 42,
                "status": "succeeded",
                "policy_id": POLICY_ID,
                "policy_name": "Friday dinner",
                "trigger_source": "api",
                "triggered_by": None,
                "started_at": STAMP,
                "finished_at": STAMP,
                "duration_ms": 0,
                "participant_count": 1,
                "assigned_count": 0,
                "unassigned_count": 1,
                "group_count": 0,
                "engine_version": "0.1.0",
                "error": None,
                "event_id": EVENT_ID,
            }
        ],
        "run_groups": [
            {
                "run_id": RUN_ID,
                "group_id": GROUP_ID,
                "group_number": 1,
                "size": 1,
                "score": 0.5,
                "kosher": True,
                "age_band": "30-49",
                "age_min": 31,
                "age_max": 31,
                "diets": {"vegan": 1},
                "allergy_summary": {},
                "member_ids": [PERSON_ID],
                "member_names": ["Dana Levi"],
                "member_input_ids": ["dana@example.org"],
            }
        ],
        "events": [
            {
                "id": EVENT_ID,
                "name": "Friday dinner, 4 December",
                "event_date": "2026-12-04",
                "status": "open",
                "created_at": STAMP,
                "updated_at": STAMP,
                "closed_at": None,
            }
        ],
        "event_registrants": [
            {
                "event_id": EVENT_ID,
                "participant_id": PERSON_ID,
                "external_id": "dana@example.org",
                "full_name": "Dana Levi",
                "age": 31,
                "birth_date": None,
                "responses": {"kosher": "yes"},
                "registered_at": STAMP,
            }
        ],
        "run_unassigned": [
            {
                "run_id": RUN_ID,
                "participant_id": PERSON_ID,
                "full_name": "Dana Levi",
                "reason": "missing-age",
                "details": {},
                "input_id": "dana@example.org",
            }
        ],
    }


@dataclass
class FakePostgrest:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=sample_rows)
    rpc_answers: dict[str, Any] = field(
        default_factory=lambda: {
            "activate_grouping_policy": POLICY_ROW,
            "remove_grouping_policy": "deleted",
            "claim_grouping_run": "claimed",
            "release_grouping_run": None,
            "save_grouping_run": RUN_ID,
            "import_registrations": {"added": 1, "updated": 0, "unchanged": 0, "registered": 1},
        }
    )
    requests: list[httpx.Request] = field(default_factory=list)
    # (method, relation) -> (status, PostgREST error body) for the next such request.
    failures: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    # A project's "Max rows": PostgREST answers at most this many rows a request.
    max_rows: int = 1000
    # False: the total is left out of Content-Range (a proxy that drops it, say).
    counts: bool = True

    def fail(self, method: str, relation: str, status: int, code: str) -> None:
        self.failures[method, relation] = (status, {"code": code, "message": "secret SQL text"})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        relation = relation_of(request)
        failure = self.failures.pop((request.method, relation), None)
        if failure is not None:
            return httpx.Response(failure[0], json=failure[1])
        if relation.startswith("rpc/"):
            return httpx.Response(200, json=self.rpc_answers[relation.removeprefix("rpc/")])
        rows = self._rows(request, relation)
        offset = int(request.url.params.get("offset", 0))
        total = str(len(self.rows[relation])) if self.counts else "*"
        if "count=exact" not in request.headers.get("prefer", ""):
            total = "*"
        span = f"{offset}-{offset + len(rows) - 1}" if rows else "*"
        return httpx.Response(200, json=rows, headers={"Content-Range": f"{span}/{total}"})

    def _rows(self, request: httpx.Request, relation: str) -> list[dict[str, Any]]:
        params = request.url.params
        offset = int(params.get("offset", 0))
        limit = min(int(params.get("limit", len(self.rows[relation]))), self.max_rows)
        selected = params.get("select")
        page = self.rows[relation][offset : offset + limit]
        if selected is None:
            return []
        return [{column: row[column] for column in selected.split(",")} for row in page]

    def client(self) -> ProjectClient:
        """A PostgREST client (made as in production) whose HTTP goes to this fake."""
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return project_client(SUPABASE_URL, ANON_KEY, http)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def relation_of(request: httpx.Request) -> str:
    return request.url.path.removeprefix(REST_PREFIX)


def empty_grouping_result() -> GroupingResult:
    """A valid engine result with no one in it."""
    diagnostics = {
        "counts": {
            "participants": 0,
            "assigned": 0,
            "unassigned": 0,
            "unassigned_by_reason": {},
            "groups": 0,
            "group_sizes": {},
        },
        "scores": {"mean": 0, "min": 0, "max": 0, "total": 0, "histogram": []},
        "allergies": {
            "unique_allergens": 0,
            "groups_with_allergies": 0,
            "mean_allergens_per_group": 0,
            "by_allergen": {},
        },
        "ages": {
            "policy": "banded",
            "by_band": {},
            "missing": 0,
            "mean_spread": 0,
            "max_spread": 0,
        },
        "kosher": {"participants": 0, "groups": 0},
        "diets": {},
        "engine": {
            "version": "0.1.0",
            "seed": 1,
            "effort": 1,
            "options": {},
            "elapsed_ms": 1.5,
            "upper_bound": 0,
            "stopped_early": False,
        },
    }
    return GroupingResult.model_validate(
        {"groups": [], "unassigned": [], "diagnostics": diagnostics}
    )
