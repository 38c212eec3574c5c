"""The example files and the in-process calls the `grouping run` tests share.

The CLI runs in the test's own process (`main` with its arguments) and its output is
captured, so a test reads the exit code, stdout and stderr as a shell would see them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.grouping.models import GroupingResult
from infra.cli.main import main

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
