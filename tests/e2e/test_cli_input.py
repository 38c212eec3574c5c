"""What `grouping run` reads: bad input exits 2 with one clear line that never echoes an
answer; rows without ids and headers as a sheet writes them are read as the sheet means.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.cli_world import person, run_cli, run_json, write_json

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
