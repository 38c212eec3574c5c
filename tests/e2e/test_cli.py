"""`grouping run` in-process: the example files, flags over the policy, names and reasons,
tables. What it reads and refuses is in test_cli_input.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from infra.cli import main as cli
from infra.sample_data import generate_participants
from tests.e2e.cli_world import (
    EXPORTS,
    PARTICIPANTS_CSV,
    PARTICIPANTS_JSON,
    POLICY,
    accounted_ids,
    person,
    run_cli,
    run_json,
    write_json,
)


def test_json_output_accounts_for_every_example_participant_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    people = json.loads(PARTICIPANTS_JSON.read_text(encoding="utf-8"))
    result = run_json(capsys, PARTICIPANTS_JSON, "--policy", POLICY)
    ids = accounted_ids(result)
    assert sorted(ids) == sorted(p["id"] for p in people)
    assert len(ids) == len(set(ids)) == 300
    assert result.diagnostics.counts.assigned > 200
    assert result.diagnostics.engine.options["kosher_only"] is True


def test_flags_override_the_policy_file(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(
        capsys, PARTICIPANTS_JSON, "--policy", POLICY, "--no-kosher-only",
        "--max-allergy-count", "1", "--age-policy", "loose", "--seed", "11",
    )  # fmt: skip
    used = result.diagnostics.engine.options
    assert used["kosher_only"] is False and used["max_allergy_count"] == 1
    assert used["age_policy"] == "loose" and used["seed"] == 11
    # Kept from the policy file, which no flag touched:
    assert used["as_of"] == "2026-09-01" and used["age_bands"] == [18, 25, 30, 35, 40, 50, 60]
    assert all(len(group.allergy_summary.severe) <= 1 for group in result.groups)


def test_the_csv_example_groups_exactly_like_the_json_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from_json = run_json(capsys, PARTICIPANTS_JSON, "--policy", POLICY).model_dump()
    from_csv = run_json(capsys, PARTICIPANTS_CSV, "--policy", POLICY).model_dump()
    for result in (from_json, from_csv):
        del result["diagnostics"]["engine"]["elapsed_ms"]
    assert from_csv == from_json


def test_tables_show_groups_unassigned_and_diagnostics(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    expected = run_json(capsys, PARTICIPANTS_JSON, "--policy", POLICY)
    code, out, err = run_cli(capsys, "run", PARTICIPANTS_JSON, "--policy", POLICY)
    assert code == 0 and err == ""
    counts = expected.diagnostics.counts
    assert f"Groups ({counts.groups})" in out
    assert f"Unassigned ({counts.unassigned})" in out
    for title in ("Summary", "Unassigned by reason", "Group scores", "Engine"):
        assert title in out
    assert f"{counts.assigned} of at most {expected.diagnostics.engine.upper_bound}" in out
    people = json.loads(PARTICIPANTS_JSON.read_text(encoding="utf-8"))
    names = {p["id"]: p.get("full_name") or p["id"] for p in people}
    assert all(names[entry.participant_id] in out for entry in expected.unassigned)
    assert "No age was given" in out  # reasons as sentences


def test_an_unreadable_answer_is_reported_not_fatal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = [person(f"p{i}", diet="vegan", kosher="כן") for i in range(4)]
    people.append(person("odd", diet="carnivore-ish"))
    result = run_json(capsys, write_json(tmp_path / "people.json", {"participants": people}))
    assert [g.members for g in result.groups] == [["p0", "p1", "p2", "p3"]]
    [entry] = result.unassigned
    assert (entry.participant_id, entry.reason) == ("odd", "invalid-profile")
    assert "diet" in json.dumps(entry.details)


def test_csv_columns_other_than_the_participant_fields_are_answers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        "id,full_name,age,kosher,diet,dietary_restrictions",
        "a,Dana Levi,30,כן,טבעונית,אלרגיה חמורה לשומשום",
        "b,,31,yes,vegan,",
        "c,Eli Katz,32,no,vegan,none",
        "d,אורי כהן,33,לא,vegan,allergic to peanuts; gluten free",
    ]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    result = run_json(capsys, path)
    [group] = result.groups
    assert group.members == ["a", "b", "c", "d"] and group.kosher is True
    assert group.diets == {"vegan": 4}
    assert group.allergy_summary.allergens == {"peanut": "moderate", "sesame": "severe"}


def test_a_large_run_drives_a_progress_bar_and_keeps_stdout_pure_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    advance = cli._RichProgress._advance

    def spy(bar: cli._RichProgress, done: int, total: int) -> None:
        calls.append((done, total))
        advance(bar, done, total)

    monkeypatch.setattr(cli._RichProgress, "_advance", spy)
    run_json(capsys, PARTICIPANTS_JSON)
    assert calls == []  # 300 participants: no bar
    people = generate_participants(2_100, rng=random.Random(3))
    result = run_json(capsys, write_json(tmp_path / "many.json", people), "--effort", "0")
    assert sorted(accounted_ids(result)) == sorted(p["id"] for p in people)
    assert calls and calls[-1][0] == calls[-1][1]
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_json_output_names_people_and_explains_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = [{"id": f"p{i}", "full_name": f"Person {i}", "age": 30} for i in range(4)] + [
        {"id": "p9", "age": 70}
    ]
    path = write_json(tmp_path / "people.json", people)
    code, out, _ = run_cli(capsys, "run", path, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["groups"][0]["member_names"] == [f"Person {i}" for i in range(4)]
    [entry] = data["unassigned"]
    assert entry["name"] == "p9"  # no name: shown by their input id
    assert entry["explanation"] == "No one else is in this person's age band 60+; a group needs 4."
    assert len(entry["details_explained"]) == len(entry["details"])
    code, out, _ = run_cli(capsys, "run", path, "--json", "--lang", "he")
    assert code == 0
    assert json.loads(out)["unassigned"][0]["explanation"].startswith("אין עוד משתתפים")


def test_tables_show_names_in_natural_order_and_hebrew_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    diets = ["vegan", "omnivore", "omnivore", "omnivore", "vegetarian", "vegetarian"]
    people = [
        {"id": f"p{i}", "full_name": f"Name{i}", "age": 30, "responses": {"diet": diet}}
        for i, diet in enumerate(diets)
    ] + [{"id": "young", "full_name": "דנה", "age": 15}, {"id": "odd", "full_name": "[/b] Eli"}]
    path = write_json(tmp_path / "people.json", people)
    code, out, err = run_cli(capsys, "run", path, "--lang", "he")
    assert code == 0, err
    assert "[/b] Eli" in out  # shown as written, not read as markup
    assert "Name0, Name1, Name2, Name3, Name4, Name5" in out
    assert "omnivore 3, vegetarian 2, vegan 1" in out
    assert "דנה" in out and "בגיל 15 המשתתף/ת צעיר/ה מקבוצת הגיל הראשונה" in out
    diet_table = out[out.index("Participants by diet") :]
    assert diet_table.index("omnivore") < diet_table.index("vegetarian") < diet_table.index("vegan")


def test_long_tables_show_the_first_rows_unless_all(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli(capsys, "run", PARTICIPANTS_JSON, "--policy", POLICY, "--limit", "5")
    assert code == 0 and "the first 5 of 61 groups; --all shows every one" in out
    assert "the first 5 of 9 people" in out
    code, out, _ = run_cli(capsys, "run", PARTICIPANTS_JSON, "--policy", POLICY, "--all")
    assert code == 0 and "--all shows" not in out


def test_a_google_forms_export_groups_through_the_reader(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_json(capsys, EXPORTS / "google_forms_en.csv", "--min-group-size", "2")
    ids = sorted(accounted_ids(result))
    assert ids == sorted(
        ["dana.levi@example.com", "eli.katz@example.com", "noa@example.com",
         "sam@example.com", "rachel@example.com"]
    )  # fmt: skip


def test_without_a_command_it_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys)
    assert code == 2 and "run" in err
