"""The `other:<text>` key of an allergen the vocabulary does not know, built by the spec.

One allergen is one key however it is phrased: "allergic to kiwi", "Kiwi allergy" and
"severe kiwi allergy" are all `other:kiwi`, "אלרגיה לתותים" is `other:תותים`. The key is
the words of one part of an item (already lower-cased, without niqqud or punctuation)
without its marker and severity expressions (the caller leaves those out) and without
connecting words, each word with its Hebrew one-letter prefixes cut as vocabulary
matching cuts them, and each English word made singular by the spec's plain rules.

Words of another language are not translated: "kiwi" and "קיווי" are two keys, as the
spec's construction gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from engine.grouping.survey import vocabulary
from engine.grouping.survey.text import without_prefixes, word_forms

UNSPECIFIED = "other:unspecified"
_CONNECTING = frozenset(vocabulary.CONNECTING_WORDS)
_AFTER_ES = ("s", "x", "z", "ch", "sh")


def singular(word: str) -> str:
    """An English word made singular by the plain rules; any other word as it is.

    -ies becomes -y; -es after s, x, z, ch or sh is dropped; -s after anything but s
    is dropped ("kiwis" -> kiwi, "peaches" -> peach, "grass" stays).
    """
    if not (word.isascii() and word.isalpha()):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(_AFTER_ES):
        return word[:-2]
    if len(word) > 1 and word.endswith("s") and word[-2] != "s":
        return word[:-1]
    return word


def is_connecting(word: str) -> bool:
    """Whether `word` is a connecting word ("to", "של"), Hebrew prefixes allowed ("ושל")."""
    return any(form in _CONNECTING for form in word_forms(word))


@lru_cache(maxsize=16384)
def canonical_word(word: str) -> str:
    """One word as it appears in a key: Hebrew prefixes cut, English made singular."""
    return singular(without_prefixes(word))


def unknown_key(part_words: Iterable[str]) -> str:
    """`other:<text>` for these words of a part; "" when nothing is left of them."""
    kept = [canonical_word(word) for word in part_words if not is_connecting(word)]
    return f"other:{' '.join(kept)}" if kept else ""
