"""`grouping demo`: the whole main job from nothing, through the real functions.

A throwaway embedded PostgreSQL, the migrations, the example participants (or any survey
export, CSV or JSON, read by the same reader as `grouping run`) and policy, then
`POST /build-groups` and `GET /runs/{id}` sent as API Gateway events to the functions'
apps, and the groups and diagnostics printed as tables, people by name. The files are
read, and refused on one line, before the database starts.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a whole grouping through the functions on a throwaway database"
    )
    parser.add_argument(
        "--participants",
        type=Path,
        default=EXAMPLES / "participants.json",
        help="a survey export: .csv, or .json rows or participants (default: the examples)",
    )
    parser.add_argument("--mapping", type=Path, help="a JSON object of header → field or ignore")
    parser.add_argument("--policy", type=Path, default=EXAMPLES / "policy.json")
    parser.add_argument(
        "--lang", choices=("en", "he"), default="en", help="language of the reasons"
    )
    parser.set_defaults(handler=run_demo_command)


def run_demo_command(args: argparse.Namespace) -> int:
    # Imported here so that `grouping run` does not pay for the web stack.
    from infra.cli.input import load_export, load_policy
    from infra.local.database import start_embedded_postgres
    from infra.local.migrate import migrate

    policy = load_policy(args.policy)
    as_of = _as_of(policy)
    people = load_export(args.participants, as_of=as_of, mapping=args.mapping).participants
    with tempfile.TemporaryDirectory(prefix="grouping-demo-") as parent:
        server = start_embedded_postgres(Path(parent) / "pgdata", throwaway=True)
        try:
            migrate(server.url, with_local_shim=True)
            seed_participants(server.url, people)
            return _group_and_show(server.url, policy, lang=args.lang)
        finally:
            server.stop()


def _as_of(policy: dict[str, Any]) -> date:
    from infra.cli.input import BadInputError

    value = policy.get("as_of")
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadInputError("the policy's as_of is not a date (YYYY-MM-DD)") from None


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
    """The participants, each with their input id as its external id (so a person without a
    name is shown by it, never by a database id): the clear answers in clear, the health
    answers sealed under one data key of the local key service, as an import stores them."""
    # Imported here, like the rest of the database side: `grouping run` does not need it.
    import psycopg
    from psycopg.types.json import Jsonb

    from functions.health.sealing import split_answers

    sealed: list[tuple[str, dict[str, Any]]] = []
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        for person in participants:
            full_name, age, responses = participant_row(person)
            clear, health = split_answers(responses)
            row = cursor.execute(
                "insert into public.participants (external_id, full_name, age, responses)"
                " values (%s, %s, %s, %s) returning id::text",
                (str(person["id"]), full_name, age, Jsonb(clear)),
            ).fetchone()
            assert row is not None
            sealed.append((row[0], health))
    seal_health_answers(database_url, sealed)


def seal_health_answers(database_url: str, answers: list[tuple[str, dict[str, Any]]]) -> int:
    """Seals each (participant id, health answers) under one data key of the local key
    service and stores the rows, as the service role (`seal_existing_answers`)."""
    from functions.database.deps import service_role_transport
    from functions.health.deps import key_service_for
    from functions.health.sealing import CLEAR_FIELDS, Sealer
    from functions.health.store import HealthStore
    from functions.web.settings import load_settings

    settings = load_settings(app_env="local", database_url=database_url)
    sealer = Sealer(key_service_for(settings))
    for participant_id, health in answers:
        sealer.seal(participant_id, health)
    store = HealthStore(service_role_transport(settings))
    return store.seal_existing(health=sealer.payload(), clear_keys=sorted(CLEAR_FIELDS))


def create_active_policy(
    app: Any, token: str, policy: dict[str, Any], *, name: str = "Demo policy"
) -> dict[str, Any]:
    """POST /grouping/policies, then activate it: the policy comes through the API."""
    from engine.grouping.options import PolicyOptions
    from infra.local.runtime import invoke

    fields = {k: v for k, v in policy.items() if k in PolicyOptions.model_fields}
    status, created = invoke(
        app, "POST", "/grouping/policies", token=token, body={"name": name, **fields}
    )
    if status != 201:
        raise DemoError(f"POST /grouping/policies answered {status}: {created}")
    return activate_policy(app, token, str(created["id"]))


def activate_policy(app: Any, token: str, policy_id: str) -> dict[str, Any]:
    """POST /grouping/policies/{id}/activate; the policy as it now stands."""
    from infra.local.runtime import invoke

    status, active = invoke(app, "POST", f"/grouping/policies/{policy_id}/activate", token=token)
    if status != 200:
        raise DemoError(f"activating the policy answered {status}: {active}")
    return dict(active)


class DemoError(Exception):
    """A step of the demo was refused; the message says which and why."""


def _group_and_show(database_url: str, policy: dict[str, Any], *, lang: str = "en") -> int:
    from rich.console import Console

    from infra.cli.input import fail
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
        return fail(str(error), 1)
    overrides = {key: policy[key] for key in ("seed", "as_of") if key in policy}
    status, created = invoke(app, "POST", "/build-groups", token=token, body={"options": overrides})
    if status != 201:
        return fail(f"POST /build-groups answered {status}: {_title(created)}", 1)
    status, detail = invoke(app, "GET", f"/runs/{created['run_id']}", token=token)
    if status != 200:
        return fail(f"GET /runs answered {status}: {_title(detail)}", 1)
    console.print(f"policy {active['name']!r} created and activated through the API")
    console.print(f"POST /build-groups → 201, run {created['run_id']}")
    render_run(detail, console, lang=lang, input_ids=_input_ids(database_url))
    return 0


def _title(problem: Any) -> str:
    """A problem+json answer's title and detail on one line."""
    if isinstance(problem, dict):
        parts = [str(problem[key]) for key in ("title", "detail") if problem.get(key)]
        if parts:
            return " ".join(" — ".join(parts).split())
    return " ".join(str(problem).split())


def _input_ids(database_url: str) -> dict[str, str]:
    """Database id → the id the input gave the person (their external id)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select id::text, external_id from public.participants where external_id is not null"
        ).fetchall()
    return {str(uuid): str(external) for uuid, external in rows}


def render_run(
    detail: dict[str, Any],
    console: Any,
    *,
    lang: str = "en",
    input_ids: dict[str, str] | None = None,
) -> None:
    """The run as the CLI's tables, people shown by name (by their input id when they have
    none, as `input_ids` maps them; never by a database id when it is known)."""
    ids = input_ids or {}
    from engine.grouping.models import GroupingResult
    from infra.cli.report import render_result

    names: dict[str, str] = {}
    for group in detail["groups"]:
        for name, pid in zip(group["member_names"], group["member_ids"], strict=True):
            names[str(pid)] = name or ids.get(str(pid), str(pid))
    for entry in detail["unassigned"]:
        pid = str(entry["participant_id"])
        names[pid] = entry["full_name"] or ids.get(pid, pid)
    result = GroupingResult.model_validate(
        {
            "groups": [_group(g) for g in detail["groups"]],
            "unassigned": [
                {
                    "participant_id": str(e["participant_id"]),
                    "reason": e["reason"],
                    "details": e["details"],
                }
                for e in detail["unassigned"]
            ],
            "diagnostics": detail["run"]["diagnostics"],
        }
    )
    render_result(result, console, names=names, lang="he" if lang == "he" else "en")


def _group(row: dict[str, Any]) -> dict[str, Any]:
    ages = row["age_min"], row["age_max"]
    return {
        "number": row["group_number"],
        "members": [str(pid) for pid in row["member_ids"]],
        "size": row["size"],
        "score": row["score"],
        "kosher": row["kosher"],
        "age_band": row["age_band"],
        "age_range": {"min": ages[0], "max": ages[1]} if None not in ages else None,
        "diets": row["diets"],
        "allergy_summary": row["allergy_summary"],
    }
