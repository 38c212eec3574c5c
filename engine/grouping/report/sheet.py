"""A report as a spreadsheet: one row a person, UTF-8 with a BOM so Excel reads Hebrew.

Each placed person's row gives their group number, name and the group's notes (kosher,
diets, allergy notes: the group-level summary, never whose allergy); each unassigned
person's row gives their name and the sentence saying why. A cell that a spreadsheet
would read as a formula (starting with = + - @, a tab or a carriage return) is written
with a leading apostrophe, so a name like "=HYPERLINK(...)" stays text. Pure: no I/O.
"""

from __future__ import annotations

import csv
from typing import Final

from engine.grouping.report.page import Report, allergy_note, diets_note, kosher_note
from engine.grouping.report.reasons import Lang

BOM: Final = "\ufeff"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
HEADERS: Final[dict[Lang, tuple[str, ...]]] = {
    "en": ("Group", "Name", "Kosher", "Diets", "Allergy notes", "Not placed because"),
    "he": ("קבוצה", "שם", "כשרות", "תזונה", "הערות אלרגיה", "לא שובצו כי"),
}


class _Lines:
    """What csv.writer writes to: the lines, kept in memory."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)


def safe_cell(value: object) -> str:
    """`value` as a cell no spreadsheet runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_csv(report: Report) -> str:
    """The report as CSV text, starting with a BOM; encode it as UTF-8."""
    lang = report.lang
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    writer.writerow(HEADERS[lang])
    for group in report.groups:
        notes = (
            kosher_note(group.kosher, lang),
            diets_note(group.diets, lang),
            allergy_note(group, lang),
        )
        for name in group.member_names:
            writer.writerow([safe_cell(c) for c in (group.number, name, *notes, "")])
    for entry in report.unassigned:
        writer.writerow([safe_cell(c) for c in ("", entry.name, "", "", "", entry.explanation)])
    return BOM + "".join(lines.parts)
