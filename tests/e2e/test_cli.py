"""`grouping run` in-process: the example files, flags over the policy, and bad input."""

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
    assert all(entry.participant_id in out for entry in expected.unassigned)


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
    "noid.json": '[{"age": 3}]',
    "dup.json": json.dumps([person("a"), person("b"), person("a")]),
    "no_id.csv": "name,age\nDana,30\n",
    "people.txt": "id\na\n",
    "unknown_key.json": '{"colour": 1}',
    "heavy_weight.json": '{"scoring_weights": {"age": 11}}',
    "list_policy.json": "[1]",
}
BAD_INPUT = {
    "missing file": (["nope.json"], "nope.json: no such file"),
    "bad json": (["bad.json"], "not valid JSON (line 1"),
    "not a list": (["obj.json"], "expected a list"),
    "no id": (["noid.json"], "participant 0: id"),
    "duplicate ids": (["dup.json"], "duplicate participant id: a"),
    "csv without id": (["no_id.csv"], "no 'id' column"),
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
    args, expected = BAD_INPUT[case]
    files = [tmp_path / arg if arg.endswith((".json", ".csv", ".txt")) else arg for arg in args]
    code, out, err = run_cli(capsys, "run", *files)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err and out == ""
    assert err.strip().splitlines()[-1].startswith(("grouping: error:", "grouping run: error:"))


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


def test_without_a_command_it_shows_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys)
    assert code == 2 and "run" in err
