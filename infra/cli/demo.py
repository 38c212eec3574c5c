"""`grouping demo`: the whole main job from nothing, through the real functions.

A throwaway embedded PostgreSQL, the migrations, the example participants and policy,
then `POST /build-groups` and `GET /runs/{id}` sent as API Gateway events to the
functions' apps, and the groups and diagnostics printed as tables.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a whole grouping through the functions on a throwaway database"
    )
    parser.add_argument("--participants", type=Path, default=EXAMPLES / "participants.json")
    parser.add_argument("--policy", type=Path, default=EXAMPLES / "policy.json")
    parser.set_defaults(handler=run_demo_command)


def run_demo_command(args: argparse.Namespace) -> int:
    # Imported here so that `grouping run` does not pay for the web stack.
    from infra.local.database import start_embedded_postgres
    from infra.local.migrate import migrate

    with tempfile.TemporaryDirectory(prefix="grouping-demo-") as parent:
        server = start_embedded_postgres(Path(parent) / "pgdata", throwaway=True)
        try:
            migrate(server.url, with_local_shim=True)
            policy = json.loads(args.policy.read_text(encoding="utf-8"))
            people = json.loads(args.participants.read_text(encoding="utf-8"))
            seed_participants(server.url, people)
            return _group_and_show(server.url, policy)
        finally:
            server.stop()


def participant_row(person: dict[str, Any]) -> tuple[str | None, int | None, dict[str, Any]]:
    """(full_name, age, responses) for the participants table.

    The columns take only clean values (an integer age the table's CHECK accepts); any
    other age or a birth date stays raw in `responses`, where the engine reads it.
    """
    responses = dict(person.get("responses") or {})
    age = person.get("age")
    clean_age = (
        age if isinstance(age, int) and not isinstance(age, bool) and 0 <= age <= 130 else None
    )
    if age is not None and clean_age is None:
        responses["age"] = age
    if person.get("birth_date") is not None:
        responses["birth_date"] = person["birth_date"]
    return person.get("full_name"), clean_age, responses


def seed_participants(database_url: str, participants: list[dict[str, Any]]) -> None:
    """The participants, answers kept raw (there is no participant import endpoint yet)."""
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        rows = []
        for person in participants:
            full_name, age, responses = participant_row(person)
            rows.append((full_name, age, Jsonb(responses)))
        cursor.executemany(
            "insert into public.participants (full_name, age, responses) values (%s, %s, %s)",
            rows,
        )


def create_active_policy(app: Any, token: str, policy: dict[str, Any]) -> dict[str, Any]:
    """POST /grouping/policies, then activate it: the policy comes through the API."""
    from engine.grouping.options import PolicyOptions
    from infra.local.runtime import invoke

    fields = {k: v for k, v in policy.items() if k in PolicyOptions.model_fields}
    status, created = invoke(
        app, "POST", "/grouping/policies", token=token, body={"name": "Demo policy", **fields}
    )
    if status != 201:
        raise DemoError(f"POST /grouping/policies answered {status}: {created}")
    status, active = invoke(
        app, "POST", f"/grouping/policies/{created['id']}/activate", token=token
    )
    if status != 200:
        raise DemoError(f"activating the policy answered {status}: {active}")
    return dict(active)


class DemoError(Exception):
    """A step of the demo was refused; the message says which and why."""


def _group_and_show(database_url: str, policy: dict[str, Any]) -> int:
    from rich.console import Console

    from infra.local.runtime import (
        FunctionDispatcher,
        ensure_local_admin,
        function_apps,
        invoke,
        local_admin_token,
        use_local_settings,
    )

    console = Console()
    use_local_settings(database_url)
    token = local_admin_token(user_id=ensure_local_admin(database_url))
    app = FunctionDispatcher(function_apps().values())
    try:
        active = create_active_policy(app, token, policy)
    except DemoError as error:
        console.print(str(error))
        return 1
    overrides = {key: policy[key] for key in ("seed", "as_of") if key in policy}
    status, created = invoke(app, "POST", "/build-groups", token=token, body={"options": overrides})
    if status != 201:
        console.print(f"POST /build-groups answered {status}: {created}")
        return 1
    status, detail = invoke(app, "GET", f"/runs/{created['run_id']}", token=token)
    if status != 200:
        console.print(f"GET /runs answered {status}: {detail}")
        return 1
    console.print(f"policy {active['name']!r} created and activated through the API")
    console.print(f"POST /build-groups → 201, run {created['run_id']}")
    render_run(detail, console)
    return 0


def render_run(detail: dict[str, Any], console: Any) -> None:
    """The run as the CLI's tables, members shown by name."""
    from engine.grouping.models import GroupingResult
    from infra.cli.report import render_result

    result = GroupingResult.model_validate(
        {
            "groups": [_group(g) for g in detail["groups"]],
            "unassigned": [
                {
                    "participant_id": e["full_name"] or e["participant_id"],
                    "reason": e["reason"],
                    "details": e["details"],
                }
                for e in detail["unassigned"]
            ],
            "diagnostics": detail["run"]["diagnostics"],
        }
    )
    render_result(result, console)


def _group(row: dict[str, Any]) -> dict[str, Any]:
    ages = row["age_min"], row["age_max"]
    return {
        "number": row["group_number"],
        "members": [
            name or str(pid)
            for name, pid in zip(row["member_names"], row["member_ids"], strict=True)
        ],
        "size": row["size"],
        "score": row["score"],
        "kosher": row["kosher"],
        "age_band": row["age_band"],
        "age_range": {"min": ages[0], "max": ages[1]} if None not in ages else None,
        "diets": row["diets"],
        "allergy_summary": row["allergy_summary"],
    }
