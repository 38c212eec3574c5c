"""Why a person is unassigned, in a sentence an organiser can read, in English or Hebrew.

`explain(reason, details, lang)` gives one sentence from an unassigned entry's reason and
details (as the engine writes them, or as a stored run returns them); `explain_details`
gives one sentence per details key. Both never raise: details missing a key, or of another
shape, give the reason's plain sentence. Pure: no I/O.
"""

# Hebrew letters are the point of the Hebrew sentences, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from engine.grouping.models import UnassignedReason
from engine.grouping.report.reasons_words import LANGS as LANGS
from engine.grouping.report.reasons_words import (
    Details,
    allergen_list,
    field_name,
    hebrew_problem,
    pool_phrase,
    readable_problem,
)
from engine.grouping.report.reasons_words import Lang as Lang
from engine.grouping.report.reasons_words import allergen_name as allergen_name

GENERIC: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "invalid-profile": "One of this person's answers could not be read.",
        "missing-age": "No age was given, and age bands need one.",
        "age-out-of-range": "This person is younger than the first age band.",
        "allergy-limit-exceeded": "No group could take this person's severe allergies.",
        "insufficient-compatible-participants": "Too few compatible people to form a group.",
    },
    "he": {
        "invalid-profile": "לא ניתן היה לקרוא את אחת התשובות של המשתתף/ת.",
        "missing-age": "לא צוין גיל, והחלוקה לקבוצות גיל צריכה אותו.",
        "age-out-of-range": "המשתתף/ת צעיר/ה מקבוצת הגיל הראשונה.",
        "allergy-limit-exceeded": "אף קבוצה לא יכולה לקבל את האלרגיות החמורות של המשתתף/ת.",
        "insufficient-compatible-participants": "אין מספיק משתתפים מתאימים ליצירת קבוצה.",
    },
}


def explain(reason: str, details: Details | None = None, lang: Lang = "en") -> str:
    """One sentence saying why the person is unassigned and what would change it."""
    sentence = _SENTENCES.get(reason)
    if sentence is not None:
        try:
            return sentence(dict(details or {}), lang)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    return GENERIC[lang].get(reason, reason)


def explain_details(details: Details | None, lang: Lang = "en") -> list[str]:
    """One sentence per details key the engine writes, in the order given; others skipped."""
    sentences = []
    given = dict(details or {})
    for key, value in given.items():
        write = DETAIL_SENTENCES[lang].get(key)
        if write is None:
            continue
        try:
            sentences.append(write(value, given))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return sentences


def _invalid(d: dict[str, Any], lang: Lang) -> str:
    field = str(d["field"])
    name = field_name(field, lang)
    if lang == "he":
        problem = hebrew_problem(field, d["problem"])
        return f"לא ניתן היה לקרוא את התשובה בשדה {name}: {problem}. יש לתקן אותה ולהריץ שוב."
    problem = readable_problem(field, d["problem"])
    return f"This person's {name} answer could not be read: {problem}. Correct it and run again."


def _missing_age(d: dict[str, Any], lang: Lang) -> str:
    if lang == "he":
        return "לא צוין גיל; בחלוקה לפי קבוצות גיל כל משתתף/ת צריך/ה גיל או תאריך לידה."
    return "No age was given; with age bands everyone needs an age or a birth date."


def _too_young(d: dict[str, Any], lang: Lang) -> str:
    age, start = int(d["age"]), int(d["youngest_band_starts_at"])
    if lang == "he":
        return f"בגיל {age} המשתתף/ת צעיר/ה מקבוצת הגיל הראשונה, שמתחילה בגיל {start}."
    return f"At {age} this person is younger than the first age band, which starts at {start}."


def _allergy_limit(d: dict[str, Any], lang: Lang) -> str:
    limit = int(d["max_allergy_count"])
    if "severe_allergens" not in d:
        return _allergy_limit_unnamed(d, limit, lang)
    allergens: list[str] = list(d["severe_allergens"])
    named = allergen_list(allergens, lang)
    if d.get("alone_exceeds_limit") or "groups_in_pool" not in d:
        if lang == "he":
            return (
                f"למשתתף/ת לבד יש {len(allergens)} אלרגיות חמורות ({named}); "
                f"בקבוצה מותרות לכל היותר {limit}."
            )
        return (
            f"This person alone has {len(allergens)} severe allergies ({named}); "
            f"a group may hold at most {limit}."
        )
    groups = int(d["groups_in_pool"])
    pool = pool_phrase(d.get("pool") or {}, lang)
    if lang == "he":
        which = "הקבוצה היחידה" if groups == 1 else f"אף אחת מ-{groups} הקבוצות"
        return (
            f"{which} של מי ש{pool} לא יכולה לקבל את האלרגיות החמורות של המשתתף/ת ({named}) "
            f"ולהישאר בתוך {limit} אלרגיות חמורות."
        )
    which = "The only group" if groups == 1 else f"None of the {groups} groups"
    verb = "cannot" if groups == 1 else "can"
    return (
        f"{which} of people who {pool} {verb} take this person's severe allergies ({named}) "
        f"and stay within {limit} severe allergies."
    )


def _allergy_limit_unnamed(d: dict[str, Any], limit: int, lang: Lang) -> str:
    """The sentence from the API's safe details, which never name a person's allergens."""
    if d.get("alone_exceeds_limit") or "groups_in_pool" not in d:
        if lang == "he":
            return f"למשתתף/ת לבד יש יותר אלרגיות חמורות ממה שמותר בקבוצה (לכל היותר {limit})."
        return (
            f"This person alone has more severe allergies than a group may hold (at most {limit})."
        )
    groups = int(d["groups_in_pool"])
    pool = pool_phrase(d.get("pool") or {}, lang)
    if lang == "he":
        which = "הקבוצה היחידה" if groups == 1 else f"אף אחת מ-{groups} הקבוצות"
        return (
            f"{which} של מי ש{pool} לא יכולה לקבל את האלרגיות החמורות של המשתתף/ת "
            f"ולהישאר בתוך {limit} אלרגיות חמורות."
        )
    which = "The only group" if groups == 1 else f"None of the {groups} groups"
    verb = "cannot" if groups == 1 else "can"
    return (
        f"{which} of people who {pool} {verb} take this person's severe allergies "
        f"and stay within {limit} severe allergies."
    )


def _insufficient(d: dict[str, Any], lang: Lang) -> str:
    size, placed, left = int(d["pool_size"]), int(d["placed_in_pool"]), int(d["left_out_in_pool"])
    low, high = int(d["min_group_size"]), int(d["target_group_size"])
    more = int(d["more_participants_needed_for_a_group"])
    pool = d.get("pool") or {}
    return (_insufficient_he if lang == "he" else _insufficient_en)(
        size, placed, left, low, high, more, pool
    )


def _insufficient_en(
    size: int, placed: int, left: int, low: int, high: int, more: int, pool: Details
) -> str:
    if placed == 0:
        if size == 1:
            return f"No one else {pool_phrase(pool, 'en', one=True)}; a group needs {low}."
        return f"Only {size} people {pool_phrase(pool, 'en')}; a group needs {low}."
    start = f"{size} people {pool_phrase(pool, 'en')}; {placed} are in groups of at most {high}"
    rest = "the one left over is" if left == 1 else f"the {left} left over are"
    if more > 0:
        return f"{start}, and {rest} too few for a group of {low} ({more} more would make one)."
    return f"{start}, and {rest} not enough to form a group within the group rules."


def _insufficient_he(
    size: int, placed: int, left: int, low: int, high: int, more: int, pool: Details
) -> str:
    if placed == 0:
        if size == 1:
            return f"אין עוד משתתפים ש{pool_phrase(pool, 'he')}; קבוצה צריכה {low}."
        return f"רק {size} משתתפים {pool_phrase(pool, 'he')}; קבוצה צריכה {low}."
    start = f"{size} משתתפים {pool_phrase(pool, 'he')}; {placed} מהם שובצו בקבוצות של עד {high}"
    if more > 0:
        return f"{start}, ו-{left} הנותרים מעטים מדי לקבוצה של {low} (חסרים עוד {more})."
    return f"{start}, ו-{left} הנותרים לא יכלו להרכיב קבוצה לפי כללי הקבוצות."


_SENTENCES: Final[dict[str, Callable[[dict[str, Any], Lang], str]]] = {
    "invalid-profile": _invalid,
    "missing-age": _missing_age,
    "age-out-of-range": _too_young,
    "allergy-limit-exceeded": _allergy_limit,
    "insufficient-compatible-participants": _insufficient,
}
REASONS: Final[tuple[UnassignedReason, ...]] = (
    "invalid-profile",
    "missing-age",
    "age-out-of-range",
    "allergy-limit-exceeded",
    "insufficient-compatible-participants",
)


def _pool_en(pool: Details, details: Details) -> str:
    return f"Compatible people are those who {pool_phrase(pool, 'en')}."


def _pool_he(pool: Details, details: Details) -> str:
    return f"משתתפים מתאימים הם מי ש{pool_phrase(pool, 'he')}."


def _alone_en(alone: object, details: Details) -> str:
    if alone:
        return "This person alone is over the limit."
    return "This person is over the limit only together with a group."


def _alone_he(alone: object, details: Details) -> str:
    return "המשתתף/ת לבד מעל המגבלה." if alone else "רק יחד עם קבוצה יש חריגה מהמגבלה."


DETAIL_SENTENCES: Final[dict[Lang, dict[str, Callable[[Any, Details], str]]]] = {
    "en": {
        "field": lambda v, d: f"The answer not read: {field_name(str(v), 'en')}.",
        "problem": lambda v, d: f"The problem: {readable_problem(str(d.get('field', '')), v)}.",
        "age": lambda v, d: f"Age: {v}.",
        "youngest_band_starts_at": lambda v, d: f"The first age band starts at {v}.",
        "severe_allergens": lambda v, d: f"Severe allergies: {allergen_list(list(v), 'en')}.",
        "max_allergy_count": lambda v, d: f"A group may hold at most {v} severe allergies.",
        "alone_exceeds_limit": _alone_en,
        "groups_in_pool": lambda v, d: f"Groups formed among compatible people: {v}.",
        "pool": _pool_en,
        "pool_size": lambda v, d: f"Compatible people in all: {v}.",
        "placed_in_pool": lambda v, d: f"Of them placed in groups: {v}.",
        "left_out_in_pool": lambda v, d: f"Of them left over: {v}.",
        "min_group_size": lambda v, d: f"A group needs at least {v} people.",
        "target_group_size": lambda v, d: f"A group has at most {v} people.",
        "more_participants_needed_for_a_group": (
            lambda v, d: f"More compatible people that would make a group: {v}."
        ),
    },
    "he": {
        "field": lambda v, d: f"התשובה שלא נקראה: {field_name(str(v), 'he')}.",
        "problem": lambda v, d: f"מה נדרש: {hebrew_problem(d.get('field'), v)}.",
        "age": lambda v, d: f"גיל: {v}.",
        "youngest_band_starts_at": lambda v, d: f"קבוצת הגיל הראשונה מתחילה בגיל {v}.",
        "severe_allergens": lambda v, d: f"אלרגיות חמורות: {allergen_list(list(v), 'he')}.",
        "max_allergy_count": lambda v, d: f"בקבוצה מותרות לכל היותר {v} אלרגיות חמורות.",
        "alone_exceeds_limit": _alone_he,
        "groups_in_pool": lambda v, d: f"קבוצות שנוצרו בין המשתתפים המתאימים: {v}.",
        "pool": _pool_he,
        "pool_size": lambda v, d: f"משתתפים מתאימים בסך הכול: {v}.",
        "placed_in_pool": lambda v, d: f"מהם שובצו בקבוצות: {v}.",
        "left_out_in_pool": lambda v, d: f"מהם נשארו בחוץ: {v}.",
        "min_group_size": lambda v, d: f"קבוצה צריכה לפחות {v} משתתפים.",
        "target_group_size": lambda v, d: f"בקבוצה יש לכל היותר {v} משתתפים.",
        "more_participants_needed_for_a_group": (
            lambda v, d: f"עוד משתתפים מתאימים שהיו מאפשרים קבוצה: {v}."
        ),
    },
}
