"""The parts of an allergy item: its tokens split on the spec's conjunctions.

"allergic to peanuts and sesame" has the parts "allergic to peanuts" and "sesame"; the
Hebrew prefix ו starts a part too, so "לחלב וסויה" is "לחלב" and "סויה". Allergen names
are then matched within a part only: a multi-word name never spans a conjunction, and
"לחלב וסויה" is milk and soy, never soy milk ("חלב סויה").

The ו that separates two parts belongs to neither: the part is the word without it, as
the spec separates parts by conjunctions. Matching the rest still allows up to two more
prefixes ("ולשומשום" is the part "לשומשום"), and an unknown allergen's key is the same
whether or not a ו joined it to the item ("לבננה" and "ולבננה" both give "ננה").
"""

# The Hebrew letter vav (the prefix ו) is the point here, not a look-alike of "l".
# ruff: noqa: RUF002, RUF003

from __future__ import annotations

from functools import lru_cache

from engine.grouping.survey import vocabulary

Part = tuple[str, ...]
_PREFIX = vocabulary.CONJUNCTION_PREFIX
# Longest first, so that "as well as" is one conjunction, not the words "as", "well", "as".
# Split on spaces, not by `tokens`: normalising a lone "&" would cut it as punctuation.
_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted((tuple(phrase.split()) for phrase in vocabulary.CONJUNCTIONS), key=len, reverse=True)
)
_SINGLE = frozenset(phrase[0] for phrase in _PHRASES if len(phrase) == 1)


def _conjunction_at(item: tuple[str, ...], index: int) -> int:
    """How many tokens the conjunction starting at `index` takes; 0 when none starts there."""
    for phrase in _PHRASES:
        if item[index : index + len(phrase)] == phrase:
            return len(phrase)
    word = item[index]
    if word.startswith(_PREFIX) and word[1:] in _SINGLE:
        return 1  # "ואו": "or" with the prefix ו, a conjunction all the same
    return 0


@lru_cache(maxsize=16384)
def split_parts(item: tuple[str, ...]) -> tuple[Part, ...]:
    """The non-empty parts of an item's tokens (`text.tokens`), conjunctions left out.

    A word of three letters or more starting with ו begins a new part without its ו
    (a shorter one is left whole, as prefix cutting leaves at least two letters).
    """
    parts: list[Part] = []
    current: list[str] = []
    index = 0
    while index < len(item):
        length = _conjunction_at(item, index)
        word = item[index]
        if length or (word.startswith(_PREFIX) and len(word) >= 3):
            if current:
                parts.append(tuple(current))
            current = [] if length else [word[1:]]
            index += length or 1
            continue
        current.append(word)
        index += 1
    if current:
        parts.append(tuple(current))
    return tuple(parts)
