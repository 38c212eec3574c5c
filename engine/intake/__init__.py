"""Reading survey exports: a Google Forms, Sheets or Excel export into engine participants.

`read_export(csv_bytes, as_of=..., mapping=...)` and `read_rows(json_rows, ...)` return an
`ExportReading` (the participants, a report of each row, the columns and which were
ignored); a file that cannot be read without guessing raises `ExportRefusedError`, one
line naming the column, line or rows and what to do. The rules are the spec's "Survey
exports" section; the modules say where it is silent.
"""

from engine.intake.columns import ColumnReading, parse_mapping
from engine.intake.errors import ExportRefusedError
from engine.intake.export import ExportReading, read_export, read_rows
from engine.intake.headers import FIELDS, Field
from engine.intake.report import NotRead, RowReport

__all__ = [
    "FIELDS",
    "ColumnReading",
    "ExportReading",
    "ExportRefusedError",
    "Field",
    "NotRead",
    "RowReport",
    "parse_mapping",
    "read_export",
    "read_rows",
]
