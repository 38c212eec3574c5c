"""POST /events/{id}/registrations/import through Mangum on real PostgreSQL: a Google Forms
export read by the one reader, a dry run that writes nothing, an import that is the same the
second time, refusals that name the column and write nothing, and a 5 MB export (its time
printed: `pytest -s -k five_megabyte tests/functions/test_events_import.py`)."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from functions.auth.verifier import TokenVerifier
from functions.build_groups import handler as build_groups
from infra.sample_data import csv_row, generate_participants
from tests.db.health_seed import opened_answers
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import send
from tests.functions.test_events_api import Call, create
from tests.functions.test_events_api import call as call

pytestmark = pytest.mark.db
EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _import(
    call: Call, event: str, data: bytes, *, query: str = "", media: str = "text/csv"
) -> Any:
    path = f"/events/{event}/registrations/import"
    headers = {"content-type": media, "content-length": str(len(data))}
    return call("POST", path, body=data.decode(), headers=headers, query=query)


def _registrations(api_world: ApiWorld) -> list[tuple[Any, ...]]:
    """Each registered person with their answers: the clear ones and the sealed ones opened."""
    sealed = opened_answers(api_world.db)
    rows = api_world.db.execute(
        "select p.id, p.external_id, p.full_name, p.responses, p.updated_at"
        " from public.event_registrations r join public.participants p on p.id = r.participant_id"
        " order by p.external_id"
    ).fetchall()
    return [(ext, name, {**clear, **sealed.get(pid, {})}, at) for pid, ext, name, clear, at in rows]


def test_a_dry_run_answers_each_row_and_writes_nothing(api_world: ApiWorld, call: Call) -> None:
    event = create(call)["id"]
    export = (EXPORTS / "google_forms_en.csv").read_bytes()
    answer = _import(call, event, export, query="dry_run=true")
    assert answer.status == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["dry_run"] is True and body["counts"] is None
    dana = next(row for row in body["rows"] if row["name"] == "Dana Levi")
    # Row 2 (the header is row 1), id from the lower-cased email, allergies as read.
    assert (dana["row"], dana["participant_id"], dana["id_from"]) == (
        2,
        "dana.levi@example.com",
        "email",
    )
    assert set(dana["allergies"]) == {"peanut", "tree_nut"}
    assert {c["header"] for c in body["ignored"]} >= {"Timestamp", "Phone number"}
    assert _registrations(api_world) == []


def test_importing_the_same_export_twice_changes_nothing(api_world: ApiWorld, call: Call) -> None:
    event = create(call)["id"]
    export = (EXPORTS / "google_forms_he.csv").read_bytes()
    first = _import(call, event, export)
    assert first.status == 200, first.text
    people = first.json()["people"]
    assert first.json()["counts"]["added"] == people > 0
    stored = _registrations(api_world)
    again = _import(call, event, export).json()["counts"]
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, people)
    assert _registrations(api_world) == stored


def test_json_rows_are_read_like_a_csv(api_world: ApiWorld, call: Call) -> None:
    event = create(call)["id"]
    rows = [{"Email": "ruth@example.com", "Name": "Ruth", "Age": "40", "Allergies": "sesame"}]
    answer = _import(call, event, json.dumps(rows).encode(), media="application/json")
    assert answer.status == 200, answer.text
    assert answer.json()["counts"]["added"] == 1
    ((external_id, name, responses, _),) = _registrations(api_world)
    assert (external_id, name) == ("ruth@example.com", "Ruth")
    assert responses["dietary_restrictions"]


@pytest.mark.parametrize("fixture", ["unmappable_allergies.csv", "anything_else.csv"])
def test_an_unread_allergies_column_refuses_the_import_naming_it(
    api_world: ApiWorld, call: Call, fixture: str
) -> None:
    event = create(call)["id"]
    answer = _import(call, event, (EXPORTS / fixture).read_bytes())
    assert answer.status == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith(":export-refused") and problem["column"]
    assert problem["column"] in problem["detail"]
    assert _registrations(api_world) == []


def test_a_mapping_names_the_column_and_the_import_goes_through(
    api_world: ApiWorld, call: Call
) -> None:
    event = create(call)["id"]
    export = (EXPORTS / "anything_else.csv").read_bytes()
    header = export.decode("utf-8-sig").splitlines()[0]
    column = next(h.strip('"') for h in header.split(",") if "anything" in h.lower())
    mapping = quote(json.dumps({column: "dietary_restrictions"}))
    answer = _import(call, event, export, query=f"mapping={mapping}")
    assert answer.status == 200, answer.text
    assert answer.json()["counts"]["added"] > 0


@pytest.mark.parametrize(
    ("data", "media", "query", "field"),
    [
        (b'id,name\n"1,Dana\n', "text/csv", "", "body"),
        (b"{}", "application/json", "", "body"),
        (b"[1, 2]", "application/json", "", "body"),
        (b"id,name\n1,Dana\n", "application/xml", "", "body"),
        (b"id,name\n1,Dana\n", "text/csv", "mapping=%5B%5D", "mapping"),
    ],
)
def test_a_malformed_export_is_a_422_naming_where(
    api_world: ApiWorld, call: Call, data: bytes, media: str, query: str, field: str
) -> None:
    event = create(call)["id"]
    path = f"/events/{event}/registrations/import"
    headers = {"content-type": media, "content-length": str(len(data))}
    answer = call("POST", path, body=data.decode("latin-1"), headers=headers, query=query)
    assert answer.status == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field
    assert _registrations(api_world) == []


def test_a_five_megabyte_export_imports_whole(api_world: ApiWorld, call: Call) -> None:
    event = create(call)["id"]
    # A Forms export's size: 20,000 people and the questions grouping does not read.
    note = "Through a friend from the community centre, who said the dinners are lovely! " * 2
    note += "We come most weeks."
    people = [
        {"Timestamp": "11/20/2026 21:14:03", **csv_row(p), "How did you hear about us?": note}
        for p in generate_participants(20_000, rng=random.Random(3))
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(people[0]))
    writer.writeheader()
    writer.writerows(people)
    export = text.getvalue().encode()
    assert len(export) > 5_000_000
    started = time.perf_counter()
    answer = _import(call, event, export)
    elapsed = time.perf_counter() - started
    assert answer.status == 200, answer.text[:300]
    assert answer.json()["counts"]["added"] == 20_000
    print(f"5 MB export, 20,000 people: imported in {elapsed:.2f} s")


def test_a_person_without_a_name_is_shown_by_their_input_id(
    api_world: ApiWorld, call: Call, verifier: TokenVerifier
) -> None:
    api_world.add_policy("Dinners", active=True, age_policy="loose")
    event = create(call)["id"]
    rows = [
        {"Email": f"guest{n}@example.com", "Name": "" if n == 0 else f"Guest {n}", "Age": "30"}
        for n in range(8)
    ]
    assert _import(call, event, json.dumps(rows).encode(), media="application/json").status == 200
    undo = wire(build_groups.app, api_world.settings, verifier)
    try:
        token = api_world.admin_token
        run = send(build_groups.handler, "POST", "/build-groups", token=token,
                   body={"event_id": event}).json()  # fmt: skip
        detail = send(build_groups.handler, "GET", f"/runs/{run['run_id']}", token=token).json()
        page = send(build_groups.handler, "GET", f"/runs/{run['run_id']}/report", token=token)
    finally:
        undo()
    shown = [
        (name, input_id)
        for group in detail["groups"]
        for name, input_id in zip(group["member_names"], group["member_input_ids"], strict=True)
    ] + [(entry["full_name"], entry["input_id"]) for entry in detail["unassigned"]]
    assert (None, "guest0@example.com") in shown
    assert "guest0@example.com" in page.text
    member_ids = [str(m) for group in detail["groups"] for m in group["member_ids"]]
    assert not any(uuid in page.text for uuid in member_ids)
