"""`grouping check FILE`: the reader's reading of an export, row by row, with no database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.cli.main import main

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    # No database: check must not need one (an unreachable URL would fail if it were used).
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")


def check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["check", *(str(arg) for arg in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_table_shows_each_row_as_grouping_reads_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = check(capsys, EXPORTS / "google_forms_en.csv", "--as-of", "2026-12-01")
    assert code == 0 and err == ""
    assert "Rows (5 people)" in out
    lines = {line.split("│")[2].strip(): line for line in out.splitlines() if "@" in line}
    assert "vegetarian" in lines["Dana Levi"] and "peanut (moderate)" in lines["Dana Levi"]
    assert "sesame (severe), egg (mild)" in lines["Noa Cohen"]
    assert "age: expected whole years" in lines["Sam Miller"]
    assert "omnivore (blank)" in lines["Rachel Stern"] and "Gluten free" in lines["Rachel Stern"]
    assert "Ignored columns: Timestamp" in out and "Phone number" in out
    assert "5 people read; 1 with answers grouping cannot read (rows 5)." in out


def test_a_long_export_shows_its_first_rows_unless_all(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    rows = "".join(f"P{n},{'x' if n % 50 == 0 else 30}\n" for n in range(150))
    path.write_text("Name,Age\n" + rows, encoding="utf-8")
    code, out, _ = check(capsys, path)
    assert code == 0 and "the first 100 of 150 rows; --all shows every one" in out
    assert "3 with answers grouping cannot read (rows 2, 52, 102)." in out
    code, out, _ = check(capsys, path, "--all")
    assert code == 0 and "--all shows" not in out and "P149" in out


def test_headers_and_answers_are_shown_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Name,[red]Colour[/red]\n[/b] Dana,[bold]blue\n", encoding="utf-8")
    code, out, err = check(capsys, path)
    assert code == 0, err
    assert "[/b] Dana" in out and "[red]Colour[/red]" in out


def test_empty_rows_are_listed_as_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, EXPORTS / "empty_rows.csv")
    assert code == 0 and "Empty rows skipped: 3, 5, 6, 8" in out


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unmappable_allergies.csv", 'column 4 "Diet and allergies" could be diet'),
        ("anything_else.csv", 'column 7 "Anything else we should know?" is not read'),
    ],
)
def test_a_refusal_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], name: str, words: str
) -> None:
    code, out, err = check(capsys, EXPORTS / name)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("grouping: error: ") and words in err
    assert "Traceback" not in err and "EpiPen" not in err


def test_a_mapping_resolves_the_refusal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Anything else we should know?": "dietary_restrictions"}))
    code, out, err = check(capsys, EXPORTS / "anything_else.csv", "--mapping", mapping)
    assert code == 0, err
    shira = next(line for line in out.splitlines() if "Shira Gabay" in line)
    assert "peanut (severe)" in shira


def test_json_output_holds_participants_rows_and_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = check(capsys, EXPORTS / "google_forms_he.csv", "--json", "--as-of", "2026-12-01")
    data = json.loads(out)
    assert code == 0
    assert [row["name"] for row in data["rows"]] == [
        "אבי כהן",
        "מיכל לוי",
        "יונתן מזרחי",
        "תמר פרץ",
    ]
    assert data["rows"][1]["allergies"] == {"sesame": "severe"}
    assert data["ignored"] == ["חותמת זמן"]
    assert data["participants"][0]["id"] == "avi@example.co.il"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nope.csv"], "nope.csv: no such file"),
        (["people.txt"], "unsupported file type '.txt'"),
        (["ok.csv", "--mapping", "bad.json"], "bad.json: not valid JSON"),
        (["ok.csv", "--as-of", "soon"], "--as-of"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], words: str
) -> None:
    (tmp_path / "ok.csv").write_text("name,age\nDana,30\n", encoding="utf-8")
    (tmp_path / "people.txt").write_text("x", encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    files = [tmp_path / a if a.endswith((".csv", ".json", ".txt")) else a for a in args]
    code, out, err = check(capsys, *files)
    assert code == 2 and out == "" and words in err and "Traceback" not in err
