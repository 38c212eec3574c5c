"""The words of the unassigned reasons, English and Hebrew: fields, allergens, pools, problems.

`Lang` and LANGS are the report languages. `allergen_name` and `field_name` say a canonical
allergen and a details field as people do; `pool_phrase` says who is compatible with a
person; `readable_problem` and `hebrew_problem` say what was wrong with an answer. Shared by
the reason sentences and the details sentences (reasons.py). Pure: no I/O.
"""

# Hebrew letters are the point of the Hebrew words, not look-alikes of Latin ones.

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

Lang = Literal["en", "he"]
LANGS: Final[tuple[Lang, ...]] = ("en", "he")
Details = Mapping[str, Any]

FIELD_NAMES: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "age": "age",
        "birth_date": "birth date",
        "kosher": "kosher",
        "diet": "diet",
        "dietary_restrictions": "allergies and dietary restrictions",
        "responses": "survey answers",
        "full_name": "name",
        "id": "id",
    },
    "he": {
        "age": "גיל",
        "birth_date": "תאריך לידה",
        "kosher": "כשרות",
        "diet": "תזונה",
        "dietary_restrictions": "אלרגיות והגבלות תזונתיות",
        "responses": "תשובות הסקר",
        "full_name": "שם",
        "id": "מזהה",
    },
}
# What a readable answer looks like, per field, in Hebrew (the engine's own text is English).
HEBREW_PROBLEMS: Final[dict[str, str]] = {
    "age": "צריך גיל בשנים שלמות, 0 עד 130, או תאריך לידה",
    "birth_date": "צריך תאריך בצורה YYYY-MM-DD",
    "kosher": "צריך כן או לא",
    "diet": "צריך אוכל/ת הכל, צמחוני/ת, טבעוני/ת או פסקטריאני/ת",
    "dietary_restrictions": "צריך טקסט או רשימת תשובות",
}
ALLERGEN_NAMES: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "peanut": "peanut", "tree_nut": "tree nuts", "sesame": "sesame", "milk": "milk",
        "egg": "egg", "fish": "fish", "shellfish": "shellfish", "soy": "soy",
        "gluten": "gluten", "mustard": "mustard", "celery": "celery", "lupin": "lupin",
        "sulphite": "sulphites", "mollusc": "molluscs",
    },
    "he": {
        "peanut": "בוטנים", "tree_nut": "אגוזים", "sesame": "שומשום", "milk": "חלב",
        "egg": "ביצים", "fish": "דגים", "shellfish": "פירות ים", "soy": "סויה",
        "gluten": "גלוטן", "mustard": "חרדל", "celery": "סלרי", "lupin": "תורמוס",
        "sulphite": "סולפיטים", "mollusc": "רכיכות",
    },
}  # fmt: skip


def allergen_name(allergen: str, lang: Lang) -> str:
    """A canonical allergen as people say it: "tree_nut" → "tree nuts", "other:kiwi" → "kiwi"."""
    if allergen.startswith("other:"):
        return allergen.removeprefix("other:")
    return ALLERGEN_NAMES[lang].get(allergen, allergen.replace("_", " "))


def field_name(field: str, lang: Lang) -> str:
    """A details `field` as people say it: "responses.diet" → "diet", "age.bool" → "age"."""
    plain = base_field(field)
    return FIELD_NAMES[lang].get(plain, plain)


def base_field(field: str) -> str:
    # A model check names the path it failed at ("age.bool"): the field is its first part.
    return field.removeprefix("responses.").split(".")[0]


def readable_problem(field: str, problem: object) -> str:
    """The engine's problem, unless a model check wrote it about one type it tried."""
    if "." in field.removeprefix("responses."):
        return "it is not a value of the right kind (text or a number)"
    return str(problem).rstrip(".")


def pool_phrase(pool: Details, lang: Lang, *, one: bool = False) -> str:
    """Who is compatible with this person: a verb phrase for "people ..." (or "one ...")."""
    kosher, band = pool.get("kosher"), pool.get("age_band")
    if lang == "he":
        if kosher is not None and band is not None:
            return f"חולקים עם המשתתף/ת את בחירת הכשרות ואת קבוצת הגיל {band}"
        if kosher is not None:
            return "חולקים עם המשתתף/ת את בחירת הכשרות"
        if band is not None:
            return f"נמצאים בקבוצת הגיל {band} של המשתתף/ת"
        return "ניתנים לשיבוץ בהרצה הזו"
    share, are = ("shares", "is") if one else ("share", "are")
    if kosher is not None and band is not None:
        return f"{share} this person's kosher choice and age band {band}"
    if kosher is not None:
        return f"{share} this person's kosher choice"
    if band is not None:
        return f"{are} in this person's age band {band}"
    return "can be grouped in this run"


def allergen_list(allergens: list[str], lang: Lang) -> str:
    return ", ".join(allergen_name(allergen, lang) for allergen in allergens)


def hebrew_problem(field: object, problem: object) -> str:
    return HEBREW_PROBLEMS.get(base_field(str(field)), str(problem))
