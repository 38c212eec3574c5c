"""`grouping run` in-process: the example files, flags over the policy, names, and bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from engine.grouping.models import GroupingResult
from infra.cli import main as cli
from infra.cli.main import main
from infra.sample_data import generate_participants

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
PARTICIPANTS_JSON = EXAMPLES / "participants.json"
PARTICIPANTS_CSV = EXAMPLES / "participants.csv"
POLICY = EXAMPLES / "policy.json"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> GroupingResult:
    code, out, err = run_cli(capsys, "run", *args, "--json")
    assert code == 0, err
    return GroupingResult.model_validate_json(out)


def accounted_ids(result: GroupingResult) -> list[str]:
    placed = [pid for group in result.groups for pid in group.members]
    return placed + [entry.participant_id for entry in result.unassigned]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def person(pid: str, age: int = 30, **responses: Any) -> dict[str, Any]:
    return {"id": pid, "age": age, "responses": responses}


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


GOOD = json.dumps([person(f"p{i}") for i in range(4)])
# Input files the bad-input cases refer to by name; written into tmp_path.
FILES = {
    "good.json": GOOD,
    "bad.json": '[{"id": "a",}]',
    "obj.json": '{"people": []}',
    "scalar_row.json": '[{"id": "a"}, 5]',
    "dup.json": json.dumps([person("a"), person("b"), person("a")]),
    "unclosed.csv": 'name,age\nDana,30\n"Eli,31\n',
    "latin1.csv": "name,age\nDana,30\n",  # rewritten below in Latin-1
    "ambiguous.csv": "name,Diet and allergies\nDana,vegan\n",
    "notes.csv": "name,Notes\nDana,severe peanut allergy\n",
    "mapping.json": '{"Colour": "age"}',
    "list_mapping.json": '["age"]',
    "people.txt": "id\na\n",
    "unknown_key.json": '{"colour": 1}',
    "heavy_weight.json": '{"scoring_weights": {"age": 11}}',
    "list_policy.json": "[1]",
}
BAD_INPUT = {
    "missing file": (["nope.json"], "nope.json: no such file"),
    "bad json": (["bad.json"], "not valid JSON (line 1"),
    "not a list": (["obj.json"], "expected a list"),
    "row not an object": (["scalar_row.json"], "row 3 (item 1 of the list) is not an object"),
    "duplicate ids": (["dup.json"], "rows 2 and 4 have the same id"),
    "unclosed quote": (["unclosed.csv"], "line 3: a quote opened in the row that starts here"),
    "not utf-8": (["latin1.csv"], "line 3 is not UTF-8 text"),
    "ambiguous column": (["ambiguous.csv"], 'column 2 "Diet and allergies" could be diet'),
    "hidden allergy": (["notes.csv"], 'column 2 "Notes" is not read, but its answers mention'),
    "mapping names no column": (["good.json", "--mapping", "mapping.json"], '"Colour"'),
    "mapping not an object": (["good.json", "--mapping", "list_mapping.json"], "a mapping must"),
    "missing mapping": (["good.json", "--mapping", "nope.json"], "nope.json: no such file"),
    "unknown file type": (["people.txt"], "unsupported file type '.txt'"),
    "sizes out of order": (
        ["good.json", "--min-group-size", "5", "--fallback-group-size", "4"],
        "fallback_group_size",
    ),
    "bands not increasing": (["good.json", "--age-bands", "30,20"], "age_bands"),
    "bad date": (["good.json", "--as-of", "yesterday"], "as_of"),
    "effort out of range": (["good.json", "--effort", "99"], "effort"),
    "unknown policy key": (["good.json", "--policy", "unknown_key.json"], "colour"),
    "weight too high": (["good.json", "--policy", "heavy_weight.json"], "scoring_weights.age"),
    "policy not an object": (["good.json", "--policy", "list_policy.json"], "a JSON object"),
    "bands not numbers": (["good.json", "--age-bands", "18,x"], "--age-bands"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_exits_2_with_one_clear_line(
    case: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("name,age\nDana,30\nRené,31\n".encode("latin-1"))
    args, expected = BAD_INPUT[case]
    files = [tmp_path / arg if arg.endswith((".json", ".csv", ".txt")) else arg for arg in args]
    code, out, err = run_cli(capsys, "run", *files)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err and out == ""
    assert err.count("\n") == 1
    assert err.startswith(("grouping: error:", "grouping run: error:"))


def test_errors_never_echo_the_bad_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = "severe peanut allergy, EpiPen in bag"
    people = write_json(tmp_path / "people.json", [person("a"), {"id": ["x"], "note": secret}])
    policy = write_json(tmp_path / "policy.json", {"kosher_only": secret})
    for args in ([people], [tmp_path / "ok.json", "--policy", policy]):
        write_json(tmp_path / "ok.json", [person("a")])
        code, _, err = run_cli(capsys, "run", *args)
        assert code == 2 and "peanut" not in err and "EpiPen" not in err
    assert "kosher_only" in err


def test_rows_without_ids_are_numbered_like_the_sheet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    people = [{"age": 30 + i, "responses": {"diet": "vegan"}} for i in range(4)]
    result = run_json(capsys, write_json(tmp_path / "people.json", people))
    assert [g.members for g in result.groups] == [["row-2", "row-3", "row-4", "row-5"]]
    path = tmp_path / "people.csv"
    path.write_text("name,age\nDana,30\nEli,31\nNoa,32\nGal,33\n", encoding="utf-8")
    data = json.loads(run_cli(capsys, "run", path, "--json")[1])
    assert data["groups"][0]["member_names"] == ["Dana", "Eli", "Noa", "Gal"]


def test_capitalised_and_padded_headers_are_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ["ID,Name,Age ,Kosher,Diet,Allergies"]
    rows += [f"p{i},Person {i},{30 + i},Yes,Vegan,severe sesame allergy" for i in range(4)]
    path = tmp_path / "sheet.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_json(capsys, path, "--kosher-only")
    [group] = result.groups
    assert group.kosher is True and group.diets == {"vegan": 4}
    assert group.allergy_summary.allergens == {"sesame": "severe"}
    assert result.diagnostics.ages.missing == 0 and result.unassigned == []


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
