"""A survey export as a table: its headers and its rows, from CSV bytes or from JSON rows.

CSV as Google Forms, Sheets and Excel write it: UTF-8 with or without a byte-order mark,
CRLF, LF or CR line ends, cells quoted with `"` (a quoted cell may hold the delimiter, `""`
and new lines), `,` or `;` between cells. The delimiter is the one that splits the header
row: when only one of the two occurs in it outside quotes, that one; when both do, the one
that gives the first rows the header's number of cells (then the one giving more columns);
an Excel `sep=;` first line says it outright. A file that is not UTF-8, has an unclosed
quote or text after a closing quote, or a row with more filled cells than the header has
columns is refused naming the line; it is never read as garbage.

Rows are numbered as a spreadsheet numbers them: the header is row 1, and a cell with new
lines is still one row. JSON rows are numbered the same way (the first object is row 2),
so a person has the same row, and the same `row-N` id, in either export of one sheet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.intake.errors import ExportRefusedError

DELIMITERS = (",", ";")
SNIFF_ROWS = 50
RESPONSES = "responses"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?", re.IGNORECASE)
_UTF8_REMEDY = 'save it as "CSV UTF-8" (Excel: File, Save As, CSV UTF-8) and try again'


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row: its spreadsheet `number` (the header is 1), the `line` it starts on, its cells.

    CSV cells are text; JSON cells are whatever the object held (None for a missing key).
    """

    number: int
    line: int
    cells: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    delimiter: str | None = None


def decode_csv(data: bytes) -> str:
    """The text of a CSV export: UTF-8, its byte-order mark dropped; refused otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExportRefusedError(f"the file is UTF-16 text (Excel's Unicode Text); {_UTF8_REMEDY}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = (before.count(b"\n") or before.count(b"\r")) + 1
        raise ExportRefusedError(
            f"line {line} is not UTF-8 text; {_UTF8_REMEDY}", line=line
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ExportRefusedError(
            f"line {line} holds a NUL character, which no text export has; export the sheet "
            "again as CSV",
            line=line,
        )
    return text.removeprefix("\ufeff")


def read_csv_table(data: bytes) -> Table:
    """Headers and rows of a CSV export (see the module's docstring for what is accepted)."""
    lines = _LINE.findall(decode_csv(data))
    first_line = 1
    delimiter = None
    sep = _SEP_LINE.fullmatch(lines[0]) if lines else None
    if sep is not None:
        delimiter, lines, first_line = sep.group(1), lines[1:], 2
    if not any(line.strip() for line in lines):
        raise ExportRefusedError("the file is empty; export the sheet with its header row")
    delimiter = delimiter or sniff_delimiter(lines)
    records = list(_records(lines, delimiter, first_line))
    (header_line, headers), body = records[0], records[1:]
    if not any(cell.strip() for cell in headers):
        raise ExportRefusedError(
            f"line {header_line}: the header row is empty; the first row must name the columns",
            line=header_line,
        )
    width = len(headers)
    rows = tuple(
        TableRow(number, line, _fit(cells, width, line))
        for number, (line, cells) in enumerate(body, start=2)
    )
    return Table(tuple(headers), rows, delimiter)


def sniff_delimiter(lines: Sequence[str]) -> str:
    """`,` or `;`: the one that splits the header (see the module's docstring)."""
    splits = {d: len(_header_cells(lines, d)) for d in DELIMITERS}
    splitting = [d for d in DELIMITERS if splits[d] > 1]
    if len(splitting) < 2:
        return splitting[0] if splitting else DELIMITERS[0]
    return max(splitting, key=lambda d: (_agreement(lines, d, splits[d]), splits[d]))


def _header_cells(lines: Sequence[str], delimiter: str) -> list[str]:
    try:
        return next(csv.reader(lines, delimiter=delimiter, strict=True), [])
    except csv.Error:
        return []


def _agreement(lines: Sequence[str], delimiter: str, width: int) -> float:
    """Share of the first rows that have `width` cells when split on `delimiter`."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    counts: list[int] = []
    try:
        for cells in reader:
            counts.append(len(cells))
            if len(counts) > SNIFF_ROWS:
                break
    except csv.Error:
        return -1.0
    body = [count for count in counts[1:] if count > 0]
    return sum(count == width for count in body) / len(body) if body else 0.0


def _records(
    lines: Sequence[str], delimiter: str, first_line: int
) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each record; broken quoting refused by line."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    ended = 0  # the last line of the previous record, counted from `first_line`
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = ended + first_line
            raise ExportRefusedError(_quoting_problem(str(error), line), line=line) from None
        yield ended + first_line, cells
        ended = reader.line_num


def _quoting_problem(error: str, line: int) -> str:
    if "expected after" in error:
        what = "the row that starts here has text after a closing quote"
    else:
        what = "a quote opened in the row that starts here is never closed"
    return (
        f"line {line}: {what}; fix the quotes on that line (a quote inside a quoted cell is "
        'written "") or export the sheet again'
    )


def _fit(cells: list[str], width: int, line: int) -> tuple[str, ...]:
    """The row's cells, one per column: missing ones empty, extra empty ones dropped."""
    if len(cells) > width:
        if any(cell.strip() for cell in cells[width:]):
            raise ExportRefusedError(
                f"line {line} has {len(cells)} cells but the header has {width} columns; "
                "check the quotes on that line, or name the extra column in the header",
                line=line,
            )
        cells = cells[:width]
    return (*cells, *([""] * (width - len(cells))))


def rows_table(items: Sequence[object]) -> Table:
    """JSON rows (objects of header → cell) as a table; `responses` objects are flattened.

    An object's `responses` (the engine's Participant shape) gives one column per key,
    headed `responses.<key>`, so a file of participants reads as it always did.
    """
    headers: dict[str, None] = {}
    flat_rows: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=2):
        if not isinstance(item, Mapping):
            raise ExportRefusedError(
                f"row {number} (item {number - 2} of the list) is not an object; "
                "each row must be an object of column → answer",
                rows=(number,),
            )
        flat = _flatten(item, number)
        headers.update(dict.fromkeys(flat))
        flat_rows.append(flat)
    order = tuple(headers)
    rows = tuple(
        TableRow(number, number, tuple(flat.get(header) for header in order))
        for number, flat in enumerate(flat_rows, start=2)
    )
    return Table(order, rows)


def _flatten(item: Mapping[str, Any], number: int) -> dict[str, Any]:
    flat = {str(key): value for key, value in item.items() if key != RESPONSES}
    responses = item.get(RESPONSES)
    if responses is None:
        return flat
    if not isinstance(responses, Mapping):
        raise ExportRefusedError(
            f"row {number}: responses is not an object; give the answers as an object "
            "of question → answer",
            rows=(number,),
        )
    flat.update((f"{RESPONSES}.{key}", value) for key, value in responses.items())
    return flat
