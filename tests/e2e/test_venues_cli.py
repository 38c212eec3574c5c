"""`grouping venues plan`: a run saved by `grouping run --json`, venues, pins, bad input."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from engine.venues.models import VenuePlan
from infra.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VENUES = [
    {"id": "alma", "name": "Alma", "kosher": True, "group_capacity": 30, "seat_capacity": 200,
     "keeps_out": ["peanut", "tree_nut", "sesame", "fish", "milk"], "cost": 120},
    {"id": "bistro", "name": "Bistro", "group_capacity": 40, "seat_capacity": 260,
     "keeps_out": ["sesame", "peanut", "gluten"], "cost": 90},
]  # fmt: skip


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def run_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A module fixture cannot take capsys: the run's JSON is caught by redirecting stdout.
    path = tmp_path_factory.mktemp("run") / "run.json"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", str(EXAMPLES / "participants.csv"), "--policy",
                     str(EXAMPLES / "policy.json"), "--json"])  # fmt: skip
    assert code == 0
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_saved_run_is_planned_and_every_group_accounted_for(
    capsys: pytest.CaptureFixture[str], run_file: Path, tmp_path: Path
) -> None:
    venues = write(tmp_path, "venues.json", VENUES)
    code, out, err = cli(capsys, "venues", "plan", "--run", run_file, "--venues", venues, "--json")
    assert code == 0, err
    plan = VenuePlan.model_validate_json(out)
    run = json.loads(run_file.read_text(encoding="utf-8"))
    numbers = sorted(str(g["number"]) for g in run["groups"])
    assert (
        sorted([p.group_id for p in plan.placements] + [u.group_id for u in plan.unplaced])
        == numbers
    )
    kosher = {str(g["number"]) for g in run["groups"] if g["kosher"]}
    # 70 places for the run's groups: every group fits unless a rule says otherwise.
    for placement in plan.placements:
        assert placement.venue_id == "alma" or placement.group_id not in kosher


def test_tables_show_the_reason_of_a_group_left_out(
    capsys: pytest.CaptureFixture[str], run_file: Path, tmp_path: Path
) -> None:
    venues = write(tmp_path, "venues.json", [{**VENUES[1], "group_capacity": 1}])
    code, out, _ = cli(capsys, "venues", "plan", "--run", run_file, "--venues", venues)
    assert code == 0
    # One place: one group eats, the other 60 of the example run are listed with a reason.
    assert "Venues (1 of 61 groups placed)" in out
    assert "Groups without a venue (60)" in out


@pytest.mark.parametrize(
    ("venues", "message"),
    [
        ([{**VENUES[0], "keeps_out": ["kiwi"]}], "venues[0].keeps_out: unknown allergen 'kiwi'"),
        ([{**VENUES[0], "group_capacity": 0}], "venues[0].group_capacity:"),
        ([{**VENUES[0], "colour": "red"}], "venues[0].colour:"),
        ({"not": "a list"}, "expected a list of venues"),
    ],
)
def test_bad_venues_are_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], run_file: Path, tmp_path: Path, venues: Any, message: str
) -> None:
    path = write(tmp_path, "venues.json", venues)
    code, out, err = cli(capsys, "venues", "plan", "--run", run_file, "--venues", path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_a_pin_that_breaks_the_kosher_rule_is_refused(
    capsys: pytest.CaptureFixture[str], run_file: Path, tmp_path: Path
) -> None:
    run = json.loads(run_file.read_text(encoding="utf-8"))
    kosher = next(str(g["number"]) for g in run["groups"] if g["kosher"])
    venues = write(tmp_path, "venues.json", VENUES)
    pins = write(tmp_path, "pins.json", [{"group_id": kosher, "venue_id": "bistro"}])
    code, _, err = cli(
        capsys, "venues", "plan", "--run", run_file, "--venues", venues, "--pins", pins
    )
    assert code == 2
    assert "pins[0]: the group is kosher and the venue is not" in err


def test_a_file_that_is_not_a_run_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    venues = write(tmp_path, "venues.json", VENUES)
    run = write(tmp_path, "run.json", [1, 2])
    code, _, err = cli(capsys, "venues", "plan", "--run", run, "--venues", venues)
    assert code == 2 and "expected a run" in err
