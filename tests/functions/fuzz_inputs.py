"""What the route fuzz sends and what it refuses to see: each route's valid body, the
forged tokens, deep JSON, and the check that no answer is a 5xx or leaks.

Shared by the Hypothesis fuzz (test_fuzz_routes.py) and the plain tests that send
every extreme to every route (test_fuzz_extremes.py), so both judge answers alike.
"""

from __future__ import annotations

import re
from typing import Any

from tests.functions.events import Answer
from tests.functions.forged_tokens import JSON_VALUES, RAW_HEADERS, hs256
from tests.functions.route_world import Route, RouteWorld, all_routes
from tests.functions.tokens import JWT_SECRET, hs256_token, unsigned_token, user_claims

ROUTES = all_routes()
SENTINEL = "s3cr3t-peanut"

# What no answer may carry: a traceback, SQL, the driver's or the validator's own words.
LEAKS = re.compile(
    r"Traceback|File \"|psycopg|postgres|SQLSTATE|pydantic|input_value|\bselect\b.+\bfrom\b"
    r"|\binsert into\b|\bsyntax error\b|\x00",
    re.IGNORECASE,
)
DEEP = 10_000


def valid_body(route: Route, world: RouteWorld) -> Any:
    """A body the route accepts (or would, in some state of the ward): what mutations start from."""
    ward = str(world.ward)
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/grouping/policies"): {"name": "Fuzz", "min_group_size": 4, "age_bands": [18]},
        ("PUT", "/grouping/policies/{policy_id}"): {"target_group_size": 6, "name": "Fuzz"},
        ("POST", "/build-groups"): {
            "options": {"seed": 1, "scoring_weights": {"age": 0.5}, "age_bands": [18, 30]},
            "dry_run": True,
            "policy_id": str(world.policy),
            "event_id": str(world.event),
        },
        ("POST", "/events"): {"name": "Fuzz dinner", "event_date": "2026-12-04"},
        # Ids of nobody: the shape is valid, the database refuses the people (422).
        ("POST", "/events/{event_id}/locks"): {
            "participant_id": "00000000-0000-4000-8000-000000000001",
            "whole_group": True,
        },
        ("POST", "/events/{event_id}/apart-pairs"): {
            "participant_ids": [
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000002",
            ]
        },
        # A run's edits: ids of nobody, against the version before any edit.
        ("PATCH", "/runs/{run_id}/groups"): {
            "op": "move",
            "participant_id": "00000000-0000-4000-8000-000000000001",
            "to_group": 1,
            "expected_edit_seq": 0,
        },
        ("POST", "/runs/{run_id}/groups/{kind}"): {"expected_edit_seq": 0},
        ("PUT", "/me/health/sharing"): {"share_with_group": True},
        ("POST", "/venues"): {
            "name": "Fuzz",
            "group_capacity": 2,
            "seat_capacity": 12,
            "keeps_out": ["sesame"],
        },
        ("PUT", "/venues/{venue_id}"): {"cost": 50, "keeps_out": ["peanut"]},
        ("POST", "/runs/{run_id}/venue-plan"): {"dry_run": True, "preferred_areas": ["north"]},
        ("POST", "/events/{event_id}/registrations/import"): [
            {"Email": "fuzz@example.com", "Name": "Fuzz", "Age": "30", "Allergies": "sesame"}
        ],
        ("POST", "/api/ward-members/groups/preview"): {
            "wardBranchId": ward,
            "boundaryIndex": 0,
            "fraction": 0.5,
            "memberOffset": None,
            "boundaries": [2, 4, 5],
        },
        ("POST", "/api/ward-members/groups/{ward_branch_id}/restore"): {
            "auditId": 1,
            "expectedVersion": 0,
        },
        ("POST", "/api/ward-members/groups/bulk-update"): {
            "wardBranchId": ward,
            "assignments": [{"userHash": "adler1", "newGroup": "B", "householdId": None}],
            "expectedVersion": 0,
        },
        ("PUT", "/api/ward-members/roster/{wardBranchId}"): [
            {"userHash": "adler1", "firstName": "Avi", "lastName": "Adler", "householdId": "h1"},
            {"userHash": "baker1", "firstName": "Ben", "lastName": "Baker", "phone": "555-01"},
        ],
    }
    return bodies.get((route.method, route.path))


def deep_array(levels: int) -> str:
    return "[" * levels + "]" * levels


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def forged_tokens() -> list[str | None]:
    claims = user_claims(admin=True)
    forged: list[str | None] = [
        None,
        "",
        "not-a-token",
        unsigned_token(claims),
        hs256_token(claims, b"not-the-project-secret"),
        hs256_token(user_claims(admin=True, exp=1), JWT_SECRET.encode()),
        hs256_token(user_claims(admin=True, sub=[1]), JWT_SECRET.encode()),
        hs256_token(user_claims(admin=True, role={"a": 1}), JWT_SECRET.encode()),
        hs256(b"{}"),
        *(hs256(raw) for raw in RAW_HEADERS),
    ]
    for field in ("alg", "kid", "typ"):
        forged += [hs256({"alg": "HS256", "typ": "JWT", field: value}) for value in JSON_VALUES]
    return forged


FORGED = forged_tokens()


def assert_no_5xx_and_no_leak(answer: Answer, route: Route) -> None:
    assert answer.status < 500, f"{route}: {answer.status} {answer.text[:500]}"
    assert not LEAKS.search(answer.text), f"{route}: {answer.text[:500]}"
    if answer.status >= 400:
        assert answer.headers["content-type"] == "application/problem+json", route
        assert SENTINEL not in answer.text, f"{route} echoed a value: {answer.text[:500]}"
