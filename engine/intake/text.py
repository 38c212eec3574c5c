"""The text of an export's headers and cells: the form headers are matched in, and markers.

Headers are compared after Unicode NFKC, case folding, accents and niqqud removed, every
punctuation mark and symbol (a trailing question mark, `/`, `-`, `_`, quotes) turned into
a space, and spaces collapsed. Two headers are the same when their words, written
together, are the same: "E-mail address", "email address" and "Email  Address?" all meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from engine.grouping.survey import vocabulary
from engine.grouping.survey.text import HEBREW_PREFIXES, MAX_PREFIXES

_NOT_WORD = re.compile(r"[\W_]+")
_PREFIXES = f"[{''.join(sorted(HEBREW_PREFIXES))}]{{0,{MAX_PREFIXES}}}"
# Niqqud, cantillation and Latin combining accents (after NFD).
_MARKS = re.compile("[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")


@lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """NFKC, case folded, accents and niqqud removed (punctuation kept)."""
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKC", text).casefold()
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFD", text)))


@lru_cache(maxsize=4096)
def header_words(header: str) -> tuple[str, ...]:
    """The words of a header in the form headers are matched in."""
    return tuple(_NOT_WORD.sub(" ", plain(header)).split())


def header_key(header: str) -> str:
    """The header's words written together: what two headers must share to be the same."""
    return "".join(header_words(header))


def word_forms(word: str) -> tuple[str, ...]:
    """`word`, then without one and two Hebrew one-letter prefixes (see `HEBREW_PREFIXES`)."""
    forms = [word]
    for _ in range(MAX_PREFIXES):
        if len(forms[-1]) < 3 or forms[-1][0] not in HEBREW_PREFIXES:
            break
        forms.append(forms[-1][1:])
    return tuple(forms)


def has_word(words: Iterable[str], wanted: frozenset[str]) -> bool:
    """Whether one of `words`, with or without Hebrew prefixes, is in `wanted`."""
    return any(form in wanted for word in words for form in word_forms(word))


def _marker_pattern() -> re.Pattern[str]:
    stems = sorted(vocabulary.MARKER_STEMS, key=len, reverse=True)
    phrases = sorted(
        (
            r"[\W_]+".join(map(re.escape, header_words(phrase)))
            for phrase in vocabulary.MARKER_WORDS
        ),
        key=len,
        reverse=True,
    )
    stem_part = "|".join(re.escape(plain(stem)) for stem in stems)
    phrase_part = "|".join(phrases)
    return re.compile(
        f"(?<!\\w){_PREFIXES}(?:{stem_part})|(?<!\\w){_PREFIXES}(?:{phrase_part})(?!\\w)"
    )


_MARKER = _marker_pattern()


@lru_cache(maxsize=65536)
def mentions_allergy(text: str) -> bool:
    """Whether `text` carries an allergy marker (allerg*, אלרג*, anaphyla*, אנפילק*, epipen, אפיפן).

    Markers are the engine's own (`vocabulary.MARKER_STEMS` and `MARKER_WORDS`), found at
    the start of a word after up to two Hebrew prefixes: "ולאלרגיה" counts,
    "hypoallergenic" does not. "No allergies" counts too: it carries the marker.
    """
    return _MARKER.search(plain(text)) is not None
