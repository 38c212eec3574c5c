"""The folding tables: what Unicode says they are, and the same in the migration that gives the
database its household keys (tests/db/test_ward_household_keys.py compares the two functions on
every code point of the Basic Multilingual Plane)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from engine.wards.folding import (
    ASCII_FOLDING,
    CASE_FOLDING,
    COMBINING_MARKS,
    EXPANDED_FOLDING,
    UNICODE_VERSION,
    fold,
)
from engine.wards.names import ADDRESS_SEPARATORS, NAME_SEPARATORS, WHITESPACE

# Found by name, not number: numbers are the merge's to assign.
(_HOUSEHOLDS,) = (Path(__file__).resolve().parents[3] / "sql" / "migrations").glob(
    "*_households_in_the_database.sql"
)
MIGRATION = _HOUSEHOLDS.read_text(encoding="utf-8")
_MARKS = re.compile(f"[{COMBINING_MARKS}]")
this_unicode = pytest.mark.skipif(
    unicodedata.unidata_version != UNICODE_VERSION,
    reason=f"the tables are Unicode {UNICODE_VERSION}'s; this Python has another",
)


def _unescaped(literal: str) -> str:
    return re.sub(
        r"\\u([0-9a-f]{4})|\\U([0-9a-f]{8})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        literal,
    )


def _sql_string(expression: str) -> str:
    """The value of a concatenation of SQL string literals ('...' || e'...'), escapes read."""
    pieces = re.findall(r"(e?)'([^']*)'", expression)
    return "".join(_unescaped(text) if prefix else text for prefix, text in pieces)


def _function(name: str) -> str:
    """The text of one function of the migration, without its comments."""
    start = MIGRATION.index(f"create function private.{name}(")
    return re.sub(r"--[^\n]*", "", MIGRATION[start : MIGRATION.index("\n$$;", start)])


@this_unicode
def test_case_folding_is_unicodes_for_what_nfkd_leaves_and_marks_do_not_take() -> None:
    expected: dict[int, list[tuple[str, str]]] = {}
    for code in range(0x80, 0x110000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or _MARKS.match(char):
            continue
        if unicodedata.normalize("NFKD", char) != char:
            continue
        folded = char.casefold()
        if folded != char and len(folded) == 1:
            expected.setdefault(code >> 8, []).append((char, folded))
    blocks = [
        tuple("".join(side) for side in zip(*pairs, strict=True)) for pairs in expected.values()
    ]
    assert list(CASE_FOLDING) == blocks
    assert dict(EXPANDED_FOLDING) == {"ß": "ss", "ẞ": "ss"} == {c: c.casefold() for c in "ßẞ"}


@this_unicode
def test_fold_is_casefold_of_the_unmarked_nfkd_form() -> None:
    for code in range(1, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        unmarked = _MARKS.sub("", unicodedata.normalize("NFKD", chr(code)))
        assert fold(chr(code)) == unmarked.casefold(), f"U+{code:04X}"


def test_the_combining_marks_are_marks_or_unassigned() -> None:
    categories = {
        unicodedata.category(chr(code))
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF and _MARKS.match(chr(code))
    }
    assert categories <= {"Mn", "Me", "Cn"}
    assert _MARKS.match("\u05be") is None  # the maqaf is a hyphen, not a mark


def test_every_block_is_a_block_and_its_letters_fold_to_letters() -> None:
    assert ASCII_FOLDING == ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    for sources, targets in CASE_FOLDING:
        assert len(sources) == len(targets) > 0
        assert len({ord(c) >> 8 for c in sources}) == 1
        assert fold(targets) == targets


def test_the_migration_folds_with_the_same_tables() -> None:
    body = _function("ward_fold")
    marks = body[body.index("normalize(p_text, nfkd),") : body.index("'', 'g')")]
    assert _sql_string(marks) == f"[{COMBINING_MARKS}]+"
    translations = re.findall(
        r"if folded ~ '\[([^\]]*)\]' then\s*folded := translate\(folded,(.*?),(.*?)\);",
        body,
        re.DOTALL,
    )
    assert [(_sql_string(s), _sql_string(t)) for _, s, t in translations] == list(CASE_FOLDING)
    for letters, sources, _ in translations:
        assert _unescaped(letters) == f"{_sql_string(sources)[0]}-{_sql_string(sources)[-1]}"
    # The first test, any block's letters at all, is their ranges together.
    first_test = body[body.index("if folded ~ (") : body.index(") then\n    if folded ~")]
    assert _sql_string(first_test) == "[" + "".join(letters for letters, _, _ in translations) + "]"
    assert "translate(\n    regexp_replace(" in body and "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'" in body
    for source, target in EXPANDED_FOLDING:
        assert f"e'\\u{ord(source):04x}', '{target}'" in body


@pytest.mark.parametrize(
    ("function", "separators"),
    [("ward_normalise_name", NAME_SEPARATORS), ("ward_normalise_address", ADDRESS_SEPARATORS)],
)
def test_the_migration_separates_names_and_addresses_alike(function: str, separators: str) -> None:
    body = _function(function)
    classes = body[body.index("private.ward_fold(p_text),") : body.index("' ', 'g')")]
    assert _sql_string(classes) == f"[{separators}]+"


def test_the_migration_strips_explicit_household_ids_of_the_same_whitespace() -> None:
    body = _function("ward_household_key")
    stripped = body[body.index("p_household_id,") : body.index(");\n  last_name")]
    assert _sql_string(stripped) == WHITESPACE
    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
