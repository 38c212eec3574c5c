"""Which field each column of an export gives: the mapping first, then the headers.

A mapping (header → field, or "ignore") always wins: a column it names is read as it says,
whatever the header; a field it gives to a column is taken from no other column. Headers
it leaves are matched by `intake.headers`; a column that matches nothing is ignored and
listed as such. The file is refused, naming the columns, when:

- a header is ambiguous (two candidate fields, or a kosher-looking phrasing it does not
  know);
- two columns give a field one column at most may give (two "Age" columns);
- a column whose header only mentions allergies in a phrasing the reader does not know
  ("How severe is your allergy?") sits beside another dietary-restrictions column: it may
  be that allergy question or a question about it, which only the organiser knows.

Several columns that name dietary restrictions outright ("Dietary restrictions" and
"Allergies") are all read: their answers add up, and nothing is lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from engine.intake.errors import ExportRefusedError
from engine.intake.headers import (
    FIELDS,
    IGNORE,
    SINGLE_FIELDS,
    Field,
    HeaderMatch,
    match_header,
)
from engine.intake.text import header_key

How = Literal["mapping", "name", "cue", "unmatched", "ignored", "superseded"]
RESTRICTIONS: Final[Field] = "dietary_restrictions"
RESPONSES_PREFIX: Final = "responses."


@dataclass(frozen=True, slots=True)
class ColumnReading:
    """What the reader made of one column.

    `position` counts from 1 (column A). `field` is None for a column that is not read;
    `how` says why: "mapping", "name" (a known name or phrasing) or "cue" (a word of the
    header) when read; "unmatched" (no field matches), "ignored" (the mapping says so) or
    "superseded" (the mapping gives its field to another column) when not. `allergy`: the
    header asks about allergies, so bare allergen names in its answers are allergies.
    """

    position: int
    header: str
    field: Field | None
    how: How
    allergy: bool = False

    @property
    def label(self) -> str:
        """How messages name the column: its position and header."""
        header = self.header.strip()
        return f'column {self.position} "{header}"' if header else f"column {self.position}"


def parse_mapping(value: object) -> dict[str, Field | Literal["ignore"]]:
    """A column mapping as a caller sends it (a JSON object of header → field or "ignore")."""
    if not isinstance(value, Mapping):
        raise ExportRefusedError(
            'the mapping must be an object of header → field, e.g. {"Your age": "age"}'
        )
    allowed = ", ".join((*FIELDS, IGNORE))
    mapping: dict[str, Field | Literal["ignore"]] = {}
    for header, target in value.items():
        if not isinstance(header, str) or not isinstance(target, str):
            raise ExportRefusedError("the mapping's headers and fields must be text")
        if target == IGNORE:
            mapping[header] = IGNORE
            continue
        field = next((f for f in FIELDS if f == target), None)
        if field is None:
            raise ExportRefusedError(
                f"the mapping gives {_quoted(header)} the field {_quoted(target)}, which is "
                f"not one; use one of {allowed}",
                column=header,
            )
        mapping[header] = field
    return mapping


def plan_columns(
    headers: Sequence[str], mapping: Mapping[str, Field | Literal["ignore"]]
) -> list[ColumnReading]:
    """What each column gives; refuses the file as the module's docstring says."""
    mapped = _mapped_positions(headers, mapping)
    columns: list[ColumnReading] = []
    for index, header in enumerate(headers):
        target = mapped.get(index)
        if target == IGNORE:
            columns.append(ColumnReading(index + 1, header, None, "ignored"))
        elif target is not None:
            allergy = match_header(header).allergy or target == RESTRICTIONS
            columns.append(ColumnReading(index + 1, header, target, "mapping", allergy))
        else:
            columns.append(_matched(index + 1, header, match_header(header)))
    columns = _without_superseded(columns)
    _refuse_doubles(columns)
    _refuse_unsure_restrictions(columns)
    return columns


def _mapped_positions(
    headers: Sequence[str], mapping: Mapping[str, Field | Literal["ignore"]]
) -> dict[int, Field | Literal["ignore"]]:
    """Column index → the mapping's target: headers as written first, else in normal form
    (so "age" names a column headed "Age " or "responses.age")."""
    positions: dict[int, Field | Literal["ignore"]] = {}
    # A JSON participant's `responses.<key>` column is also named by its key alone.
    keys = [header_key(header.removeprefix(RESPONSES_PREFIX)) for header in headers]
    for name, target in mapping.items():
        found = [i for i, header in enumerate(headers) if header == name]
        found = found or [i for i, key in enumerate(keys) if key and key == header_key(name)]
        if not found:
            raise ExportRefusedError(
                f"the mapping names {_quoted(name)}, but no column of the export has that "
                "header; copy the header from the export's first row",
                column=name,
            )
        positions.update((index, target) for index in found)
    return positions


def _matched(position: int, header: str, match: HeaderMatch) -> ColumnReading:
    column = ColumnReading(position, header, match.field, match.by or "unmatched", match.allergy)
    if match.ambiguous:
        raise ExportRefusedError(_ambiguous(column, match.candidates), column=header)
    return column


def _ambiguous(column: ColumnReading, candidates: tuple[Field, ...]) -> str:
    example = json.dumps({column.header: candidates[-1]}, ensure_ascii=False)
    if len(candidates) == 1:
        what = f"looks like the {candidates[0]} question, in a phrasing the reader does not know"
    else:
        what = "could be " + " or ".join(candidates)
    return (
        f"{column.label} {what}; say which it is in a mapping, e.g. {example} "
        '(or "ignore" to leave it out)'
    )


def _without_superseded(columns: list[ColumnReading]) -> list[ColumnReading]:
    """A field the mapping gives to a column is not also read from a header's match."""
    given = {c.field for c in columns if c.how == "mapping" and c.field in SINGLE_FIELDS}
    return [
        ColumnReading(c.position, c.header, None, "superseded")
        if c.how in ("name", "cue") and c.field in given
        else c
        for c in columns
    ]


def _refuse_doubles(columns: list[ColumnReading]) -> None:
    for field in FIELDS:
        if field not in SINGLE_FIELDS:
            continue
        giving = [c for c in columns if c.field == field]
        if len(giving) > 1:
            names = ", ".join(c.label for c in giving[:-1]) + f" and {giving[-1].label}"
            each = "both" if len(giving) == 2 else "all"
            example = json.dumps({giving[-1].header: IGNORE}, ensure_ascii=False)
            raise ExportRefusedError(
                f"{names} {each} give {field}; a mapping must keep one, e.g. {example} "
                "(or rename a header in the sheet)",
                column=giving[-1].header,
            )


def _refuse_unsure_restrictions(columns: list[ColumnReading]) -> None:
    giving = [c for c in columns if c.field == RESTRICTIONS]
    for column in giving:
        if column.how != "cue" or len(giving) == 1:
            continue
        other = next(c for c in giving if c is not column)
        example = json.dumps({column.header: RESTRICTIONS}, ensure_ascii=False)
        raise ExportRefusedError(
            f"{column.label} mentions allergies in a phrasing the reader does not know, and "
            f"{other.label} already gives the dietary restrictions; a mapping must say "
            f'whether to read it too, e.g. {example}, or "ignore" it',
            column=column.header,
        )


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
