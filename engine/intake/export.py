"""Reading a survey export (CSV bytes, or JSON rows) into engine participants and a report.

The whole path, as the spec's "Survey exports" section defines it: the table
(`intake.table`), which field each column gives (`intake.columns`, `intake.headers`), the
participants row by row (`intake.rows`) and what grouping will read from each
(`intake.report`). Pure: it reads only the bytes or rows it is handed, and `as_of` (the
date birth dates become ages on) is passed in, never read from a clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from engine.intake.columns import ColumnReading, parse_mapping, plan_columns
from engine.intake.report import RowReport, row_report
from engine.intake.rows import PersonRow, read_people
from engine.intake.table import Table, read_csv_table, rows_table


@dataclass(frozen=True)
class ExportReading:
    """What an export gave.

    `participants`: engine Participant dicts (`id`, `full_name`, `age` / `birth_date`,
    `responses` with `kosher`, `diet`, `dietary_restrictions`), in row order, ready for
    `run_grouping`. `rows`: one report a participant, in the same order (made when first
    asked for: grouping alone does not need it). `columns`: every column and what it gave
    (`ignored` lists those not read). `skipped_rows`: the empty rows. `delimiter`: the
    CSV's, None for JSON rows. `as_of`: the date ages in the report are taken on.
    """

    people: list[PersonRow]
    columns: list[ColumnReading]
    skipped_rows: list[int]
    as_of: date
    delimiter: str | None = None

    @cached_property
    def participants(self) -> list[dict[str, Any]]:
        return [person.participant for person in self.people]

    @cached_property
    def rows(self) -> list[RowReport]:
        return [row_report(person, as_of=self.as_of) for person in self.people]

    @property
    def ignored(self) -> list[ColumnReading]:
        """The columns not read: unmatched, ignored by the mapping, or superseded by it."""
        return [column for column in self.columns if column.field is None]

    @property
    def names(self) -> dict[str, str]:
        """Each participant's id → how to show them: their name, else their id."""
        return {
            person.participant["id"]: person.participant.get("full_name")
            or person.participant["id"]
            for person in self.people
        }


def read_export(
    data: bytes, *, as_of: date, mapping: Mapping[str, str] | None = None
) -> ExportReading:
    """Read a CSV export (Google Forms, Sheets, Excel).

    `mapping` (header → field name, or "ignore") overrides header matching for the columns
    it names. Raises `ExportRefusedError` (one line naming the column, line or rows, and
    what to do) for a file that cannot be read without guessing.
    """
    return _read(read_csv_table(data), as_of=as_of, mapping=mapping)


def read_rows(
    rows: Sequence[object], *, as_of: date, mapping: Mapping[str, str] | None = None
) -> ExportReading:
    """Read JSON rows (a list of objects of header → answer) exactly as a CSV export is read.

    An object may also be an engine participant (`id`, `full_name`, `age`, `responses`:
    {...}): each key of `responses` is then a column of its own. A row that is not an
    object is refused (rows are taken as parsed JSON gives them, so any value may come).
    """
    return _read(rows_table(rows), as_of=as_of, mapping=mapping)


def _read(table: Table, *, as_of: date, mapping: Mapping[str, str] | None) -> ExportReading:
    columns = plan_columns(table.headers, parse_mapping(mapping or {}))
    people, skipped = read_people(table, columns)
    return ExportReading(people, columns, skipped, as_of, table.delimiter)
