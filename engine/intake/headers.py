"""Which participant field a survey export's column holds, from its header alone.

A header matches a field when, in the normal form of `intake.text`, it is one of the
field's names or question phrasings below (English and Hebrew, as Google Forms, Sheets and
Excel exports write them), or is one once a parenthesised remark that names nothing else
is left out ("Age (years)"). Otherwise its words are cues:

- an allergy marker (allerg*, אלרג*, anaphyla*, אנפילק*, epipen, אפיפן): dietary
  restrictions ("Food allergies (please list)");
- the word diet or תזונה (with Hebrew prefixes): diet ("Special diet?");
- "dietary", תזונתי/ת: diet or dietary restrictions, which the header does not say;
- kosher, kashrut, כשר, כשרות: kosher, in a phrasing the reader does not know.

A header with an allergy marker and the word diet, a "dietary" header without a marker,
and any kosher cue outside a known phrasing are ambiguous: the reader refuses the file,
naming the column, until a mapping says which field it is. Choices where the spec is
silent: an allergy marker with "dietary" ("Any dietary needs or allergies?") is dietary
restrictions, like the spec's own "allergies / dietary restrictions"; a kosher-looking
header is never guessed, since reading it wrong would seat a kosher keeper at a
non-kosher table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from engine.intake.text import has_word, header_key, header_words, mentions_allergy

Field = Literal[
    "id",
    "email",
    "full_name",
    "first_name",
    "last_name",
    "age",
    "birth_date",
    "kosher",
    "diet",
    "dietary_restrictions",
    "sit_with",
]
FIELDS: Final[tuple[Field, ...]] = get_args(Field)
IGNORE: Final = "ignore"
# Fields one column at most may give; dietary restrictions may come from several.
SINGLE_FIELDS: Final[frozenset[Field]] = frozenset(FIELDS) - {"dietary_restrictions"}

NAMES: Final[dict[Field, tuple[str, ...]]] = {
    "id": (
        "id", "participant id", "participant number", "participant no", "מזהה", "מזהה משתתף",
        "מספר משתתף", "קוד משתתף",
    ),
    "email": (
        "email", "e-mail", "email address", "e-mail address", "mail", "your email",
        "your email address", "what is your email", "what is your email address",
        "כתובת אימייל", "כתובת מייל", "כתובת דוא״ל", "כתובת אי-מייל", "דוא״ל", "אימייל",
        "אי-מייל", "מייל",
    ),
    "full_name": (
        "name", "full name", "your name", "your full name", "what is your name",
        "what's your name", "what is your full name", "participant name", "name and surname",
        "first and last name", "שם", "שם מלא", "השם המלא", "מה שמך", "מה השם שלך", "שמך",
        "שם ושם משפחה", "שם פרטי ומשפחה", "שם פרטי ושם משפחה",
    ),
    "first_name": ("first name", "given name", "first", "שם פרטי"),
    "last_name": ("last name", "surname", "family name", "last", "שם משפחה"),
    "age": (
        "age", "your age", "what is your age", "how old are you", "age in years", "גיל",
        "מה גילך", "גילך", "מה הגיל שלך", "בן/בת כמה את/ה", "בן כמה אתה", "בת כמה את",
    ),
    "birth_date": (
        "birth date", "birthdate", "date of birth", "birthday", "dob", "your date of birth",
        "what is your date of birth", "when were you born", "תאריך לידה", "מה תאריך הלידה שלך",
        "יום הולדת", "תאריך הלידה",
    ),
    "kosher": (
        "kosher", "do you keep kosher", "keep kosher", "keeps kosher", "are you kosher",
        "do you eat kosher", "kashrut", "kashrus", "כשרות", "שומר/ת כשרות", "שומר כשרות",
        "שומרת כשרות", "האם את/ה שומר/ת כשרות", "האם אתה שומר כשרות", "האם את שומרת כשרות",
        "אוכל/ת כשר", "כשר",
    ),
    "diet": (
        "diet", "your diet", "diet type", "type of diet", "what is your diet",
        "what diet do you follow", "dietary preference", "dietary preferences", "תזונה",
        "סוג תזונה", "סוג התזונה", "מה סוג התזונה שלך", "העדפה תזונתית", "העדפות תזונתיות",
    ),
    "dietary_restrictions": (
        "dietary restrictions", "dietary restriction", "restrictions", "food restrictions",
        "allergies", "allergy", "food allergies", "allergies / dietary restrictions",
        "allergies and dietary restrictions", "allergies or dietary restrictions",
        "dietary restrictions / allergies", "dietary restrictions and allergies",
        "dietary restrictions or allergies", "do you have any allergies",
        "do you have any food allergies", "do you have allergies", "any allergies",
        "any food allergies", "any allergies or dietary restrictions",
        "do you have any allergies or dietary restrictions", "do you have any dietary restrictions",
        "any dietary restrictions", "do you have any dietary restrictions or allergies",
        "food sensitivities", "sensitivities", "intolerances", "food intolerances",
        "אלרגיות", "אלרגיה", "הגבלות תזונתיות", "הגבלות תזונה", "מגבלות תזונתיות", "רגישויות",
        "רגישויות למזון", "אלרגיות למזון", "אלרגיות ורגישויות", "רגישויות ואלרגיות",
        "אלרגיות / הגבלות תזונתיות", "הגבלות תזונתיות / אלרגיות", "האם יש לך אלרגיות",
        "יש לך אלרגיות", "האם יש לך אלרגיות למזון", "האם יש לך הגבלות תזונתיות",
        "האם יש לך אלרגיות או הגבלות תזונתיות",
    ),
    # Together requests (issue 15): names or emails of people to be grouped with.
    "sit_with": (
        "sit with", "i'd like to sit with", "i would like to sit with", "id like to sit with",
        "who would you like to sit with", "who would you like to be grouped with",
        "i'd like to be grouped with", "group me with", "seat me with", "friends to sit with",
        "עם מי תרצה לשבת", "עם מי תרצי לשבת", "אני רוצה לשבת עם",
        "הייתי רוצה לשבת עם", "לשבת עם",
    ),
}  # fmt: skip

DIET_WORDS: Final = frozenset({"diet", "diets", "תזונה"})
DIETARY_WORDS: Final = frozenset({"dietary", "תזונתי", "תזונתית", "תזונתיות", "תזונתיים"})
KOSHER_WORDS: Final = frozenset({"kosher", "kashrut", "kashrus", "כשר", "כשרה", "כשרות", "כשרים"})
# A column's answers under the engine's own names ("responses.diet") are the same question.
_RESPONSES_PREFIX = "responses."
_REMARK = re.compile(r"\([^()]*\)")


def _by_key() -> dict[str, Field]:
    table: dict[str, Field] = {}
    for field in FIELDS:
        for phrase in (field, *NAMES[field]):
            key = header_key(phrase)
            if table.setdefault(key, field) != field:
                raise ValueError(f"header phrase with two fields: {phrase!r}")
    return table


_BY_KEY = _by_key()


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """What a header says. `field` when it names one; `candidates` when it is ambiguous.

    `by` is "name" (a known name or phrasing) or "cue" (a word of the header); `allergy`
    says the header asks about allergies (it carries a marker), so the column's bare
    allergen names are allergies.
    """

    field: Field | None = None
    by: Literal["name", "cue"] | None = None
    candidates: tuple[Field, ...] = ()
    allergy: bool = False

    @property
    def ambiguous(self) -> bool:
        return self.field is None and bool(self.candidates)


def match_header(header: str) -> HeaderMatch:
    """The field `header` names, or the candidates it hesitates between, or nothing."""
    if header.startswith(_RESPONSES_PREFIX):
        header = header[len(_RESPONSES_PREFIX) :]
    allergy = mentions_allergy(header)
    field = _BY_KEY.get(header_key(header))
    if field is None:
        field = _named_without_remarks(header)
    if field is not None:
        return HeaderMatch(field, "name", allergy=allergy and field == "dietary_restrictions")
    return _by_cues(header, allergy)


def _named_without_remarks(header: str) -> Field | None:
    remarks = " ".join(_REMARK.findall(header))
    if not remarks or _cues(remarks, mentions_allergy(remarks)):
        return None
    return _BY_KEY.get(header_key(_REMARK.sub(" ", header)))


def _cues(header: str, allergy: bool) -> set[str]:
    words = header_words(header)
    found = {"allergy"} if allergy else set()
    for cue, wanted in (("diet", DIET_WORDS), ("dietary", DIETARY_WORDS), ("kosher", KOSHER_WORDS)):
        if has_word(words, wanted):
            found.add(cue)
    return found


def _by_cues(header: str, allergy: bool) -> HeaderMatch:
    cues = _cues(header, allergy)
    if "kosher" in cues:
        others: tuple[Field, ...] = ("diet",) if cues & {"diet", "dietary"} else ()
        if "allergy" in cues:
            others = (*others, "dietary_restrictions")
        return HeaderMatch(candidates=("kosher", *others))
    if "allergy" in cues:
        if "diet" in cues:
            return HeaderMatch(candidates=("diet", "dietary_restrictions"), allergy=True)
        return HeaderMatch("dietary_restrictions", "cue", allergy=True)
    if "diet" in cues:
        return HeaderMatch("diet", "cue")
    if "dietary" in cues:
        return HeaderMatch(candidates=("diet", "dietary_restrictions"))
    return HeaderMatch()
