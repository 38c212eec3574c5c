"""The export reader's rules, case by case: refusals, ids, JSON rows (headers: next door)."""

# Hebrew letters are the point of these answers, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.intake import ExportRefusedError, read_rows
from tests.unit.intake.reading_helpers import AS_OF, csv_reading, refusal


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        pytest.param(b"name,age\nDana,30\nEli,\xe9\n", 3, "not UTF-8", id="latin-1 byte"),
        pytest.param(b"name,age\r\n\xff,30\r\n", 2, "not UTF-8", id="crlf"),
        pytest.param('name,age\nDana,30\n"Eli,31\nNoa,32\n', 3, "never closed", id="unclosed"),
        pytest.param('name,age\n"Dana" Levi,30\n', 2, "after a closing quote", id="after"),
        pytest.param("name,age\nDana,30,x\n", 2, "3 cells", id="extra cell"),
        pytest.param("name,age\nDa\x00na,30\n", 2, "NUL", id="nul"),
        pytest.param(",,\nDana,30,\n", 1, "header row is empty", id="empty header"),
    ],
)
def test_a_broken_file_is_refused_naming_the_line(data: bytes | str, line: int, words: str) -> None:
    refused = refusal(data)
    assert refused.line == line
    assert f"line {line}" in str(refused) and words in str(refused)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    assert "empty" in str(refusal(data))


def test_utf16_is_refused_with_what_to_do() -> None:
    assert "CSV UTF-8" in str(refusal("name,age\n".encode("utf-16")))


def test_extra_empty_cells_and_missing_trailing_cells_are_fine() -> None:
    reading = csv_reading("name,age,diet\nDana,30,vegan,,\nEli,31\n")
    assert [(p["full_name"], p["responses"].get("diet")) for p in reading.participants] == [
        ("Dana", "vegan"),
        ("Eli", None),
    ]


def test_ids_come_from_the_id_column_else_email_else_the_row() -> None:
    reading = csv_reading("id,email,name\np1,a@x.com,A\n,B@X.com,B\n,,C\n\n,,\n,d@x.com,D\n")
    assert [(row.row, row.participant_id, row.id_from) for row in reading.rows] == [
        (2, "p1", "id"),
        (3, "b@x.com", "email"),
        (4, "row-4", "row"),
        (7, "d@x.com", "email"),
    ]
    assert reading.skipped_rows == [5, 6]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("id,name\na,Dana\nb,Eli\na,Noa\n", "rows 2 and 4"),
        ("Email Address,Name\ndana@x.com,Dana\nDANA@x.com ,Dana again\n", "rows 2 and 3"),
        ("id,name\nrow-3,Dana\n,Eli\n", "rows 2 and 3"),
    ],
)
def test_two_rows_with_one_id_refuse_naming_both(text: str, rows: str) -> None:
    refused = refusal(text)
    assert rows in str(refused) and "same id" in str(refused)
    assert "dana@x.com" not in str(refused)


def test_json_rows_read_like_the_same_csv() -> None:
    rows = [
        {"Name": "Dana", "Age ": 30, "Kosher": True, "Allergies": ["Peanuts", "gluten free"]},
        {"Name": "Eli", "Age ": "31", "Kosher": "no", "Allergies": None},
        {"Name": None, "Age ": "", "Kosher": None},
    ]
    reading = read_rows(rows, as_of=AS_OF)
    assert [(r.row, r.participant_id, r.age, r.kosher, r.allergies) for r in reading.rows] == [
        (2, "row-2", 30, True, {"peanut": "moderate"}),
        (3, "row-3", 31, False, {}),
    ]
    assert reading.skipped_rows == [4]
    assert reading.participants[0]["responses"]["dietary_restrictions"] == [
        "Peanuts (allergy)",
        "gluten free",
    ]


def test_json_participants_keep_their_shape() -> None:
    person = {
        "id": "p1",
        "full_name": "Dana",
        "age": 30,
        "responses": {"kosher": True, "diet": "vegan", "dietary_restrictions": ["x"]},
    }
    reading = read_rows([person], as_of=AS_OF)
    assert reading.participants == [person]
    assert [c.header for c in reading.columns] == [
        "id",
        "full_name",
        "age",
        "responses.kosher",
        "responses.diet",
        "responses.dietary_restrictions",
    ]


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([{"id": "a"}, 3], "row 3 (item 1 of the list) is not an object"),
        ([{"id": "a", "responses": [1]}], "row 2: responses is not an object"),
        ([{"id": ["a"], "name": "Dana"}], 'row 2: the id in column 1 "id"'),
    ],
)
def test_bad_json_rows_are_refused(rows: list[Any], words: str) -> None:
    # Rows of any shape: a caller may hand the reader whatever its JSON held.
    with pytest.raises(ExportRefusedError) as refused:
        read_rows(rows, as_of=AS_OF)
    assert words in str(refused.value) and "peanut" not in str(refused.value)


def test_answers_grouping_cannot_read_are_reported_by_field_never_echoed() -> None:
    reading = csv_reading("Name,Age,Kosher,Diet,Allergies\nDana,-4,sometimes,keto,\nEli,,,,\n")
    dana, eli = reading.rows
    assert [item.field for item in dana.not_read] == ["age", "kosher", "diet"]
    assert all("keto" not in item.problem for item in dana.not_read)
    assert (dana.age, dana.kosher, dana.diet) == (None, None, None)
    assert eli.unanswered == ("age", "kosher", "diet") and eli.not_read == ()
    assert (eli.kosher, eli.diet) == (False, "omnivore")


def test_a_hebrew_allergy_question_marks_bare_allergens_in_hebrew() -> None:
    reading = csv_reading("שם,אלרגיות\nדנה,בוטנים ושומשום\nאלי,ללא גלוטן\n")
    assert reading.participants[0]["responses"]["dietary_restrictions"] == "בוטנים ושומשום (אלרגיה)"
    assert reading.rows[0].allergies == {"peanut": "moderate", "sesame": "moderate"}
    assert reading.rows[1].allergies == {} and reading.rows[1].restrictions == ("ללא גלוטן",)


def test_the_reading_serialises_for_an_api() -> None:
    from dataclasses import asdict

    reading = csv_reading("Name,Age\nDana,30\n")
    json.dumps([asdict(row) for row in reading.rows] + [asdict(c) for c in reading.columns])
