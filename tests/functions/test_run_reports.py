"""GET /runs/{id}/report and /export.csv, and the sentences of POST /build-groups and
GET /runs/{id}, through Mangum on real PostgreSQL: admins only, no one's allergies."""

from __future__ import annotations

import csv
import io
import json
from uuid import UUID, uuid4

import pytest

from tests.db.health_seed import insert_people
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call

pytestmark = pytest.mark.db
HEBREW = {"Accept-Language": "he-IL,he;q=0.9,en;q=0.8"}
HOSTILE = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def run_id(api_world: ApiWorld, call: Call) -> str:
    api_world.seed_participants(30)
    api_world.add_policy("Weekly", active=True, kosher_only=True)
    for name, restrictions in [
        ("Allergic Person", '["severe kiwi allergy", "severe sesame allergy (EpiPen)"]'),
        (HOSTILE, "[]"),
        ("=cmd|' /C calc'!A0", "[]"),
    ]:
        responses = {"kosher": "yes", "dietary_restrictions": json.loads(restrictions)}
        insert_people(api_world.db, [{"full_name": name, "age": 30, "responses": responses}])
    body = {"options": {"max_allergy_count": 1}}
    created = call("POST", "/build-groups", token=api_world.admin_token, body=body)
    assert created.status == 201, created.text
    return str(created.json()["run_id"])


def test_get_run_explains_each_unassigned_entry_in_english_or_hebrew(
    api_world: ApiWorld, call: Call, run_id: str
) -> None:
    english = call("GET", f"/runs/{run_id}", token=api_world.admin_token).json()
    hebrew = call("GET", f"/runs/{run_id}", token=api_world.admin_token, headers=HEBREW).json()
    allergic = next(e for e in english["unassigned"] if e["full_name"] == "Allergic Person")
    assert allergic["explanation"] == (
        "This person alone has more severe allergies than a group may hold (at most 1)."
    )
    for entry in hebrew["unassigned"]:
        assert any("\u0590" <= ch <= "\u05ff" for ch in entry["explanation"]), entry
    for answer in (english, hebrew):
        text = str(answer)
        assert "kiwi" not in text and "sesame" not in text and "קיווי" not in text


def test_a_dry_run_explains_too(api_world: ApiWorld, call: Call, run_id: str) -> None:
    body = {"dry_run": True, "options": {"max_allergy_count": 1}}
    answer = call("POST", "/build-groups", token=api_world.admin_token, body=body, headers=HEBREW)
    assert answer.status == 200
    entries = answer.json()["unassigned"]
    assert entries and all(entry["explanation"] for entry in entries)
    assert "kiwi" not in answer.text and "severe_allergens" not in answer.text


def test_the_report_is_escaped_self_contained_html_without_anyones_allergies(
    api_world: ApiWorld, call: Call, run_id: str
) -> None:
    answer = call("GET", f"/runs/{run_id}/report", token=api_world.admin_token, headers=HEBREW)
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.base64_encoded is False
    html = answer.text
    assert '<html lang="he" dir="rtl">' in html
    assert HOSTILE not in html and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Allergic Person" in html
    assert "kiwi" not in html and "קיווי" not in html
    run = call("GET", f"/runs/{run_id}", token=api_world.admin_token).json()
    for group in run["groups"]:
        assert f'id="group-{group["group_number"]}"' in html


def test_the_export_is_a_csv_attachment_with_a_bom_and_no_formula(
    api_world: ApiWorld, call: Call, run_id: str
) -> None:
    answer = call("GET", f"/runs/{run_id}/export.csv", token=api_world.admin_token)
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="run-')
    assert answer.base64_encoded is False
    assert answer.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    run = call("GET", f"/runs/{run_id}", token=api_world.admin_token).json()
    assert len(rows) - 1 == run["run"]["participant_count"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[1] == "'=cmd|' /C calc'!A0" for row in rows)
    assert "kiwi" not in answer.text


@pytest.mark.parametrize("path", ["/runs/{}/report", "/runs/{}/export.csv"])
def test_reports_are_for_admins_only_and_an_unknown_run_is_a_404(
    api_world: ApiWorld, call: Call, path: str
) -> None:
    some_run: UUID = uuid4()
    assert call("GET", path.format(some_run)).status == 401
    assert call("GET", path.format(some_run), token=api_world.member_token).status == 403
    assert call("GET", path.format(some_run), token=api_world.admin_token).status == 404
