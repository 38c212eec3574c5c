"""Text matching for survey answers: normalisation, words, and Hebrew one-letter prefixes.

Every comparison the survey reader makes goes through here, so that "Sésame", "ולשומשום"
and a niqqud-marked "שֻׁמְשֻׁם" meet the vocabulary on equal terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")

HEBREW_PREFIXES = frozenset("הלבומשכ")
MAX_PREFIXES = 2
# Niqqud and cantillation; maqaf, paseq, sof pasuq and nun hafukha are punctuation and stay.
_HEBREW_MARKS = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\ufb1e]")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u05f3](?=\w)")
_WORD = re.compile(r"\w+")
# "&" is a conjunction in allergy items ("shrimp & prawns"), so it is kept as a token.
_TOKEN = re.compile(r"\w+|&")
# A gender ending written after a slash ("אלרגי/ת", "שומר/ת") belongs to the word before it.
_GENDER_SLASH = re.compile(r"(?<=[\u05d0-\u05ea])/(?:ת|ה|ית|ות|ים)(?![\u05d0-\u05ea])")
# A slash separates items, except in "n/a" and before a Hebrew gender ending ("לא אלרגי/ת").
_ITEM_SEPARATOR = re.compile(
    r"[,;|\n\r\v\f\x85\u2028\u2029]"
    r"|/(?!(?<=\bn/)a\b)(?!(?<=[\u0591-\u05ea]/)(?:ת|ה|ית|ות|ים)(?![\u05d0-\u05ea]))",
    re.IGNORECASE,
)


def _is_surrounding_junk(char: str) -> bool:
    return char.isspace() or unicodedata.category(char)[0] in "PZC"


_ASCII_JUNK = "".join(filter(_is_surrounding_junk, map(chr, range(128))))


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFKC, Hebrew niqqud and cantillation removed, casefolded, surrounding punctuation cut."""
    if text.isascii():  # NFKC and the Hebrew marks leave ASCII alone
        return text.casefold().strip(_ASCII_JUNK)
    text = _HEBREW_MARKS.sub("", unicodedata.normalize("NFKC", text))
    text = _HEBREW_MARKS.sub("", unicodedata.normalize("NFKC", text.casefold()))
    start, end = 0, len(text)
    while start < end and _is_surrounding_junk(text[start]):
        start += 1
    while end > start and _is_surrounding_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def _cleaned(text: str) -> str:
    return _INNER_APOSTROPHE.sub("", _GENDER_SLASH.sub("", normalise(text)))


def words(text: str) -> tuple[str, ...]:
    """The normalised words of `text`; apostrophes inside a word are dropped ("don't" -> dont)."""
    return tuple(_WORD.findall(_cleaned(text)))


def tokens(text: str) -> tuple[str, ...]:
    """`words(text)`, with each "&" kept in its place as a token of its own."""
    return tuple(_TOKEN.findall(_cleaned(text)))


def split_items(text: str) -> list[str]:
    """Split one answer into items on , ; | / and line breaks, stripped, empty ones dropped.

    A slash that is a Hebrew gender ending ("לא אלרגי/ת") or part of "n/a" does not split.
    """
    pieces = (piece.strip() for piece in _ITEM_SEPARATOR.split(text))
    return [piece for piece in pieces if piece]


@lru_cache(maxsize=16384)
def word_forms(word: str) -> tuple[str, ...]:
    """`word`, then what is left after cutting one and two Hebrew one-letter prefixes."""
    forms = [word]
    rest = word
    for _ in range(MAX_PREFIXES):
        if len(rest) < 3 or rest[0] not in HEBREW_PREFIXES:
            break
        rest = rest[1:]
        forms.append(rest)
    return tuple(forms)


def without_prefixes(word: str) -> str:
    """`word` with as many Hebrew one-letter prefixes cut as vocabulary matching cuts (two)."""
    return word_forms(word)[-1]


class Span(NamedTuple, Generic[T]):
    """Words `start`..`end` (exclusive) of a text, and the vocabulary value they name, if any."""

    start: int
    end: int
    value: T | None


class Lexicon(Generic[T]):
    """Phrases of one or more words, each naming a value, matched whole-word with prefixes.

    Every word of a phrase may carry up to two Hebrew one-letter prefixes ("ולפירות הים");
    where phrases overlap the longest one wins ("tree nuts" before "nuts").
    """

    def __init__(self, entries: Mapping[str, T]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], T]]] = {}
        for phrase, value in entries.items():
            key = words(phrase)
            if not key:
                raise ValueError(f"empty phrase in lexicon: {phrase!r}")
            options = self._by_first.setdefault(key[0], [])
            if any(known == key and known_value != value for known, known_value in options):
                raise ValueError(f"phrase with two meanings in lexicon: {phrase!r}")
            options.append((key, value))
        for options in self._by_first.values():
            options.sort(key=lambda option: -len(option[0]))
        self._whole_text: Callable[[str], T | None] = lru_cache(maxsize=4096)(
            lambda text: self.whole(words(text))
        )

    def spans(self, text_words: tuple[str, ...]) -> list[Span[T]]:
        """Cover `text_words` left to right: known phrases, and single unknown words."""
        result: list[Span[T]] = []
        index = 0
        while index < len(text_words):
            found = self._longest_at(text_words, index)
            if found is None:
                result.append(Span(index, index + 1, None))
                index += 1
            else:
                length, value = found
                result.append(Span(index, index + length, value))
                index += length
        return result

    def whole_text(self, text: str) -> T | None:
        """The value when one phrase is exactly the whole of `text`, else None (cached)."""
        return self._whole_text(text)

    def whole(self, text_words: tuple[str, ...]) -> T | None:
        """The value when one phrase is exactly all of `text_words`, else None."""
        found = self._longest_at(text_words, 0) if text_words else None
        if found is None or found[0] != len(text_words):
            return None
        return found[1]

    def _longest_at(self, text_words: tuple[str, ...], index: int) -> tuple[int, T] | None:
        best: tuple[int, T] | None = None
        for form in word_forms(text_words[index]):
            for phrase, value in self._by_first.get(form, ()):
                length = len(phrase)
                if best is not None and length <= best[0]:
                    break
                if length == 1 or _follows(phrase, text_words, index):
                    best = (length, value)
                    break
        return best


def _follows(phrase: tuple[str, ...], text_words: tuple[str, ...], index: int) -> bool:
    if index + len(phrase) > len(text_words):
        return False
    rest = zip(phrase[1:], text_words[index + 1 :], strict=False)
    return all(expected in word_forms(word) for expected, word in rest)


def stem_pattern(stems: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching words that start, after up to two Hebrew prefixes, with a stem.

    `pattern.match(word).group("stem")` is the stem found.
    """
    choices = "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True))
    prefixes = "".join(sorted(HEBREW_PREFIXES))
    return re.compile(f"[{prefixes}]{{0,{MAX_PREFIXES}}}(?P<stem>{choices})")
