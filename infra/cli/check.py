"""`grouping check FILE`: what the reader reads from a survey export, row by row; no database.

The same reader `grouping run` uses, so the table shows exactly what grouping will use:
each column and the field it gives, each person's age, kosher choice, diet, allergies with
their severity and other restrictions, the answers left blank and those that cannot be
read (and why; the first 100 rows unless `--all`), the columns ignored, the empty rows
skipped and the rows with unreadable answers by number. A refused file exits 2
with one line naming the problem and what to do.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from engine.grouping.models import SEVERITY_RANK
from engine.grouping.report.reasons import allergen_name
from engine.intake import ColumnReading, ExportReading, RowReport
from infra.cli.input import BadInputError, fail, load_export
from infra.cli.report import DEFAULT_LIMIT, add_plain_row

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

HOW = {
    "mapping": "by the mapping",
    "name": "by its header",
    "cue": "by a word of its header",
    "unmatched": "no field matches its header",
    "ignored": "ignored on purpose (the mapping)",
    "superseded": "the mapping reads its field from another column",
}
PROBLEM_ROWS_SHOWN = 20
FIELD_LABELS = {"dietary_restrictions": "dietary restrictions", "full_name": "full name"}


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="show what a survey export gives, row by row, without grouping"
    )
    parser.add_argument("file", type=Path, help="a .csv export or a .json list of rows")
    parser.add_argument("--mapping", type=Path, help="a JSON object of header → field or ignore")
    parser.add_argument(
        "--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD", help="date ages are taken on"
    )
    parser.add_argument("--json", action="store_true", help="print the reading as JSON only")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show the first N rows (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--all", action="store_true", help="show every row")
    parser.set_defaults(handler=check_command)


def check_command(args: argparse.Namespace) -> int:
    try:
        reading = load_export(args.file, as_of=args.as_of or date.today(), mapping=args.mapping)
    except BadInputError as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(reading_json(reading), ensure_ascii=False, indent=2))
    else:
        render_reading(reading, Console(), limit=None if args.all else max(args.limit, 0))
    return 0


def reading_json(reading: ExportReading) -> dict[str, Any]:
    return {
        "participants": reading.participants,
        "rows": [{**asdict(row), "name": row.display_name} for row in reading.rows],
        "columns": [asdict(column) for column in reading.columns],
        "ignored": [column.header for column in reading.ignored],
        "skipped_rows": reading.skipped_rows,
    }


def render_reading(
    reading: ExportReading, console: Console, *, limit: int | None = DEFAULT_LIMIT
) -> None:
    """The columns, the first `limit` rows (None: all), the ignored columns, the skipped
    rows, and the rows with answers grouping cannot read, by number."""
    console.print(columns_table(reading.columns))
    console.print(rows_table(reading.rows, limit=limit))
    if reading.ignored:
        names = ", ".join(_column_name(column) for column in reading.ignored)
        console.print(f"Ignored columns: {names}", highlight=False, markup=False)
    if reading.skipped_rows:
        rows = ", ".join(map(str, reading.skipped_rows))
        console.print(f"Empty rows skipped: {rows}", highlight=False, markup=False)
    problems = [row.row for row in reading.rows if row.not_read]
    summary = f"{len(reading.rows)} people read; {len(problems)} with answers grouping cannot read"
    if problems:
        shown = ", ".join(map(str, problems[:PROBLEM_ROWS_SHOWN]))
        more = len(problems) - PROBLEM_ROWS_SHOWN
        summary += f" (rows {shown}{f' and {more} more' if more > 0 else ''})"
    console.print(summary + ".", highlight=False, markup=False)


def columns_table(columns: list[ColumnReading]) -> Table:
    table = Table(title=f"Columns ({len(columns)})")
    for heading in ("#", "Header", "Read as", "How"):
        table.add_column(heading, justify="right" if heading == "#" else "left")
    for column in columns:
        field = FIELD_LABELS.get(column.field, column.field) if column.field else "-"
        how = HOW[column.how]
        if column.allergy and column.field:
            how += "; bare allergen names are allergies"
        add_plain_row(table, column.position, column.header, field, how)
    return table


def rows_table(rows: list[RowReport], *, limit: int | None = DEFAULT_LIMIT) -> Table:
    caption = None
    if limit is not None and len(rows) > limit:
        caption = f"the first {limit} of {len(rows)} rows; --all shows every one"
    table = Table(title=f"Rows ({len(rows)} people)", caption=caption)
    headings = ("Row", "Person", "Id", "Age", "Kosher", "Diet", "Allergies", "Other", "Not read")
    for heading in headings:
        table.add_column(heading, justify="right" if heading in {"Row", "Age"} else "left")
    for row in rows[:limit]:
        add_plain_row(
            table,
            row.row,
            row.display_name,
            f"{row.participant_id} ({row.id_from})" if row.id_from != "id" else row.participant_id,
            _or_blank(row.age, row, "age"),
            _or_blank(_yes_no(row.kosher), row, "kosher"),
            _or_blank(row.diet, row, "diet"),
            _allergies(row),
            "; ".join(row.restrictions),
            "; ".join(f"{item.field}: {item.problem}" for item in row.not_read),
        )
    return table


def _or_blank(value: object, row: RowReport, field: str) -> str:
    """The value read, "?" when the answer cannot be read, "(blank)" after a default."""
    unread = {item.field for item in row.not_read}
    if field in unread or (field == "age" and "birth_date" in unread):
        return "?"
    if field in row.unanswered:
        return "blank" if value is None else f"{value} (blank)"
    return "-" if value is None else str(value)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _allergies(row: RowReport) -> str:
    ordered = sorted(row.allergies.items(), key=lambda a: (-SEVERITY_RANK[a[1]], a[0]))
    return ", ".join(f"{allergen_name(a, 'en')} ({severity})" for a, severity in ordered)


def _column_name(column: ColumnReading) -> str:
    header = column.header.strip() or f"column {column.position}"
    return f"{header} ({HOW[column.how]})"
