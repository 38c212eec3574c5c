"""What the phrases of one part of an item mean: allergens, markers, severities and the rest.

A severity or marker word takes with it the intensifiers right before it, and a negation
before those ("not very severe", "לא כל כך חמורה", "not allergic"): together they are one
expression. A negated severity says nothing (the spec is silent; "peanut allergy (not
severe)" is read as the moderate allergy it says it is). A negated marker is still a
marker: an item naming an allergen is an allergy even beside a negation, for the
kitchen's safety ("no allergies except sesame", and so also "not allergic to peanuts").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.grouping.models import Severity
from engine.grouping.survey import vocabulary
from engine.grouping.survey.text import Lexicon, stem_pattern

TermKind = Literal[
    "allergen", "severity", "marker", "negation", "intensifier", "none", "filler", "word"
]


@dataclass(frozen=True, slots=True)
class Term:
    """What a phrase of an item means; `marker` when it makes the item an allergy item."""

    kind: TermKind
    allergen: str = ""
    level: Severity | None = None
    marker: bool = False


Terms = tuple[tuple[tuple[str, ...], Term], ...]
WORD = Term("word")


def _build_lexicon() -> Lexicon[Term]:
    entries: dict[str, Term] = {}
    for allergen, names in vocabulary.ALLERGENS.items():
        entries.update((name, Term("allergen", allergen=allergen)) for name in names)
    for level, phrases in vocabulary.SEVERITY_WORDS.items():
        entries.update((phrase, Term("severity", level=level)) for phrase in phrases)
    epipen = Term("severity", level="severe", marker=True)
    entries.update((word, epipen) for word in vocabulary.MARKER_WORDS)
    plain_words: tuple[tuple[TermKind, tuple[str, ...]], ...] = (
        ("negation", vocabulary.NEGATIONS),
        ("intensifier", vocabulary.INTENSIFIERS),
        ("none", vocabulary.NONE_WORDS),
        ("filler", vocabulary.NONE_FILLERS),
    )
    for kind, phrases in plain_words:
        entries.update((phrase, Term(kind)) for phrase in phrases)
    entries.update((phrase, WORD) for phrase in vocabulary.LOOKALIKES)
    return Lexicon(entries)


_LEXICON = _build_lexicon()
_MARKER_STEM = stem_pattern(vocabulary.MARKER_STEMS)
_STEM_TERMS = {
    stem: Term("severity" if level else "marker", level=level, marker=True)
    for stem, level in vocabulary.MARKER_STEMS.items()
}


def part_terms(part: tuple[str, ...]) -> Terms:
    """The phrases of `part` (its words, in order) with what each means; unknown words are WORD."""
    result: list[tuple[tuple[str, ...], Term]] = []
    for span in _LEXICON.spans(part):
        phrase = part[span.start : span.end]
        term = span.value
        if term is None:
            stem = _MARKER_STEM.match(phrase[0])
            term = _STEM_TERMS[stem.group("stem")] if stem is not None else WORD
        result.append((phrase, term))
    return tuple(result)


def expressions(terms: Terms) -> tuple[list[Severity], set[int]]:
    """The severities said (negated ones left out) and the positions of every expression."""
    said: list[Severity] = []
    used: set[int] = set()
    for index, (_, term) in enumerate(terms):
        if term.level is None and not term.marker:
            continue
        start = index
        while start > 0 and terms[start - 1][1].kind == "intensifier":
            start -= 1
        negated = start > 0 and terms[start - 1][1].kind == "negation"
        if negated:
            start -= 1
        used.update(range(start, index + 1))
        if term.level is not None and not negated:
            said.append(term.level)
    return said, used
