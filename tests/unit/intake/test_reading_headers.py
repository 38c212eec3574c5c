"""The export reader's rules for headers, columns and mappings, case by case."""

# Hebrew letters are the point of these answers, not look-alikes of Latin ones.

from __future__ import annotations

from typing import Any

import pytest

from engine.intake import parse_mapping, read_rows
from engine.intake.headers import match_header
from tests.unit.intake.reading_helpers import AS_OF, csv_reading, refusal


def test_capitalised_and_padded_headers_are_read() -> None:
    reading = csv_reading("ID,Full Name,Age ,Kosher,Diet,Allergies\n1,Dana,30,Yes,Vegan,peanuts\n")
    [row] = reading.rows
    assert (row.participant_id, row.full_name, row.age, row.kosher, row.diet) == (
        "1", "Dana", 30, True, "vegan",
    )  # fmt: skip
    assert row.allergies == {"peanut": "moderate"}
    assert reading.ignored == []


def test_first_and_last_names_make_the_name_when_there_is_no_full_name() -> None:
    reading = csv_reading("First name,Last name,Age\nDana, Levi ,30\n,Katz,31\n")
    assert [row.full_name for row in reading.rows] == ["Dana Levi", "Katz"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Age", "age"),
        ("AGE?", "age"),
        ("age (years)", "age"),
        ("E-mail address", "email"),
        ("כתובת אימייל", "email"),
        ("שם מלא", "full_name"),
        ("Date of birth", "birth_date"),
        ("תאריך לידה", "birth_date"),
        ("Do you keep kosher?", "kosher"),
        ("שומר/ת כשרות", "kosher"),
        ("שומרת כשרות", "kosher"),
        ("סוג תזונה", "diet"),
        ("Special diet?", "diet"),
        ("באיזו תזונה את/ה?", "diet"),
        ("Allergies / dietary restrictions", "dietary_restrictions"),
        ("הגבלות תזונתיות", "dietary_restrictions"),
        ("רגישויות", "dietary_restrictions"),
        ("Food allergies (please list them)", "dietary_restrictions"),
        ("Any dietary needs or allergies?", "dietary_restrictions"),
        ("האם יש לך אלרגיה למזון כלשהו?", "dietary_restrictions"),
        ("responses.dietary_restrictions", "dietary_restrictions"),
        ("Timestamp", None),
        ("Phone number", None),
    ],
)
def test_headers_match_their_field(header: str, field: str | None) -> None:
    match = match_header(header)
    assert (match.field, match.ambiguous) == (field, False)


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("Diet and allergies", "could be diet or dietary_restrictions"),
        ("Dietary requirements", "could be diet or dietary_restrictions"),
        ("Kosher meal needed?", "looks like the kosher question"),
        ("Kosher / allergies", "could be kosher or dietary_restrictions"),
    ],
)
def test_an_ambiguous_header_refuses_naming_the_column(header: str, words: str) -> None:
    refused = refusal(f"name,{header}\nDana,yes\n")
    assert f'column 2 "{header}"' in str(refused) and words in str(refused)
    assert refused.column == header
    reading = csv_reading(f"name,{header}\nDana,yes\n", {header: "ignore"})
    assert [c.how for c in reading.ignored] == ["ignored"]


def test_two_columns_for_one_field_refuse_naming_both() -> None:
    refused = refusal("Age,Your age,Name\n30,31,Dana\n")
    assert 'column 1 "Age" and column 2 "Your age" both give age' in str(refused)


def test_several_restriction_columns_add_up() -> None:
    reading = csv_reading(
        "Name,Dietary restrictions,Allergies\nDana,gluten free,Peanuts\nEli,,severe fish allergy\n"
    )
    assert [(r.allergies, r.restrictions) for r in reading.rows] == [
        ({"peanut": "moderate"}, ("gluten free",)),
        ({"fish": "severe"}, ()),
    ]
    assert reading.participants[0]["responses"]["dietary_restrictions"] == [
        "gluten free",
        "Peanuts (allergy)",
    ]


def test_an_unknown_allergy_phrasing_beside_the_allergies_column_refuses() -> None:
    text = "Name,Allergies,How severe is your allergy?\nDana,Peanuts,Severe\n"
    refused = refusal(text)
    assert 'column 3 "How severe is your allergy?"' in str(refused)
    assert 'column 2 "Allergies"' in str(refused)
    alone = csv_reading("Name,How severe is your allergy?\nDana,Severe peanut\n")
    assert alone.rows[0].allergies == {"peanut": "severe"}


def test_a_column_not_read_that_mentions_allergies_refuses_naming_rows() -> None:
    rows = "".join(f"P{n},{'no allergies' if n % 2 else ''}\n" for n in range(2, 12))
    refused = refusal("Name,Notes\n" + rows)
    assert 'column 2 "Notes"' in str(refused)
    assert "rows 3, 5, 7, 9, 11" in str(refused)
    assert refused.rows == (3, 5, 7, 9, 11)


def test_the_mapping_wins_over_the_headers() -> None:
    text = "Age,Years,Allergys,Notes\n30,31,nuts,allergic to kiwi\n"
    mapping = {"Years": "age", "Allergys": "dietary_restrictions", "Notes": "ignore"}
    reading = csv_reading(text, mapping)
    [row] = reading.rows
    assert row.age == 31 and row.allergies == {"tree_nut": "moderate"}
    assert [(c.header, c.how) for c in reading.ignored] == [
        ("Age", "superseded"),
        ("Notes", "ignored"),
    ]


def test_a_mapping_key_matches_the_header_in_normal_form() -> None:
    reading = csv_reading("Age ,Name\n30,Dana\n", {"age": "ignore"})
    assert reading.rows[0].age is None
    person = {"id": "p1", "responses": {"notes": "kiwi allergy"}}
    rows = read_rows([person], as_of=AS_OF, mapping={"notes": "dietary_restrictions"})
    assert rows.rows[0].allergies == {"other:kiwi": "moderate"}


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"Colour": "age"}, 'the mapping names "Colour", but no column'),
        ({"Name": "years"}, 'gives "Name" the field "years", which is not one'),
        (["Name"], "the mapping must be an object"),
        ({"Name": 3}, "must be text"),
    ],
)
def test_a_bad_mapping_is_refused(mapping: Any, words: str) -> None:
    assert words in str(refusal("Name,Age\nDana,30\n", mapping))


def test_parse_mapping_accepts_every_field_and_ignore() -> None:
    from engine.intake import FIELDS

    mapping = {field.upper(): field for field in FIELDS} | {"x": "ignore"}
    assert parse_mapping(mapping) == mapping
