"""Allergy items against the spec's words: parts, conjunctions, unknown allergens, severity.

Items are generated from the vocabulary's names and the spec's own lists (spec_allergies),
and the expected reading is worked out from the spec (allergy_writing), not the engine.
"""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.survey import vocabulary
from engine.grouping.survey.allergies import read_restrictions
from tests.unit import spec_allergies as spec
from tests.unit.allergy_writing import (
    ATTACHED,
    MULTI_WORD,
    NAMES,
    WORD_CONJUNCTIONS,
    Written,
    allergy_items,
    hebrew,
)


def read(text: str) -> dict[str, str]:
    return dict(read_restrictions(text)[0].severity)


def test_the_vocabulary_knows_every_allergen_the_spec_names() -> None:
    assert set(spec.REQUIRED_ALLERGENS) <= set(vocabulary.ALLERGENS)


def test_no_name_in_the_vocabulary_holds_a_conjunction() -> None:
    """Else splitting on conjunctions would cut a vocabulary name in two (spec line 74)."""
    conjunctions = set(spec.CONJUNCTIONS_EN + spec.CONJUNCTIONS_HE)
    for _, name in NAMES:
        words = spec.spec_words(name)
        assert not conjunctions & set(words), name
        assert not any(word.startswith(spec.CONJUNCTION_PREFIX) for word in words), name


@settings(max_examples=400)
@given(allergy_items())
def test_every_allergen_written_is_read_at_the_strongest_severity(item: Written) -> None:
    assert read(item.text) == item.severity


@settings(max_examples=400)
@given(allergy_items(unknown=True))
def test_an_unknown_allergen_beside_known_ones_is_its_own_key(item: Written) -> None:
    assert read(item.text) == item.severity


def _named_in(half: list[str]) -> set[str]:
    """Allergens a vocabulary name names within `half` (whole words, prefixes allowed)."""
    found: set[str] = set()
    for allergen, name in NAMES:
        phrase = spec.spec_words(name)
        for start in range(len(half) - len(phrase) + 1):
            window = half[start : start + len(phrase)]
            if all(p in spec.forms(w) for p, w in zip(phrase, window, strict=True)):
                found.add(allergen)
    return found


def _conjunctions_before(half: str) -> list[str]:
    return [*WORD_CONJUNCTIONS, ATTACHED] if hebrew(half.split()[0]) else list(WORD_CONJUNCTIONS)


def _template(first: str) -> str:
    return "אלרגיה חמורה ל{}" if hebrew(first.split()[0]) else "severe allergy to {}"


SPLITS = [
    (" ".join(words[:cut]), " ".join(words[cut:]))
    for name in [name for _, name in MULTI_WORD] + list(vocabulary.LOOKALIKES)
    for words in [spec.spec_words(name)]
    for cut in range(1, len(words))
]


def test_a_multi_word_name_never_spans_a_conjunction() -> None:
    """Every multi-word name cut by every conjunction: each side is read as a part of its own.

    "לחלב וסויה" is milk and soy (spec line 75), "soy and milk" is soy and milk; a side that
    names no allergen is its `other:` key ("tree and nuts": other:tree and tree_nut).
    """
    wrong = []
    for first, second in SPLITS:
        for conjunction in _conjunctions_before(second):
            segment = _template(first).format(first)
            expected: set[str] = set()
            for side, text in ((first, segment), (second, second)):
                expected |= _named_in(spec.spec_words(side)) or {spec.spec_key(text)}
            found = read(segment + conjunction + second)
            if found != dict.fromkeys(expected, "severe"):
                wrong.append((segment + conjunction + second, found, expected))
    assert not wrong


def _one_name_each() -> list[tuple[str, str]]:
    """The first English and the first Hebrew name of every allergen."""
    chosen: dict[tuple[str, bool], str] = {}
    for allergen, name in NAMES:
        chosen.setdefault((allergen, hebrew(name)), name)
    return [(allergen, name) for (allergen, _), name in chosen.items()]


def test_every_multi_word_name_beside_every_conjunction_and_allergen() -> None:
    wrong = []
    for allergen, name in MULTI_WORD:
        for other, other_name in _one_name_each():
            for first, second in ((name, other_name), (other_name, name)):
                for conjunction in _conjunctions_before(second):
                    text = _template(first).format(first) + conjunction + second
                    if read(text) != dict.fromkeys({allergen, other}, "severe"):
                        wrong.append((text, read(text)))
    assert not wrong


@settings(max_examples=200)
@given(
    st.sampled_from(MULTI_WORD),
    st.sampled_from(NAMES),
    st.sampled_from(WORD_CONJUNCTIONS),
    st.booleans(),
)
def test_a_multi_word_name_beside_any_name(
    multi: tuple[str, str], other: tuple[str, str], conjunction: str, first_is_multi: bool
) -> None:
    pair = (multi[1], other[1]) if first_is_multi else (other[1], multi[1])
    text = _template(pair[0]).format(pair[0]) + conjunction + pair[1]
    assert read(text) == dict.fromkeys({multi[0], other[0]}, "severe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spec lines 71-78, the examples themselves.
        ("allergic to peanuts and sesame", {"peanut": "moderate", "sesame": "moderate"}),
        ("אלרגיה לחלב וסויה", {"milk": "moderate", "soy": "moderate"}),
        ("allergic to kiwi and peanuts", {"peanut": "moderate", "other:kiwi": "moderate"}),
        # The cases.
        ("אלרגיה חמורה לחלב וסויה", {"milk": "severe", "soy": "severe"}),
        ("אלרגי לקיווי ולבוטנים", {"peanut": "moderate", "other:קיווי": "moderate"}),
        # Every conjunction of the spec's list (lines 73-74).
        ("severe allergy to milk & soy", {"milk": "severe", "soy": "severe"}),
        ("milk&soy allergy", {"milk": "moderate", "soy": "moderate"}),
        ("allergic to soy or milk", {"milk": "moderate", "soy": "moderate"}),
        ("allergic to soy plus milk", {"milk": "moderate", "soy": "moderate"}),
        ("allergic to soy as well as milk", {"milk": "moderate", "soy": "moderate"}),
        ("אלרגיה לחלב או סויה", {"milk": "moderate", "soy": "moderate"}),
        ("אלרגיה לחלב וגם לסויה", {"milk": "moderate", "soy": "moderate"}),
        ("אלרגיה לחלב ו סויה", {"milk": "moderate", "soy": "moderate"}),
        ("אלרגיה לחלב ואו סויה", {"milk": "moderate", "soy": "moderate"}),
        # Without a conjunction a multi-word name is one allergen.
        ("אלרגיה לחלב סויה", {"soy": "moderate"}),
        ("allergic to soy milk", {"soy": "moderate"}),
        # A part with nothing left adds no key (line 93 is for an item naming nothing).
        ("mild or severe allergy to walnuts", {"tree_nut": "severe"}),
        ("allergic", {"other:unspecified": "moderate"}),
        # Severity words are whole words, after prefixes (lines 100-102).
        ("אלרגיה לקלמרי", {"mollusc": "moderate"}),
        ("אלרגיה לבוטנים והחמורה", {"peanut": "severe"}),
        # "ובקלה" is "and cod", not "and in mild" (קלה): the longer reading is a name.
        (
            "אלרגיה לבוטנים, לשומשום ובקלה",
            {"peanut": "moderate", "sesame": "moderate", "fish": "moderate"},
        ),
        ("mild peanut and severe sesame allergy", {"peanut": "severe", "sesame": "severe"}),
    ],
)
def test_spec_examples(text: str, expected: dict[str, str]) -> None:
    assert read(text) == expected
