"""`grouping serve --demo`: the examples loaded into the local database, through the functions.

An open event dated two weeks ahead with the example participants imported into it (the
CSV export, through `POST /events/{id}/registrations/import`), the example policy created
and activated (`POST /grouping/policies`, as `grouping demo` does), and an example ward:
a roster of a few households (`PUT /api/ward-members/roster/{id}`) with the local admin as
its ward admin. Each is found again by its name on the next start, so a second
`serve --demo` adds nothing: the import changes no one, the roster sync nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

from infra.cli.demo import EXAMPLES, DemoError, activate_policy, create_active_policy
from infra.local.runtime import LOCAL_ADMIN_ID, FunctionDispatcher, invoke

EXAMPLE_EVENT = "Example dinner"
EXAMPLE_POLICY = "Example policy"
EXAMPLE_WARD = "Example ward"
EVENT_DAYS_AHEAD = 14
# Four households: the Levis share an address, the Cohens a phone; Noa Mizrahi, Eli Peretz.
EXAMPLE_ROSTER: list[dict[str, Any]] = [
    {"userHash": "h1", "firstName": "Dana", "lastName": "Levi", "address": "Herzl 1"},
    {"userHash": "h2", "firstName": "Yossi", "lastName": "Levi", "address": "Herzl 1"},
    {"userHash": "h3", "firstName": "Miriam", "lastName": "Cohen", "phone": "050-0000001"},
    {"userHash": "h4", "firstName": "Avi", "lastName": "Cohen", "phone": "050-0000001"},
    {"userHash": "h5", "firstName": "Noa", "lastName": "Mizrahi", "address": "Jabotinsky 7"},
    {"userHash": "h6", "firstName": "Eli", "lastName": "Peretz", "address": "Weizmann 3"},
]


@dataclass(frozen=True)
class Examples:
    event_id: str
    policy_id: str
    ward_id: str


def load_examples(
    database_url: str,
    app: FunctionDispatcher,
    token: str,
    *,
    participants: Path = EXAMPLES / "participants.csv",
    policy: Path = EXAMPLES / "policy.json",
    today: date | None = None,
) -> Examples:
    """The examples, loaded once: a second call finds them and adds nothing."""
    event_id = _example_event(app, token, today or date.today())
    _import(app, token, event_id, participants)
    policy_id = _example_policy(app, token, json.loads(policy.read_text(encoding="utf-8")))
    ward_id = _example_ward(database_url)
    _call(app, token, "PUT", f"/api/ward-members/roster/{ward_id}", body=EXAMPLE_ROSTER)
    return Examples(event_id=event_id, policy_id=policy_id, ward_id=ward_id)


def _call(app: FunctionDispatcher, token: str, method: str, path: str, **request: Any) -> Any:
    status, answer = invoke(app, method, path, token=token, **request)
    if not 200 <= status < 300:
        detail = answer.get("detail") if isinstance(answer, dict) else answer
        raise DemoError(f"{method} {path} answered {status}: {' '.join(str(detail).split())}")
    return answer


def _example_event(app: FunctionDispatcher, token: str, today: date) -> str:
    """The open example event (a closed or past one is left as it is, and a new one made)."""
    for event in _call(app, token, "GET", "/events"):
        ahead = date.fromisoformat(event["event_date"]) >= today
        if event["name"] == EXAMPLE_EVENT and event["status"] == "open" and ahead:
            return str(event["id"])
    body = {"name": EXAMPLE_EVENT, "event_date": str(today + timedelta(days=EVENT_DAYS_AHEAD))}
    return str(_call(app, token, "POST", "/events", body=body)["id"])


def _import(app: FunctionDispatcher, token: str, event_id: str, export: Path) -> None:
    path = f"/events/{event_id}/registrations/import"
    text = export.read_text(encoding="utf-8-sig")
    _call(app, token, "POST", path, text=text, content_type="text/csv")


def _example_policy(app: FunctionDispatcher, token: str, policy: dict[str, Any]) -> str:
    for existing in _call(app, token, "GET", "/grouping/policies"):
        if existing["name"] == EXAMPLE_POLICY:
            if not existing["is_active"]:
                activate_policy(app, token, str(existing["id"]))
            return str(existing["id"])
    return str(create_active_policy(app, token, policy, name=EXAMPLE_POLICY)["id"])


def _example_ward(database_url: str) -> str:
    """The example ward, the local admin its ward admin (no route creates a ward)."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        # One loader at a time, so two starts at once make one ward.
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [EXAMPLE_WARD])
        row = conn.execute(
            "select id from public.ward_branches where name = %s order by created_at limit 1",
            [EXAMPLE_WARD],
        ).fetchone()
        if row is None:
            row = conn.execute(
                "insert into public.ward_branches (name) values (%s) returning id",
                [EXAMPLE_WARD],
            ).fetchone()
        assert row is not None
        ward: uuid.UUID = row[0]
        conn.execute(
            "insert into public.ward_branch_members (ward_branch_id, user_id, role)"
            " values (%s, %s, 'admin') on conflict (ward_branch_id, user_id) do nothing",
            [ward, LOCAL_ADMIN_ID],
        )
    return str(ward)
