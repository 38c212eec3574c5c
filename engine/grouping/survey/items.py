"""Reading one item of a `dietary_restrictions` answer, on its own.

An item is an allergy item when a marker is in it (allerg*, אלרג*, anaphyla*, אנפילק*,
epipen, אפיפן) and it does not say there is none ("no allergies", "לא אלרגי/ת"). Its parts
(see parts.py) each name known allergens, or else, when words are left once markers,
severity expressions and connecting words are gone, one unknown allergen (unknown.py).
A part with nothing left ("mild or severe allergy to walnuts") names nothing, so it adds
no key; `other:unspecified` is for a whole allergy that names nothing (allergies.py).

An item without a marker may join the allergy item right before or right after it
(allergies.py) when it consists only of known allergen names, conjunctions and severity
expressions, with at least one name or severity ("sesame", "and sesame", "severe"): a
lone "severe" beside "peanut allergy" is the peanut allergy's severity, and reading it so
errs towards safety.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from engine.grouping.models import Severity
from engine.grouping.survey.parts import split_parts
from engine.grouping.survey.terms import Terms, expressions, part_terms
from engine.grouping.survey.text import normalise, tokens
from engine.grouping.survey.unknown import unknown_key

ItemKind = Literal["allergy", "restriction", "nothing"]
_SAYS_NONE = frozenset({"negation", "none"})
_NOTHING_NAMED = frozenset({"negation", "none", "filler", "intensifier", "severity", "marker"})


@dataclass(frozen=True, slots=True)
class ItemReading:
    """One item read: what kind of answer it is, the allergens it names, the severities said.

    `known` are canonical allergens, `unknown` the `other:` keys of its parts that name
    no known allergen; `continues` tells whether it may join an allergy item beside it.
    """

    kind: ItemKind
    known: frozenset[str] = frozenset()
    unknown: tuple[str, ...] = ()
    levels: tuple[Severity, ...] = ()
    continues: bool = False


_NOTHING = ItemReading("nothing")
_RESTRICTION = ItemReading("restriction")


def _continues(parts: list[Terms], used: list[set[int]], known: frozenset[str]) -> bool:
    only_names = all(
        term.kind == "allergen" or index in positions
        for terms, positions in zip(parts, used, strict=True)
        for index, (_, term) in enumerate(terms)
    )
    return only_names and (bool(known) or any(used))


@lru_cache(maxsize=16384)
def read_item(item: str) -> ItemReading:
    """Read one item (one piece of `text.split_items`) on its own; cached, items repeat."""
    parts = [part_terms(part) for part in split_parts(tokens(item))]
    if not parts:
        return _RESTRICTION if normalise(item) else _NOTHING
    kinds = {term.kind for terms in parts for _, term in terms}
    says_none = bool(kinds & _SAYS_NONE) and kinds <= _NOTHING_NAMED
    said: list[Severity] = []
    used: list[set[int]] = []
    unknown: list[str] = []
    named: set[str] = set()
    for terms in parts:
        levels, positions = expressions(terms)
        said += levels
        used.append(positions)
        allergens = {term.allergen for _, term in terms if term.kind == "allergen"}
        named |= allergens
        if not allergens:
            rest = (w for i, (phrase, _) in enumerate(terms) if i not in positions for w in phrase)
            key = unknown_key(rest)
            if key:
                unknown.append(key)
    known = frozenset(named)
    if not any(term.marker for terms in parts for _, term in terms):
        kind: ItemKind = "nothing" if says_none else "restriction"
        return ItemReading(kind, known, (), tuple(said), _continues(parts, used, known))
    if not known and says_none:
        return _NOTHING
    return ItemReading("allergy", known, tuple(unknown), tuple(said))
