"""Reading the CLI's input files: a survey export (CSV or JSON), a mapping, a policy.

Participants always come through the engine's export reader (`engine.intake`), so
`grouping run`, `grouping check` and `grouping demo` read a file the same way. Every
problem becomes a BadInputError (a file that cannot be opened or parsed) or the reader's
ExportRefusedError, each a one-line message naming the file and the place (line, row,
column), never the content of a participant's answers.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from engine.intake import ExportReading, ExportRefusedError, read_export, read_rows

BAD_INPUT = 2


class BadInputError(Exception):
    """An input file or value the CLI cannot use; the message is shown as is."""


def fail(message: str, code: int = BAD_INPUT) -> int:
    """Print `message` as the command's one error line on stderr; return the exit code."""
    sys.stderr.write(f"grouping: error: {message}\n")
    return code


def load_export(path: Path, *, as_of: date, mapping: Path | None = None) -> ExportReading:
    """Participants and the reader's report from a .csv export or a .json list of rows.

    A .json file holds a list of objects, or {"participants": [...]}. Refusals of the
    reader come back as BadInputError with the file's name in front.
    """
    columns = load_mapping(mapping) if mapping is not None else None
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_export(_read_bytes(path), as_of=as_of, mapping=columns)
        if suffix == ".json":
            return read_rows(_json_rows(path), as_of=as_of, mapping=columns)
    except ExportRefusedError as error:
        raise BadInputError(f"{path}: {error}") from None
    raise BadInputError(f"{path}: unsupported file type {suffix or '(none)'!r}; use .csv or .json")


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: one JSON object of header → field (or "ignore")."""
    mapping = _read_json(path)
    if not isinstance(mapping, dict):
        raise BadInputError(
            f'{path}: a mapping must be a JSON object of header → field, e.g. {{"Your age": "age"}}'
        )
    return mapping


def load_policy(path: Path) -> dict[str, Any]:
    """A policy file: one JSON object of grouping options."""
    policy = _read_json(path)
    if not isinstance(policy, dict):
        raise BadInputError(f"{path}: a policy must be a JSON object of options")
    return policy


def load_json(path: Path) -> Any:
    """Any JSON file, or BadInputError naming the file and the place it cannot be read."""
    return _read_json(path)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInputError(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise BadInputError(f"{path}: cannot read ({error.strerror})") from None


def _read_json(path: Path) -> Any:
    data = _read_bytes(path)
    try:
        # utf-8-sig: editors on Windows may save JSON with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInputError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise BadInputError(f"{path}: not valid JSON ({where}: {error.msg})") from None


def _json_rows(path: Path) -> list[Any]:
    data = _read_json(path)
    if isinstance(data, dict) and "participants" in data:
        data = data["participants"]
    if not isinstance(data, list):
        raise BadInputError(f'{path}: expected a list of rows or {{"participants": [...]}}')
    return data
