"""Normalisation, words, item splitting and Hebrew prefixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.grouping.survey.text import (
    Lexicon,
    normalise,
    split_items,
    stem_pattern,
    word_forms,
    words,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Sesame  ", "sesame"),
        ("\uff33\uff25\uff33\uff21\uff2d\uff25", "sesame"),  # full-width letters, NFKC
        ("ﬁsh", "fish"),  # ligature, NFKC
        ("Straße", "strasse"),  # casefold, not just lower
        ("«Peanuts!»", "peanuts"),
        ("...(milk)...", "milk"),
        ("gluten-free", "gluten-free"),  # inner punctuation stays
        ("שֻׁמְשֻׁם", "שמשם"),  # niqqud with shin dot
        ("בְּרֵאשִׁ֖ית", "בראשית"),  # cantillation (tipeha) too
        ("\ufb2a\u05dc\u05d5\u05dd", "שלום"),  # presentation form: shin with shin dot
        ("״אלרגיה״", "אלרגיה"),  # gershayim used as quotes
        ("!!!", ""),
        ("+1 |", "+1 |"),  # symbols are not punctuation
        ("\u00a0peanuts\u200b", "peanuts"),  # no-break space, zero-width space
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Life-threatening allergy", ("life", "threatening", "allergy")),
        ("I don't have any", ("i", "dont", "have", "any")),
        ("cow\u2019s milk", ("cows", "milk")),
        ("לא אלרגי/ת", ("לא", "אלרגי")),
        ("שומר/ת כשרות", ("שומר", "כשרות")),
        ("אַלֶרְגִּיָה (חֲמוּרָה)", ("אלרגיה", "חמורה")),
        ("  ", ()),
    ],
)
def test_words(text: str, expected: tuple[str, ...]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("peanuts, sesame; milk | eggs / fish", ["peanuts", "sesame", "milk", "eggs", "fish"]),
        ("peanuts\nsesame\r\nmilk", ["peanuts", "sesame", "milk"]),
        (" , ;; ", []),
        ("N/A", ["N/A"]),
        ("no allergies / n/a", ["no allergies", "n/a"]),
        ("nan/apple", ["nan", "apple"]),
        ("לא אלרגי/ת, צמחוני/ת", ["לא אלרגי/ת", "צמחוני/ת"]),
        ("לֹא אַלֶרְגִּי/ת", ["לֹא אַלֶרְגִּי/ת"]),
        ("חלב/ביצים", ["חלב", "ביצים"]),
    ],
)
def test_split_items(text: str, expected: list[str]) -> None:
    assert split_items(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("ולשומשום", ("ולשומשום", "לשומשום", "שומשום")),
        ("מאלרגיה", ("מאלרגיה", "אלרגיה")),
        ("ושהבוטנים", ("ושהבוטנים", "שהבוטנים", "הבוטנים")),  # at most two prefixes
        ("ולא", ("ולא", "לא")),
        ("לא", ("לא",)),  # a one-letter rest is not a word
        ("קלמרי", ("קלמרי",)),  # ק is not a prefix
        ("milk", ("milk",)),
    ],
)
def test_word_forms(word: str, expected: tuple[str, ...]) -> None:
    assert word_forms(word) == expected


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("allergic", "allerg"),
        ("מאלרגיה", "אלרג"),
        ("ולאלרגיות", "אלרג"),
        ("אנפילקטית", "אנפילק"),
        ("שהמאלרגיה", None),  # three prefixes
        ("hypoallergenic", None),  # the stem must start the word
        ("קלמרי", None),
    ],
)
def test_stem_pattern(word: str, stem: str | None) -> None:
    found = stem_pattern(["allerg", "אלרג", "אנפילק"]).match(word)
    assert (found.group("stem") if found else None) == stem


LEXICON = Lexicon(
    {"קל": "mild", "nuts": "nut", "tree nuts": "tree", "פירות ים": "sea", "ים": "just sea"}
)


def values(text: str) -> list[str | None]:
    return [span.value for span in LEXICON.spans(words(text))]


def test_lexicon_matches_whole_words_only() -> None:
    assert values("קלמרי קל") == [None, "mild"]
    assert values("donuts") == [None]


def test_lexicon_prefers_the_longest_phrase() -> None:
    assert values("tree nuts, nuts") == ["tree", "nut"]
    assert values("פירות ים") == ["sea"]
    assert values("פירות") == [None]


def test_lexicon_allows_prefixes_on_every_word() -> None:
    assert values("ולפירות הים") == ["sea"]
    assert values("והקל") == ["mild"]


def test_lexicon_spans_cover_every_word() -> None:
    spans = LEXICON.spans(words("a tree nuts b"))
    assert [(span.start, span.end) for span in spans] == [(0, 1), (1, 3), (3, 4)]


def test_lexicon_whole_needs_one_phrase_for_all_words() -> None:
    assert LEXICON.whole(words("Tree Nuts!")) == "tree"
    assert LEXICON.whole(words("tree nuts please")) is None
    assert LEXICON.whole(()) is None


def test_lexicon_refuses_a_phrase_with_two_meanings() -> None:
    with pytest.raises(ValueError, match="two meanings"):
        Lexicon({"Nuts": "a", "nuts!": "b"})


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text())
def test_words_do_not_change_once_normalised(text: str) -> None:
    assert words(normalise(text)) == words(text)


HEBREW_WORDS = ("שומשום", "בוטנים", "אלרגיה", "חמורה", "קלמרי", "אגוזים")


@given(
    st.sampled_from(HEBREW_WORDS),
    st.lists(st.sampled_from("הלבומשכ"), max_size=2),
    st.sampled_from(["", "\u05b0", "\u05b4", "\u05bc"]),
)
def test_up_to_two_prefixes_still_match(word: str, prefixes: list[str], mark: str) -> None:
    lexicon = Lexicon({word: "hit"})
    written = "".join(prefixes) + word[0] + mark + word[1:]
    assert lexicon.whole(words(written)) == "hit"


@given(st.sampled_from(HEBREW_WORDS), st.lists(st.sampled_from("הלבומשכ"), min_size=3, max_size=4))
def test_three_prefixes_are_too_many(word: str, prefixes: list[str]) -> None:
    assert Lexicon({word: "hit"}).whole(words("".join(prefixes) + word)) is None
