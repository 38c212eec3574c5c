"""Reading the CLI's input files: participants from JSON or CSV, a policy from JSON.

Every problem becomes a BadInputError with a one-line message naming the file and
the place (line, row, field), never the content of a participant's answers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

# CSV columns that are the participant's own fields; every other column is a survey answer.
PARTICIPANT_COLUMNS = ("id", "full_name", "age", "birth_date")


class BadInputError(Exception):
    """An input file or value the CLI cannot use; the message is shown as is."""


def load_participants(path: Path) -> list[dict[str, Any]]:
    """Participants from a .json file (a list, or {"participants": [...]}) or a .csv file."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        people = _participants_from_json(path, _read_json(path))
    elif suffix == ".csv":
        people = _participants_from_csv(path, _read_text(path))
    else:
        raise BadInputError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; use .json or .csv"
        )
    return people


def load_policy(path: Path) -> dict[str, Any]:
    """A policy file: one JSON object of grouping options."""
    policy = _read_json(path)
    if not isinstance(policy, dict):
        raise BadInputError(f"{path}: a policy must be a JSON object of options")
    return policy


def _read_text(path: Path) -> str:
    try:
        # utf-8-sig: spreadsheets often save Hebrew CSV with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise BadInputError(f"{path}: cannot read ({error.strerror})") from None


def _read_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BadInputError(f"{path}: not valid JSON ({where}: {error.msg})") from None


def _participants_from_json(path: Path, data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and "participants" in data:
        data = data["participants"]
    if not isinstance(data, list):
        raise BadInputError(f'{path}: expected a list of participants or {{"participants": [...]}}')
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadInputError(f"{path}: participant {index} is not a JSON object")
        _require_id(path, item.get("id"), f"participant {index}")
    return data


def _participants_from_csv(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        columns = reader.fieldnames or []
        if "id" not in columns:
            raise BadInputError(f"{path}: the CSV has no 'id' column")
        return [_csv_participant(path, row, reader.line_num) for row in reader]
    except csv.Error as error:
        raise BadInputError(f"{path}: not valid CSV (line {reader.line_num}: {error})") from None


def _csv_participant(path: Path, row: dict[str | Any, Any], line: int) -> dict[str, Any]:
    if None in row:
        raise BadInputError(f"{path}: line {line} has more cells than the header has columns")
    # An empty cell is an unanswered question, not an empty answer.
    answered = {
        column: value.strip()
        for column, value in row.items()
        if value is not None and value.strip()
    }
    _require_id(path, answered.get("id"), f"line {line}")
    person = {key: answered.pop(key) for key in PARTICIPANT_COLUMNS if key in answered}
    person["responses"] = answered
    return person


def _require_id(path: Path, value: object, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise BadInputError(f"{path}: {where}: id is missing or not a string")
