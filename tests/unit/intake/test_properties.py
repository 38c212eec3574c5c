"""Invariants of the export reader, on hypothesis-made headers, cells and CSV dialects.

- a known header in any case, spacing and punctuation matches its field;
- a table written as Google Forms, Sheets or Excel would (BOM or not, CRLF or LF, `,` or
  `;`, cells quoted or not, new lines, quotes and delimiters inside cells) reads back to
  the same headers and cells, and to the same participants;
- reading the same export again, or the same table as JSON rows, gives the same participants.
"""

# Hebrew letters are the point of these answers, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.intake import read_export, read_rows
from engine.intake.headers import FIELDS, NAMES, match_header
from engine.intake.table import read_csv_table

AS_OF = date(2026, 12, 1)
PUNCTUATION = "?!.,:;-_/()'\"*"

phrases = st.sampled_from([(field, phrase) for field in FIELDS for phrase in NAMES[field]])


@st.composite
def variant(draw: st.DrawFn, phrase: str) -> str:
    """`phrase` with its letters' case, the spaces between words and punctuation changed."""
    out = [draw(st.sampled_from(["", " ", "  ", "\t"]))]
    for index, word in enumerate(phrase.split()):
        if index:
            gap = draw(st.sampled_from([" ", "  ", " - ", "/", "_", " , "]))
            out.append(gap)
        cased = "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
        out.append(cased)
    out.append(draw(st.sampled_from(["", "?", " ?", ":", "*", " ", "?  "])))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), chosen=phrases)
def test_a_known_header_matches_in_any_case_spacing_and_punctuation(
    data: st.DataObject, chosen: tuple[str, str]
) -> None:
    field, phrase = chosen
    header = data.draw(variant(phrase))
    assert match_header(header).field == field, header


cell_text = st.text(
    alphabet=st.sampled_from([*"abc XYZ,;\"'\n\r\t|/", "ש", "ל", "ו", "ם", "é", "1"]),
    max_size=12,
)
# A header row that says nothing is refused (a test of its own), so headers name something.
header_text = st.text(alphabet=st.sampled_from([*"abcdefgh ", "ש", "ל"]), min_size=1).filter(
    str.strip
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(2, 5))
    headers = draw(st.lists(header_text, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cell_text, min_size=width, max_size=width), max_size=8))
    return headers, rows


@st.composite
def dialects(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "delimiter": draw(st.sampled_from([",", ";"])),
        "lineterminator": draw(st.sampled_from(["\r\n", "\n"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "bom": draw(st.booleans()),
        "final_newline": draw(st.booleans()),
    }


def write_csv(
    headers: Sequence[str], rows: Sequence[Sequence[str]], dialect: dict[str, Any]
) -> bytes:
    """The table as an export writes it: a cell holding the delimiter, a quote or a line
    break is quoted (every cell, with QUOTE_ALL), quotes doubled.

    (Python's own writer leaves a lone CR unquoted when rows end in LF; no spreadsheet does.)
    """
    delimiter, end = dialect["delimiter"], dialect["lineterminator"]

    def cell(text: str) -> str:
        special = any(char in text for char in (delimiter, '"', "\r", "\n"))
        if dialect["quoting"] == csv.QUOTE_ALL or special:
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(cell(text) for text in row) for row in [headers, *rows]]
    text = end.join(lines) + (end if dialect["final_newline"] else "")
    data: bytes = ("\ufeff" if dialect["bom"] else "").encode() + text.encode("utf-8")
    return data


@settings(max_examples=300, deadline=None)
@given(table=tables(), dialect=dialects())
def test_a_written_table_reads_back_cell_for_cell(
    table: tuple[list[str], list[list[str]]], dialect: dict[str, Any]
) -> None:
    headers, rows = table
    read = read_csv_table(write_csv(headers, rows, dialect))
    assert list(read.headers) == headers
    assert [list(row.cells) for row in read.rows] == rows
    assert [row.number for row in read.rows] == list(range(2, len(rows) + 2))
    assert read.delimiter == dialect["delimiter"]


names = st.text(alphabet=st.sampled_from([*"Dana Levi,;\"'\n", "ש", "ם"]), max_size=10)
people = st.lists(
    st.tuples(
        names,
        st.one_of(st.none(), st.integers(0, 130)),
        st.sampled_from(["", "yes", "no", "כן", "לא"]),
        st.sampled_from(["", "vegan", "צמחונית", "omnivore"]),
        st.sampled_from(["", "allergic to peanuts; gluten free", "אלרגיה חמורה\nלשומשום", "none"]),
    ),
    max_size=10,
)
HEADERS = ["Full Name", "Age ", "Kosher", "Diet", "Dietary restrictions"]


def expected_participant(number: int, person: tuple[Any, ...]) -> dict[str, Any]:
    name, age, kosher, diet, restrictions = person
    expected: dict[str, Any] = {"id": f"row-{number}"}
    if " ".join(name.split()):
        expected["full_name"] = " ".join(name.split())
    if age is not None:
        expected["age"] = str(age)
    answers = {"kosher": kosher, "diet": diet, "dietary_restrictions": restrictions.strip()}
    expected["responses"] = {key: value for key, value in answers.items() if value.strip()}
    return expected


@settings(max_examples=200, deadline=None)
@given(population=people, dialect=dialects())
def test_participants_round_trip_through_any_dialect(
    population: list[tuple[Any, ...]], dialect: dict[str, Any]
) -> None:
    rows = [[name, "" if age is None else str(age), *rest] for name, age, *rest in population]
    reading = read_export(write_csv(HEADERS, rows, dialect), as_of=AS_OF)
    numbers = [n for n, row in enumerate(rows, start=2) if any(cell.strip() for cell in row)]
    kept = [p for p, row in zip(population, rows, strict=True) if any(c.strip() for c in row)]
    assert reading.participants == [
        expected_participant(n, p) for n, p in zip(numbers, kept, strict=True)
    ]
    assert [row.row for row in reading.rows] == numbers


@settings(max_examples=150, deadline=None)
@given(population=people, first=dialects(), second=dialects())
def test_reading_again_gives_the_same_participants(
    population: list[tuple[Any, ...]], first: dict[str, Any], second: dict[str, Any]
) -> None:
    rows = [[name, "" if age is None else str(age), *rest] for name, age, *rest in population]
    once = read_export(write_csv(HEADERS, rows, first), as_of=AS_OF)
    again = read_export(write_csv(HEADERS, rows, first), as_of=AS_OF)
    elsewhere = read_export(write_csv(HEADERS, rows, second), as_of=AS_OF)
    as_json = read_rows([dict(zip(HEADERS, row, strict=True)) for row in rows], as_of=AS_OF)
    assert once.participants == again.participants == elsewhere.participants
    assert as_json.participants == once.participants
    assert once.rows == again.rows == as_json.rows
