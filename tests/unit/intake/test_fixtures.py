"""Real-looking survey exports, each read right to the row (tests/fixtures/exports/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.intake import ExportRefusedError, RowReport, read_export

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "exports"
AS_OF = date(2026, 12, 1)
AGE_PROBLEM = "expected whole years from 0 to 130 or an ISO date of birth"
DIET_PROBLEM = "expected omnivore, vegetarian, vegan or pescatarian (English or Hebrew)"


def read(name: str, mapping: dict[str, str] | None = None) -> Any:
    return read_export((EXPORTS / name).read_bytes(), as_of=AS_OF, mapping=mapping)


def facts(row: RowReport) -> tuple[Any, ...]:
    """(row, id, name, age, kosher, diet, allergies, other restrictions, fields not read)."""
    unread = tuple(item.field for item in row.not_read)
    return (
        row.row, row.participant_id, row.full_name, row.age, row.kosher, row.diet,
        row.allergies, row.restrictions, unread,
    )  # fmt: skip


EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "google_forms_en.csv": [
        (2, "dana.levi@example.com", "Dana Levi", 29, True, "vegetarian",
         {"peanut": "moderate", "tree_nut": "moderate"}, (), ()),
        (3, "eli.katz@example.com", "Eli Katz", 31, False, "omnivore", {}, (), ()),
        (4, "noa@example.com", "Noa Cohen", 27, True, "vegan",
         {"egg": "mild", "sesame": "severe"}, (), ()),
        (5, "sam@example.com", "Sam Miller", None, False, "pescatarian", {}, (), ("age",)),
        (6, "rachel@example.com", "Rachel Stern", 34, False, "omnivore", {}, ("Gluten free",), ()),
    ],
    "google_forms_he.csv": [
        (2, "avi@example.co.il", "אבי כהן", 32, True, "omnivore", {}, (), ()),
        (3, "michal@example.co.il", "מיכל לוי", 28, False, "vegetarian",
         {"sesame": "severe"}, (), ()),
        (4, "yoni@example.co.il", "יונתן מזרחי", 41, True, "vegan",
         {"peanut": "moderate", "tree_nut": "moderate"}, (), ()),
        (5, "tamar@example.co.il", "תמר פרץ", None, True, "pescatarian", {}, ("ללא גלוטן",), ()),
    ],
    "sheets_capitalised.csv": [
        (2, "s1", "Aaron Katz", 32, True, "vegetarian", {"peanut": "moderate"}, (), ()),
        (3, "s2", "Leah Rosen", 45, False, "vegan", {}, (), ()),
        (4, "s3", None, 38, False, "omnivore", {"shellfish": "moderate"}, (), ()),
        (5, "s4", "Maya Klein", 23, True, None, {}, (), ("diet",)),
    ],
    "excel_semicolon.csv": [
        (2, "x1", "Cohen, David", 50, True, "vegetarian", {"soy": "moderate"},
         ("gluten free",), ()),
        (3, "x2", "Levi, Sarah", 36, False, "omnivore", {"milk": "mild", "peanut": "severe"},
         (), ()),
        (4, "x3", "Katz, Ben", 61, False, "vegan", {}, (), ()),
    ],
    "empty_rows.csv": [
        (2, "row-2", "Dana", 30, True, "vegan", {}, (), ()),
        (4, "row-4", "Eli", 31, False, "omnivore", {"fish": "moderate"}, (), ()),
        (7, "row-7", "Noa", None, False, "vegetarian", {}, (), ()),
    ],
}  # fmt: skip
IGNORED = {
    "google_forms_en.csv": ["Timestamp", "Phone number"],
    "google_forms_he.csv": ["חותמת זמן"],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_export_is_read_right_to_the_row(name: str) -> None:
    reading = read(name)
    assert [facts(row) for row in reading.rows] == EXPECTED[name]
    assert [column.header for column in reading.ignored] == IGNORED.get(name, [])
    assert [p["id"] for p in reading.participants] == [row[1] for row in EXPECTED[name]]


def test_google_forms_columns_are_matched_by_their_question() -> None:
    fields = [(c.header, c.field, c.how) for c in read("google_forms_en.csv").columns]
    assert fields == [
        ("Timestamp", None, "unmatched"),
        ("Email Address", "email", "name"),
        ("What is your full name?", "full_name", "name"),
        ("How old are you?", "age", "name"),
        ("Do you keep kosher?", "kosher", "name"),
        ("What is your diet?", "diet", "name"),
        ("Do you have any food allergies?", "dietary_restrictions", "name"),
        ("Phone number", None, "unmatched"),
    ]


def test_an_allergy_question_makes_its_bare_allergen_names_allergies() -> None:
    dana = read("google_forms_en.csv").participants[0]
    # A checkbox answer "Peanuts, Tree nuts" under "Do you have any food allergies?".
    assert dana["responses"]["dietary_restrictions"] == "Peanuts (allergy); Tree nuts (allergy)"


def test_the_excel_export_keeps_its_quoted_new_line_and_reads_semicolons() -> None:
    reading = read("excel_semicolon.csv")
    assert reading.delimiter == ";"
    sarah = reading.participants[1]
    assert sarah["responses"]["dietary_restrictions"] == "severe peanut allergy;\nmild milk allergy"


def test_empty_rows_are_skipped_and_counted_as_rows() -> None:
    assert read("empty_rows.csv").skipped_rows == [3, 5, 6, 8]


def test_a_column_that_could_be_diet_or_allergies_refuses_the_file_naming_it() -> None:
    with pytest.raises(ExportRefusedError) as refused:
        read("unmappable_allergies.csv")
    message = str(refused.value)
    assert '"Diet and allergies"' in message and "could be diet or dietary_restrictions" in message
    assert "mapping" in message and "\n" not in message
    assert refused.value.column == "Diet and allergies"


def test_a_mapping_reads_the_unmappable_column() -> None:
    reading = read("unmappable_allergies.csv", {"Diet and allergies": "dietary_restrictions"})
    assert [(r.participant_id, r.allergies, r.restrictions) for r in reading.rows] == [
        ("ron@example.com", {}, ("vegan",)),
        ("gal@example.com", {"peanut": "moderate"}, ("vegetarian",)),
    ]


def test_anything_else_mentioning_a_severe_allergy_refuses_the_file() -> None:
    with pytest.raises(ExportRefusedError) as refused:
        read("anything_else.csv")
    message = str(refused.value)
    assert '"Anything else we should know?"' in message and "row 3" in message
    assert "peanut" not in message.lower() and "EpiPen" not in message
    assert refused.value.rows == (3,)


def test_anything_else_is_read_as_restrictions_or_ignored_on_purpose() -> None:
    column = "Anything else we should know?"
    read_too = read("anything_else.csv", {column: "dietary_restrictions"})
    assert read_too.rows[1].allergies == {"peanut": "severe"}
    ignored = read("anything_else.csv", {column: "ignore"})
    assert ignored.rows[1].allergies == {}
    assert [(c.header, c.how) for c in ignored.ignored] == [
        ("Timestamp", "unmatched"),
        (column, "ignored"),
    ]
