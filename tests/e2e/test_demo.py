"""`grouping demo` does the whole main job from nothing, through the real functions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.web.settings import get_settings
from infra.cli.demo import participant_row
from infra.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def restored_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The demo points the functions' settings at its own throwaway database.
    for name in ("APP_ENV", "DATABASE_URL", "SUPABASE_URL"):
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_demo_groups_the_examples_through_the_api(
    restored_environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CSV example, through the export reader (the JSON one, the default, is the same people).
    assert main(["demo", "--participants", str(EXAMPLES / "participants.csv")]) == 0
    out = capsys.readouterr().out
    assert "policy 'Demo policy' created and activated through the API" in out
    assert "POST /build-groups → 201" in out
    # 300 examples under the example policy: 9 unreadable, too young or without an age,
    # the other 291 all placed in 61 groups (the same as `grouping run` on the file).
    assert "Groups (61)" in out
    assert "291 of at most 291" in out
    assert "Unassigned (9)" in out
    assert "Adam Shapiro" in out and "No age was given" in out  # names and reasons


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--participants", "nope.csv"], "nope.csv: no such file"),
        (["--policy", "bad.json"], "bad.json: not valid JSON (line 1"),
        (["--participants", "notes.csv"], 'column 2 "Notes" is not read'),
        (["--participants", "people.txt"], "unsupported file type '.txt'"),
    ],
)
def test_demo_errors_are_one_line_before_any_database(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("name,Notes\nDana,allergic to nuts\n", encoding="utf-8")
    (tmp_path / "people.txt").write_text("id\n", encoding="utf-8")
    paths = [str(tmp_path / a) if "." in a and not a.startswith("-") else a for a in args]
    assert main(["demo", *paths]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and words in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("age", "column", "kept"),
    [(34, 34, None), ("34", None, "34"), (150, None, 150), (True, None, True), (None, None, None)],
)
def test_only_clean_ages_reach_the_age_column(
    age: object, column: int | None, kept: object
) -> None:
    person = {"id": "p1", "full_name": "Dana", "age": age, "responses": {"diet": "vegan"}}
    full_name, age_column, responses = participant_row(person)
    assert (full_name, age_column) == ("Dana", column)
    assert responses.get("age") == kept
    assert responses["diet"] == "vegan"
