"""`grouping run FILE --html OUT --csv OUT`: the report and the export, beside the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_run_writes_the_html_report_and_the_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, sheet = tmp_path / "report.html", tmp_path / "report.csv"
    source = str(EXAMPLES / "participants.json")
    args = ["run", source, "--html", str(html), "--csv", str(sheet), "--lang", "he"]
    code = main([*args, "--limit", "0"])
    assert code == 0, capsys.readouterr().err
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'dir="rtl"' in page
    data = sheet.read_bytes()
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8").splitlines()[0].removeprefix("\ufeff").startswith("קבוצה,שם")


def test_an_unwritable_output_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "report.html"
    code = main(["run", str(EXAMPLES / "participants.json"), "--html", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err
