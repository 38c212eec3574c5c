"""Continuation (spec lines 79-84): an item without a marker that continues an allergy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.survey.allergies import read_restrictions
from tests.unit import spec_allergies as spec
from tests.unit.allergy_writing import (
    ANYTHING_ELSE,
    SEPARATORS,
    Written,
    allergy_items,
    continuation_items,
)


@settings(max_examples=300)
@given(
    allergy_items(unknown=True),
    st.lists(st.tuples(st.sampled_from(SEPARATORS), continuation_items()), min_size=1, max_size=3),
)
def test_continuations_join_the_allergy_before_them(
    allergy: Written, continuations: list[tuple[str, Written]]
) -> None:
    """Their names count, and the allergy's strongest severity is every name's (line 102)."""
    text = allergy.text + "".join(separator + item.text for separator, item in continuations)
    expected = Written(text, set(allergy.keys), list(allergy.levels))
    for _, item in continuations:
        expected.keys |= item.keys
        expected.levels += item.levels
    profile, kept = read_restrictions(text)
    assert profile.severity == expected.severity
    assert kept == ()
    assert len(profile.raw_items) == 1 + len(continuations)


@settings(max_examples=200)
@given(
    allergy_items(unknown=True),
    st.sampled_from(SEPARATORS),
    continuation_items(),
    ANYTHING_ELSE,
    st.booleans(),
)
def test_anything_else_keeps_the_item_a_plain_restriction(
    allergy: Written, separator: str, item: Written, other: str, before: bool
) -> None:
    plain = f"{other} {item.text}" if before else f"{item.text} {other}"
    profile, kept = read_restrictions(allergy.text + separator + plain)
    assert profile.severity == allergy.severity
    assert kept == (plain,)


@settings(max_examples=100)
@given(allergy_items(), continuation_items(), st.sampled_from(SEPARATORS))
def test_only_an_item_directly_after_an_allergy_of_the_same_answer_continues_it(
    allergy: Written, item: Written, separator: str
) -> None:
    after_other = separator.join([allergy.text, "gluten free", item.text])
    assert read_restrictions(after_other)[0].severity == allergy.severity
    after_none = separator.join([allergy.text, "none", item.text])
    assert read_restrictions(after_none)[0].severity == allergy.severity
    two_answers, kept = read_restrictions([allergy.text, item.text])
    assert two_answers.severity == allergy.severity
    assert kept == (item.text,)


def moderate(*keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, "moderate")


@pytest.mark.parametrize(
    ("answer", "expected", "kept"),
    [
        ("Allergic to peanuts, sesame", moderate("peanut", "sesame"), ()),
        ("peanut allergy; and sesame", moderate("peanut", "sesame"), ()),
        ("אלרגיה לבוטנים, שומשום ולחלב", moderate("peanut", "sesame", "milk"), ()),
        ("Allergic to peanuts, sesame, milk", moderate("peanut", "sesame", "milk"), ()),
        ("peanut allergy, severe", {"peanut": "severe"}, ()),
        ("severe peanut allergy, sesame", {"peanut": "severe", "sesame": "severe"}, ()),
        ("Allergic to almonds, cashews and kiwi", moderate("tree_nut"), ("cashews and kiwi",)),
        ("allergic to kiwi, mango", moderate("other:kiwi"), ("mango",)),
        ("allergic, sesame", moderate("sesame"), ()),
        ("none, sesame", {}, ("sesame",)),
    ],
)
def test_spec_examples(answer: str, expected: dict[str, str], kept: tuple[str, ...]) -> None:
    profile, restrictions = read_restrictions(answer)
    assert profile.severity == expected
    assert restrictions == kept


def test_a_continuation_is_kept_as_a_raw_allergy_item() -> None:
    profile, _ = read_restrictions("Allergic to peanuts, sesame; gluten free")
    assert profile.raw_items == ["Allergic to peanuts", "sesame"]


@pytest.mark.parametrize("none", spec.NONE_ANSWERS)
def test_an_answer_saying_there_is_none_is_no_allergy(none: str) -> None:
    assert read_restrictions(none) == read_restrictions(None)
    profile, kept = read_restrictions(f"severe peanut allergy, {none}")
    assert (profile.severity, kept) == ({"peanut": "severe"}, ())
