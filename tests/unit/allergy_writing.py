"""Allergy items written the ways the spec allows, each with what the spec says it means.

An item is built from segments, one a part (spec line 72): segment text around one
allergen name, joined by the spec's conjunctions. The expected reading is worked out from
the segments alone: a known name counts as its allergen, an unknown one as the spec's
`other:` key of its segment (spec_allergies.spec_key), and the severity is the strongest
word written (spec lines 96-102).
"""

# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from hypothesis import strategies as st

from engine.grouping.survey import vocabulary
from tests.unit import spec_allergies as spec

HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")
NAMES = [(allergen, name) for allergen, names in vocabulary.ALLERGENS.items() for name in names]
MULTI_WORD = [(allergen, name) for allergen, name in NAMES if len(spec.spec_words(name)) > 1]
UNKNOWN_EN = ("kiwi", "kiwis", "strawberries", "mango", "peaches", "bee stings", "latex")
UNKNOWN_HE = ("קיווי", "תותים", "אבוקדו", "עגבניות", "אננס", "תפוזים")


def hebrew(text: str) -> bool:
    return bool(HEBREW_LETTER.search(text))


def _vocabulary_words() -> frozenset[str]:
    phrases: list[str] = [name for _, name in NAMES]
    phrases += [p for group in vocabulary.SEVERITY_WORDS.values() for p in group]
    for group in (
        vocabulary.MARKER_WORDS, vocabulary.NEGATIONS, vocabulary.INTENSIFIERS,
        vocabulary.NONE_WORDS, vocabulary.NONE_FILLERS, vocabulary.LOOKALIKES,
        vocabulary.CONJUNCTIONS, vocabulary.CONNECTING_WORDS,
        spec.CONJUNCTIONS_EN, spec.CONJUNCTIONS_HE, spec.CONNECTING, spec.NONE_ANSWERS,
    ):  # fmt: skip
        phrases += group
    return frozenset(word for phrase in phrases for word in spec.spec_words(phrase))


VOCABULARY_WORDS = _vocabulary_words()


def unknown_word(word: str) -> bool:
    """Whether `word`, with any prefixes cut, is no word the reader knows."""
    return not any(
        form in VOCABULARY_WORDS or form.startswith(spec.MARKER_STEMS) for form in spec.forms(word)
    )


RANDOM_UNKNOWN = st.one_of(
    st.text(string.ascii_lowercase, min_size=3, max_size=9),
    # No ו: a word starting with it is two parts (spec line 74), not one unknown name.
    st.text("אבגדהזחטיכלמנסעפצקרשת", min_size=3, max_size=7),
).filter(unknown_word)


@dataclass(frozen=True)
class Name:
    """One allergen name as written, and its canonical key when the vocabulary knows it."""

    text: str
    allergen: str | None


def _traps() -> list[tuple[Name, Name]]:
    """Two names that, were the conjunction between them lost, would read as another name.

    "חלב" then "סויה" is "חלב סויה" (soy milk), "soy" then "milk" is "soy milk".
    """
    heads = {
        tuple(words[:2])
        for words in [spec.spec_words(n) for _, n in NAMES]
        + list(map(spec.spec_words, vocabulary.LOOKALIKES))
        if len(words) > 1
    }
    return [
        (Name(first, one), Name(second, two))
        for one, first in NAMES
        for two, second in NAMES
        if (spec.spec_words(first)[-1], spec.spec_words(second)[0]) in heads
    ]


TRAPS = _traps()


def names(*, unknown: bool) -> st.SearchStrategy[Name]:
    known = st.sampled_from([Name(name, allergen) for allergen, name in NAMES])
    if not unknown:
        return known
    fixed = st.sampled_from([Name(word, None) for word in UNKNOWN_EN + UNKNOWN_HE])
    return st.one_of(known, fixed, RANDOM_UNKNOWN.map(lambda word: Name(word, None)))


@dataclass
class Written:
    """An item or answer, and the reading the spec gives it."""

    text: str
    keys: set[str] = field(default_factory=set)
    levels: list[str] = field(default_factory=list)

    @property
    def severity(self) -> dict[str, str]:
        level = spec.strongest(self.levels)
        return dict.fromkeys(self.keys or {"other:unspecified"}, level)


# (template, the severity it says); a glued template puts the prefix ל on the first name.
TEMPLATES_EN = (
    ("allergic to {}", None), ("{} allergy", None), ("allergy to {}", None),
    ("Allergies: {}", None), ("{} allergies", None), ("ALLERGIC TO {}!", None),
    ("anaphylactic to {}", "severe"), ("{} (EpiPen)", "severe"), ("allergy - {}", None),
)  # fmt: skip
TEMPLATES_HE_GLUED = (
    ("אלרגיה ל{}", None), ("אלרגי/ת ל{}", None), ("אלרגית ל{}", None), ("אלרגיות ל{}", None),
    ("אנפילקסיס ל{}", "severe"), ("אלרגיה אנפילקטית ל{}", "severe"),
)  # fmt: skip
TEMPLATES_HE = (("{} - אלרגיה", None), ("אלרגיות: {}", None), ("{} (אפיפן)", "severe"))
TEMPLATES_ALL = TEMPLATES_EN + TEMPLATES_HE
ATTACHED = " " + spec.CONJUNCTION_PREFIX  # the next segment follows the ו with no space
WORD_CONJUNCTIONS = tuple(f" {c} " for c in spec.CONJUNCTIONS_EN + spec.CONJUNCTIONS_HE)
WORD_CONJUNCTIONS += ("&", " ו ")  # "&" unspaced; the prefix ו written apart
PLAIN_SEVERITIES = tuple(
    word for word in spec.SEVERITY_OF if not any(spec.is_marker(w) for w in spec.spec_words(word))
)


# Extra prefixes leave out ו: on a word it is a conjunction (line 74), which the joiners
# exercise; a prefixed ו here would start a part the segment does not know of.
EXTRA_PREFIXES = spec.PREFIXES.replace(spec.CONJUNCTION_PREFIX, "")


def prefixed(draw: st.DrawFn, name: Name, taken: int) -> str:
    """A Hebrew name with extra one-letter prefixes, never more than two in all (line 24)."""
    if not hebrew(name.text.split()[0]):
        return name.text
    extra = draw(st.integers(0, 2 - taken))
    return "".join(draw(st.sampled_from(EXTRA_PREFIXES)) for _ in range(extra)) + name.text


@st.composite
def allergy_items(draw: st.DrawFn, *, unknown: bool = False, severities: bool = True) -> Written:
    """An allergy item of 1-6 names (often a trap pair), conjunctions and severities anywhere."""
    chosen = draw(st.lists(names(unknown=unknown), min_size=1, max_size=4))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(chosen)))
        chosen[at:at] = draw(st.sampled_from(TRAPS))
    glued = hebrew(chosen[0].text.split()[0]) and draw(st.booleans())
    template, said = draw(st.sampled_from(TEMPLATES_HE_GLUED if glued else TEMPLATES_ALL))
    before, after = template.split("{}")
    severity_words = st.sampled_from(list(spec.SEVERITY_OF) if severities else [""])
    levels = [said] if said else []
    segments: list[str] = []
    joiners: list[str] = []
    for index, name in enumerate(chosen):
        attach = index > 0 and hebrew(name.text.split()[0]) and draw(st.booleans())
        text = prefixed(draw, name, taken=1 if attach or (index == 0 and glued) else 0)
        word = draw(severity_words) if index > 0 and not attach and draw(st.booleans()) else ""
        if word:
            levels.append(spec.SEVERITY_OF[word])
            text = f"{word} {text}"
        segments.append(text)
        if index:
            joiners.append(ATTACHED if attach else draw(st.sampled_from(WORD_CONJUNCTIONS)))
    segments[0] = before + segments[0]
    segments[-1] += after
    for end in draw(st.lists(severity_words, max_size=2 if severities else 0)):
        levels.append(spec.SEVERITY_OF[end])
        if draw(st.booleans()):
            segments[0] = f"{end} {segments[0]}"
        else:
            segments[-1] += draw(st.sampled_from([" {}", " ({})", " - {}"])).format(end)
    text = segments[0] + "".join(j + s for j, s in zip(joiners, segments[1:], strict=True))
    written = Written(text, levels=levels)
    for name, segment in zip(chosen, segments, strict=True):
        key = name.allergen or spec.spec_key(segment)
        if key:
            written.keys.add(key)
    return written


@st.composite
def continuation_items(draw: st.DrawFn) -> Written:
    """An item without a marker that continues an allergy (spec line 79): known names only,
    joined by conjunctions, perhaps led by one, with severity words that are no markers."""
    chosen = draw(st.lists(names(unknown=False), min_size=1, max_size=3))
    written = Written("", keys={name.allergen or "" for name in chosen})
    pieces: list[str] = []
    for index, name in enumerate(chosen):
        attach = hebrew(name.text.split()[0]) and draw(st.booleans())
        if index or draw(st.booleans()):  # a conjunction may lead ("and sesame", "ושומשום")
            pieces.append(ATTACHED if attach else draw(st.sampled_from(WORD_CONJUNCTIONS)))
        pieces.append(prefixed(draw, name, taken=1 if attach else 0))
    for word in draw(st.lists(st.sampled_from(PLAIN_SEVERITIES), max_size=2)):
        written.levels.append(spec.SEVERITY_OF[word])
        if draw(st.booleans()):
            pieces.insert(0, f"{word} ")
        else:
            pieces.append(f" {word}")
    written.text = "".join(pieces).strip()
    return written


SEPARATORS = (", ", ",", "; ", " | ", "/", "\n", " ;")
# A word that keeps an item without a marker a plain restriction (spec line 83).
ANYTHING_ELSE = st.one_of(st.sampled_from(UNKNOWN_EN + UNKNOWN_HE), RANDOM_UNKNOWN, st.just("free"))


@dataclass
class Statement(Written):
    """An allergy item with the items joined to it, and those items as written."""

    raw: list[str] = field(default_factory=list)


@st.composite
def statements(draw: st.DrawFn, *, before: int = 1, after: int = 0) -> Statement:
    """An allergy item with at least `before` continuation items written before it and
    `after` after it ("milk, soy allergy", "חלב, סויה - אלרגיה חמורה", "peanut / sesame
    allergy (severe)"), each joined by an item separator of the spec (line 19)."""
    allergy = draw(allergy_items(unknown=True))
    leading = draw(st.lists(continuation_items(), min_size=before, max_size=before + 2))
    trailing = draw(st.lists(continuation_items(), min_size=after, max_size=after + 2))
    chain = [*leading, allergy, *trailing]
    statement = Statement(chain[0].text, raw=[item.text for item in chain])
    for index, item in enumerate(chain):
        statement.keys |= item.keys
        statement.levels += item.levels
        if index:
            statement.text += draw(st.sampled_from(SEPARATORS)) + item.text
    return statement
