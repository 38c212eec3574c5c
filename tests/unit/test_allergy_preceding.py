"""Names written before an allergy item: continuation's mirror (spec lines 79-84).

The spec's continuation only looks forward, and is silent on an item that directly
precedes an allergy item; an organiser reading "peanut, sesame allergy" or "milk/soy
allergy" expects both allergens. So an item without a marker that directly precedes an
allergy item of the same answer (never across list entries), and passes continuation's
test (known allergen names only, with conjunctions or severity words), is part of that
allergy: its allergens get the allergy's strongest severity, and such items chain. An item
between two allergy items is part of both, as both rules say so.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.survey.allergies import read_restrictions
from tests.unit import spec_allergies as spec
from tests.unit.allergy_writing import (
    ANYTHING_ELSE,
    SEPARATORS,
    Statement,
    Written,
    allergy_items,
    continuation_items,
    statements,
)


@settings(max_examples=300)
@given(statements())
def test_names_before_an_allergy_item_join_it(statement: Statement) -> None:
    """ "milk, soy allergy" is milk and soy, at the strongest severity written (line 102)."""
    profile, kept = read_restrictions(statement.text)
    assert profile.severity == statement.severity
    assert kept == ()
    assert profile.raw_items == statement.raw


@settings(max_examples=200)
@given(statements(before=1, after=1))
def test_names_on_both_sides_of_an_allergy_item_join_it(statement: Statement) -> None:
    profile, kept = read_restrictions(statement.text)
    assert profile.severity == statement.severity
    assert kept == ()
    assert profile.raw_items == statement.raw


@settings(max_examples=200)
@given(
    allergy_items(unknown=True),
    st.sampled_from(SEPARATORS),
    continuation_items(),
    ANYTHING_ELSE,
    st.booleans(),
)
def test_anything_else_keeps_an_item_before_the_allergy_a_plain_restriction(
    allergy: Written, separator: str, item: Written, other: str, first: bool
) -> None:
    plain = f"{other} {item.text}" if first else f"{item.text} {other}"
    profile, kept = read_restrictions(plain + separator + allergy.text)
    assert profile.severity == allergy.severity
    assert kept == (plain,)
    assert profile.raw_items == [allergy.text]


@settings(max_examples=200)
@given(statements(), st.sampled_from(SEPARATORS), ANYTHING_ELSE)
def test_a_chain_of_names_stops_at_an_item_that_does_not_join(
    statement: Statement, separator: str, other: str
) -> None:
    profile, kept = read_restrictions(other + separator + statement.text)
    assert profile.severity == statement.severity
    assert kept == (other,)
    assert profile.raw_items == statement.raw


@settings(max_examples=100)
@given(allergy_items(), continuation_items(), st.sampled_from(SEPARATORS))
def test_only_an_item_directly_before_an_allergy_of_the_same_answer_joins_it(
    allergy: Written, item: Written, separator: str
) -> None:
    before_other = separator.join([item.text, "gluten free", allergy.text])
    profile, kept = read_restrictions(before_other)
    assert (profile.severity, kept) == (allergy.severity, (item.text, "gluten free"))
    before_none = separator.join([item.text, "none", allergy.text])
    profile, kept = read_restrictions(before_none)
    assert (profile.severity, kept) == (allergy.severity, (item.text,))
    two_answers, kept = read_restrictions([item.text, allergy.text])
    assert (two_answers.severity, kept) == (allergy.severity, (item.text,))


@settings(max_examples=200)
@given(
    allergy_items(unknown=True),
    continuation_items(),
    allergy_items(unknown=True),
    st.sampled_from(SEPARATORS),
    st.sampled_from(SEPARATORS),
)
def test_an_item_between_two_allergies_joins_both(
    first: Written, item: Written, second: Written, one: str, two: str
) -> None:
    expected: dict[str, str] = {}
    for allergy in (first, second):
        joined = Written("", allergy.keys | item.keys, allergy.levels + item.levels)
        for key, level in joined.severity.items():
            expected[key] = spec.strongest([level, expected.get(key, "mild")])
    profile, kept = read_restrictions(first.text + one + item.text + two + second.text)
    assert profile.severity == expected
    assert kept == ()
    assert profile.raw_items == [first.text, item.text, second.text]


def moderate(*keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, "moderate")


def severe(*keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, "severe")


@pytest.mark.parametrize(
    ("answer", "expected", "kept"),
    [
        ("peanut, sesame allergy", moderate("peanut", "sesame"), ()),
        ("milk/soy allergy", moderate("milk", "soy"), ()),
        ("milk, soy allergy", moderate("milk", "soy"), ()),
        ("milk, soy, peanut allergy", moderate("milk", "soy", "peanut"), ()),
        ("peanut / sesame allergy (severe)", severe("peanut", "sesame"), ()),
        ("eggs and milk; severe fish allergy", severe("egg", "milk", "fish"), ()),
        ("severe, peanut allergy", severe("peanut"), ()),
        ("mild, sesame, severe peanut allergy", severe("sesame", "peanut"), ()),
        ("חלב, סויה - אלרגיה חמורה", severe("milk", "soy"), ()),
        ("בוטנים ושומשום, אלרגיה לאגוזים", moderate("peanut", "sesame", "tree_nut"), ()),
        ("חלב/ביצים - אלרגיה קלה", {"milk": "mild", "egg": "mild"}, ()),
        ("sesame, allergic to kiwi", moderate("sesame", "other:kiwi"), ()),
        ("gluten free, nut allergy", moderate("tree_nut"), ("gluten free",)),
        ("ללא גלוטן, אלרגיה לאגוזים", moderate("tree_nut"), ("ללא גלוטן",)),
        ("kiwi, peanut allergy", moderate("peanut"), ("kiwi",)),
        ("peanut and kiwi, sesame allergy", moderate("sesame"), ("peanut and kiwi",)),
        ("קיווי, אלרגיה לבוטנים", moderate("peanut"), ("קיווי",)),
        ("no nuts, sesame allergy", moderate("sesame"), ("no nuts",)),
        (["peanut", "sesame allergy"], moderate("sesame"), ("peanut",)),
        # Between two allergy items, a name is part of both: the higher severity wins.
        (
            "severe peanut allergy, sesame, mild milk allergy",
            {"peanut": "severe", "sesame": "severe", "milk": "mild"},
            (),
        ),
        ("peanut allergy, severe, milk allergy", severe("peanut", "milk"), ()),
    ],
)
def test_examples(answer: object, expected: dict[str, str], kept: tuple[str, ...]) -> None:
    profile, restrictions = read_restrictions(answer)
    assert profile.severity == expected
    assert restrictions == kept


def test_names_before_an_allergy_are_kept_as_raw_allergy_items() -> None:
    profile, kept = read_restrictions("gluten free; milk, soy allergy")
    assert profile.raw_items == ["milk", "soy allergy"]
    assert kept == ("gluten free",)
