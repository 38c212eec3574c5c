"""`grouping run --keep-from`: an earlier run's JSON as the start, locks, apart and sit-with."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engine.grouping.models import GroupingResult
from infra.cli.main import main

HEADER = ["Email", "Name", "Age", "I'd like to sit with…"]


def export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def people(count: int) -> list[list[str]]:
    return [[f"p{i:02d}@x.org", f"Person {i:02d}", str(25 + i % 5), ""] for i in range(count)]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["run", *(str(a) for a in args), "--age-policy", "loose"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_late_sign_up_joins_one_group_and_the_rest_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = export(tmp_path / "first.csv", people(23))
    code, out, err = run(capsys, first, "--json")
    assert code == 0, err
    (tmp_path / "first.json").write_text(out, encoding="utf-8")
    earlier = GroupingResult.model_validate_json(out)
    later = export(tmp_path / "later.csv", [*people(23), ["late@x.org", "Late", "27", ""]])
    code, out, err = run(capsys, later, "--keep-from", tmp_path / "first.json", "--json")
    assert code == 0, err
    result = GroupingResult.model_validate_json(out)
    before = [set(g.members) for g in earlier.groups]
    after = [set(g.members) for g in result.groups]
    changed = [g for g in before if g not in after]
    assert len(changed) == 1
    assert any("late@x.org" in g and changed[0] < g for g in after)


def test_sit_with_answers_become_together_and_unknown_names_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = people(12)
    rows[0][3] = "Person 07"
    rows[1][3] = "Somebody Else"
    code, out, err = run(capsys, export(tmp_path / "a.csv", rows), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert any({"p00@x.org", "p07@x.org"} <= set(g["members"]) for g in data["groups"])
    assert data["sit_with_unmatched"] == [{"participant_id": "p01@x.org", "name": "Somebody Else"}]


def test_apart_flags_keep_two_people_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = export(tmp_path / "a.csv", people(12))
    code, out, err = run(capsys, source, "--json", "--apart", "p00@x.org,p05@x.org")
    assert code == 0, err
    groups = [set(g["members"]) for g in json.loads(out)["groups"]]
    assert not any({"p00@x.org", "p05@x.org"} <= g for g in groups)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--keep-from", "missing.json"], "missing.json: no such file"),
        (["--lock", "p00@x.org"], "--lock and --lock-group need --keep-from"),
        (["--apart", "only-one"], "expected two ids separated by a comma"),
    ],
)
def test_bad_keep_from_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    source = export(tmp_path / "a.csv", people(8))
    code, _, err = run(
        capsys, source, *(str(tmp_path / a) if a.endswith(".json") else a for a in args)
    )
    assert code == 2
    assert message in err and err.count("\n") == 1
