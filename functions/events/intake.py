"""An event's survey import: the export read by the one reader (`engine.intake`), then,
unless a dry run, its people upserted and registered in one all-or-nothing RPC.

A dry run answers, per row, what grouping will read (age, kosher, diet, each allergy with
its severity) and what it cannot and why, with row numbers, plus the columns ignored; the
database is not written. A refused export (an unmappable allergies column, broken quoting,
a repeated id) is a 422 naming the column, line or rows, and nothing is written either.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from engine.intake import ExportReading, ExportRefusedError, read_export, read_rows
from engine.intake.report import RowReport
from functions.events.schemas import ImportCounts
from functions.events.store import AnswerSealer, EventsStore
from functions.web.errors import FieldError, InvalidInputError


class ExportRefusedProblem(InvalidInputError, slug="export-refused"):
    """The reader refused the export; the problem names where (column, line, rows)."""

    default_detail = "The export cannot be read as it stands."

    def __init__(self, refused: ExportRefusedError) -> None:
        self.column, self.line, self.rows = refused.column, refused.line, refused.rows
        where = "mapping" if refused.column is None and refused.line is None else "body"
        super().__init__(str(refused), errors=[FieldError(where, str(refused))])

    def extensions(self) -> dict[str, Any]:
        place = {"column": self.column, "line": self.line, "rows": list(self.rows) or None}
        return {key: value for key, value in place.items() if value is not None}


class RowView(BaseModel):
    """One row as grouping will read it (the dry run's answer)."""

    model_config = ConfigDict(frozen=True)

    row: int
    participant_id: str
    id_from: str
    name: str
    age: int | None
    kosher: bool | None
    diet: str | None
    allergies: dict[str, str]
    restrictions: list[str]
    unanswered: list[str]
    not_read: list[dict[str, str]]


class ColumnView(BaseModel):
    position: int
    header: str
    field: str | None
    how: str


class ImportAnswer(BaseModel):
    """What an import read, and (unless a dry run) what it wrote."""

    event_id: UUID
    dry_run: bool
    people: int
    skipped_rows: list[int]
    columns: list[ColumnView]
    ignored: list[ColumnView]
    counts: ImportCounts | None = None
    rows: list[RowView] | None = None


def _row_view(report: RowReport) -> RowView:
    return RowView(
        row=report.row,
        participant_id=report.participant_id,
        id_from=report.id_from,
        name=report.display_name,
        age=report.age,
        kosher=report.kosher,
        diet=report.diet,
        allergies=dict(report.allergies),
        restrictions=list(report.restrictions),
        unanswered=list(report.unanswered),
        not_read=[{"field": n.field, "problem": n.problem} for n in report.not_read],
    )


def read(
    *, csv: bytes | None, rows: list[Any] | None, mapping: Mapping[str, str] | None
) -> ExportReading:
    """The export read as the CLI's `grouping check` reads it; a refusal is a 422."""
    as_of = datetime.now(UTC).date()
    try:
        if csv is not None:
            return read_export(csv, as_of=as_of, mapping=mapping)
        return read_rows(rows or [], as_of=as_of, mapping=mapping)
    except ExportRefusedError as refused:
        raise ExportRefusedProblem(refused) from None


def import_export(
    store: EventsStore,
    *,
    event_id: UUID,
    reading: ExportReading,
    dry_run: bool,
    sealer: AnswerSealer | None = None,
) -> ImportAnswer:
    """Writes the people of `reading` for the event (one RPC), their health answers sealed
    by `sealer`, or only reports them."""
    columns = [
        ColumnView.model_validate(column, from_attributes=True) for column in reading.columns
    ]
    answer = ImportAnswer(
        event_id=event_id,
        dry_run=dry_run,
        people=len(reading.participants),
        skipped_rows=list(reading.skipped_rows),
        columns=columns,
        ignored=[c for c in columns if c.field is None],
    )
    if dry_run:
        return answer.model_copy(update={"rows": [_row_view(r) for r in reading.rows]})
    counts = store.import_registrations(
        event_id=event_id, participants=reading.participants, sealer=sealer
    )
    return answer.model_copy(update={"counts": counts})
