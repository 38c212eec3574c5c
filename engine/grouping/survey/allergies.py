"""Reading `dietary_restrictions`: allergies with their severity, and the other answers.

Choices where the spec is silent, made for the kitchen's safety:

- an allergy item that names a known allergen is an allergy even when it also holds a
  negation ("no allergies except sesame", and so also "not allergic to peanuts");
- a severity word counts as negated when a negation precedes it with only intensifiers
  in between ("not very severe", "לא כל כך חמורה"); such an item is read as saying nothing;
- `other:<text>` is built from the item's normalised words (lower-cased, niqqud removed)
  without markers and severity expressions; when nothing is left it is `other:unspecified`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import SEVERITY_RANK, AllergyProfile, Participant, Severity
from engine.grouping.options import GroupingOptions
from engine.grouping.survey import vocabulary
from engine.grouping.survey.text import Lexicon, normalise, split_items, stem_pattern, words

FIELD = "responses.dietary_restrictions"
TermKind = Literal[
    "allergen", "severity", "marker", "negation", "intensifier", "none", "filler", "word"
]
_SAYS_NONE = frozenset({"negation", "none"})
_NOTHING_NAMED = frozenset({"negation", "none", "filler", "intensifier", "severity", "marker"})


@dataclass(frozen=True, slots=True)
class Term:
    """What a phrase of an item means; `marker` when it makes the item an allergy item."""

    kind: TermKind
    allergen: str = ""
    level: Severity | None = None
    marker: bool = False


_WORD = Term("word")
Terms = list[tuple[tuple[str, ...], Term]]


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
    entries.update((phrase, _WORD) for phrase in vocabulary.LOOKALIKES)
    return Lexicon(entries)


_LEXICON = _build_lexicon()
_MARKER_STEM = stem_pattern(vocabulary.MARKER_STEMS)
_STEM_TERMS = {
    stem: Term("severity" if level else "marker", level=level, marker=True)
    for stem, level in vocabulary.MARKER_STEMS.items()
}


@dataclass(frozen=True, slots=True)
class _Item:
    """One item read: its allergens at their severity, or a kept restriction, or nothing."""

    allergens: tuple[tuple[str, Severity], ...] = ()
    allergy: bool = False
    restriction: bool = False


_NOTHING = _Item()


def _terms(text_words: tuple[str, ...]) -> Terms:
    result: Terms = []
    for span in _LEXICON.spans(text_words):
        phrase = text_words[span.start : span.end]
        term = span.value
        if term is None:
            stem = _MARKER_STEM.match(phrase[0])
            term = _STEM_TERMS[stem.group("stem")] if stem is not None else _WORD
        result.append((phrase, term))
    return result


def _severities(terms: Terms) -> tuple[list[Severity], set[int]]:
    """The severities said (negated ones left out) and the positions of severity expressions."""
    said: list[Severity] = []
    used: set[int] = set()
    for index, (_, term) in enumerate(terms):
        if term.level is None:
            continue
        start = index
        while start > 0 and terms[start - 1][1].kind == "intensifier":
            start -= 1
        negated = start > 0 and terms[start - 1][1].kind == "negation"
        if negated:
            start -= 1
        used.update(range(start, index + 1))
        if not negated:
            said.append(term.level)
    return said, used


def _other_allergen(terms: Terms, severity_positions: set[int]) -> str:
    """`other:<text>`: the item's words without markers and severity expressions."""
    rest = (
        " ".join(phrase)
        for index, (phrase, term) in enumerate(terms)
        if index not in severity_positions and not term.marker
    )
    return f"other:{' '.join(rest) or 'unspecified'}"


@lru_cache(maxsize=16384)
def _read_item(item: str) -> _Item:
    text_words = words(item)
    if not text_words:
        return _Item(restriction=True) if normalise(item) else _NOTHING
    terms = _terms(text_words)
    kinds = {term.kind for _, term in terms}
    says_none = bool(kinds & _SAYS_NONE) and kinds <= _NOTHING_NAMED
    if not any(term.marker for _, term in terms):
        return _NOTHING if says_none else _Item(restriction=True)
    allergens = sorted({term.allergen for _, term in terms if term.kind == "allergen"})
    if not allergens and says_none:
        return _NOTHING
    said, used = _severities(terms)
    level: Severity = max(said, key=SEVERITY_RANK.__getitem__, default="moderate")
    if not allergens:
        allergens = [_other_allergen(terms, used)]
    return _Item(tuple((allergen, level) for allergen in allergens), allergy=True)


# Bounded: a cached profile with its answer takes a few kilobytes.
@lru_cache(maxsize=4096)
def _read_answers(answers: tuple[str, ...]) -> tuple[AllergyProfile, tuple[str, ...]]:
    severity: dict[str, Severity] = {}
    raw: list[str] = []
    kept: list[str] = []
    for answer in answers:
        for item in split_items(answer):
            reading = _read_item(item)
            if reading.allergy:
                raw.append(item)
            elif reading.restriction:
                kept.append(item)
            for allergen, level in reading.allergens:
                known = severity.get(allergen)
                if known is None or SEVERITY_RANK[level] > SEVERITY_RANK[known]:
                    severity[allergen] = level
    allergens = sorted(severity)
    profile = AllergyProfile(
        allergies=allergens,
        severity={allergen: severity[allergen] for allergen in allergens},
        raw_items=raw,
    )
    return profile, tuple(kept)


def _answers_of(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        if all(isinstance(element, str) or element is None for element in value):
            return tuple(element for element in value if element is not None)
        raise InvalidProfileError(FIELD, "every entry of the list must be text")
    raise InvalidProfileError(FIELD, "expected a list of answers or one text answer")


def read_restrictions(value: object) -> tuple[AllergyProfile, tuple[str, ...]]:
    """Read a `dietary_restrictions` answer: the allergy profile and the other answers as written.

    Raises InvalidProfileError(field="responses.dietary_restrictions") when `value` is
    neither text nor a list of texts. "There is none" answers are dropped. Equal answers
    share one frozen profile object (answers repeat a lot): treat it as read-only.
    """
    return _read_answers(_answers_of(value))


def extract_allergy_profile(participant: Participant) -> AllergyProfile:
    """The participant's allergies by canonical allergen, each at its highest severity.

    Raises InvalidProfileError(field="responses.dietary_restrictions") when the answer
    cannot be read.
    """
    return read_restrictions(participant.responses.get("dietary_restrictions"))[0]


def group_allergy_ok(participants: Iterable[Participant], options: GroupingOptions) -> bool:
    """Whether these participants together hold at most `max_allergy_count` severe allergens."""
    severe: set[str] = set()
    for participant in participants:
        severe |= extract_allergy_profile(participant).severe_allergens()
    return len(severe) <= options.max_allergy_count
