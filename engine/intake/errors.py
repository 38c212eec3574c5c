"""The one error the survey-export reader raises: the file is refused, and why, in one line."""

from __future__ import annotations


class ExportRefusedError(ValueError):
    """A survey export the reader will not read as it stands.

    `str(error)` is one line that names the place (a column, a line, rows) and says what to
    do; it never repeats a participant's answer. `column`, `line` and `rows` hold the same
    place for a caller that shows it otherwise (an API answer, a highlighted cell): `column`
    is the header as written, `line` a line of the file (1 is the first), `rows` spreadsheet
    rows (the header is row 1).
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        line: int | None = None,
        rows: tuple[int, ...] = (),
    ) -> None:
        self.column = column
        self.line = line
        self.rows = rows
        super().__init__(" ".join(message.split()))
