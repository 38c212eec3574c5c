"""The spec's allergy words and its `other:` key, written from spec/grouping.md, not the engine.

Every list here is copied from the page (Allergies, lines 57-105), so tests built on it
check the reader against the spec rather than against its own vocabulary.
"""

# Hebrew letters are the point of these lists, not look-alikes of Latin ones.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
import unicodedata

# Line 60: allergy markers (stems end in *), with the gendered Hebrew forms people write.
MARKER_STEMS = ("allerg", "אלרג", "anaphyla", "אנפילק")
MARKER_WORDS = ("epipen", "אפיפן")
# Lines 96-100, with the gender slashes spelled out and the English adverbs.
SEVERITY_WORDS: dict[str, tuple[str, ...]] = {
    "severe": (
        "severe", "severely", "serious", "seriously", "life-threatening", "anaphylaxis",
        "anaphylactic", "epipen", "אפיפן", "חמור", "חמורה", "חמור/ה", "מסכן חיים",
        "מסכנת חיים", "מסכן/ת חיים", "אנפילקסיס", "אנפילקטי", "אנפילקטית", "אנפילקטי/ת",
    ),
    "mild": ("mild", "mildly", "light", "lightly", "slight", "slightly", "קל", "קלה", "קל/ה"),
    "moderate": ("moderate", "moderately", "בינוני", "בינונית", "בינוני/ת"),
}  # fmt: skip
SEVERITY_OF = {word: level for level, words in SEVERITY_WORDS.items() for word in words}
RANK = {"mild": 1, "moderate": 2, "severe": 3}
# Lines 72-74: the conjunctions; the prefix ו is a conjunction on any word.
CONJUNCTIONS_EN = ("and", "&", "or", "plus", "as well as")
CONJUNCTIONS_HE = ("או", "וגם")
CONJUNCTION_PREFIX = "ו"
# Line 88: connecting words.
CONNECTING = ("to", "of", "from", "the", "a", "an", "for", "with", "של", "עם")
# Line 24: the one-letter prefixes, at most two on a word.
PREFIXES = "הלבומשכ"
# Lines 61-62: items that say there is none.
NONE_ANSWERS = (
    "no allergies", "none", "not allergic", "אין אלרגיות", "אין לי אלרגיות", "ללא אלרגיות",
    "לא אלרגי/ת",
)  # fmt: skip
# Lines 69-71: the allergens the vocabulary must know at least.
REQUIRED_ALLERGENS = (
    "peanut", "tree_nut", "sesame", "milk", "egg", "fish", "shellfish", "soy", "gluten",
    "mustard", "celery", "lupin", "sulphite", "mollusc",
)  # fmt: skip

_NIQQUD = re.compile("[\u0591-\u05c7]")
_GENDER = re.compile(r"(?<=[\u05d0-\u05ea])/(?:ת|ה|ית)(?![\u05d0-\u05ea])")


def spec_words(text: str) -> list[str]:
    """Lower-cased, without niqqud, gender slashes or punctuation, split into words."""
    text = _NIQQUD.sub("", unicodedata.normalize("NFKC", text).casefold())
    return re.findall(r"\w+", _GENDER.sub("", text).replace("'", ""))


def cut_prefixes(word: str) -> str:
    """Up to two one-letter prefixes cut, each leaving at least two letters (line 24)."""
    for _ in range(2):
        if len(word) >= 3 and word[0] in PREFIXES:
            word = word[1:]
    return word


def forms(word: str) -> list[str]:
    """The word, and what is left once one and two prefixes are cut."""
    found = [word]
    while len(found) < 3 and len(found[-1]) >= 3 and found[-1][0] in PREFIXES:
        found.append(found[-1][1:])
    return found


def singular(word: str) -> str:
    """Line 91: -ies -> -y; -es after s, x, z, ch, sh -> drop; -s after anything but s -> drop."""
    if not re.fullmatch("[a-z]+", word):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if len(word) > 1 and word.endswith("s") and word[-2] != "s":
        return word[:-1]
    return word


def is_marker(word: str) -> bool:
    """Whether `word` is an allergy marker (line 60), prefixes allowed."""
    return any(f.startswith(MARKER_STEMS) or f in MARKER_WORDS for f in forms(word))


_SEVERITY_PHRASES = sorted(
    {tuple(spec_words(phrase)) for phrase in SEVERITY_OF}, key=len, reverse=True
)


def _without_severity(words: list[str]) -> list[str]:
    kept: list[str] = []
    index = 0
    while index < len(words):
        for phrase in _SEVERITY_PHRASES:
            window = words[index : index + len(phrase)]
            if len(window) == len(phrase) and all(
                expected in forms(word) for expected, word in zip(phrase, window, strict=True)
            ):
                index += len(phrase)
                break
        else:
            kept.append(words[index])
            index += 1
    return kept


def spec_key(part: str) -> str:
    """Lines 85-93: the `other:` key of one part of an item that names no known allergen.

    Returns "" when nothing is left (the item's `other:unspecified` is the caller's).
    """
    words = _without_severity([w for w in spec_words(part) if not is_marker(w)])
    kept = [
        singular(cut_prefixes(word))
        for word in words
        if not any(form in CONNECTING for form in forms(word))
    ]
    return "other:" + " ".join(kept) if kept else ""


def strongest(levels: list[str]) -> str:
    """Line 99 and 102: the highest severity said, moderate when none is."""
    return max(levels, key=RANK.__getitem__, default="moderate")
