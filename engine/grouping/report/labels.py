"""The report page's words, English and Hebrew, and text made safe to put in the page.

`label(key, lang)` gives a heading or a note of the page (the key itself when there is no
word for it); DIET_NAMES and TITLES are the diets and the default title as people read them;
`escaped(text)` is any text as HTML (names are user input). Pure: no I/O.
"""

from __future__ import annotations

from html import escape
from typing import Final

from engine.grouping.report.reasons import Lang

SEVERITIES: Final = ("mild", "moderate", "severe")

LABELS: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "groups": "Groups",
        "group": "Group",
        "people": "people",
        "score": "score",
        "kosher": "kosher",
        "not_kosher": "not kosher",
        "age": "age",
        "diets": "Diets",
        "allergy_notes": "Allergy notes",
        "venue": "Venue",
        "no_allergies": "no allergies",
        "with_allergies": "with allergies",
        "unassigned": "Not placed",
        "none_unassigned": "Everyone has a group.",
        "name": "Name",
        "why": "Why",
        "charts": "Diagnostics",
        "ages": "Participants by age band",
        "allergies": "Allergies among the placed, by allergen and severity (people)",
        "scores": "Group scores (groups)",
        "no_data": "Nothing to show.",
        "mild": "mild",
        "moderate": "moderate",
        "severe": "severe",
        "run": "Run",
        "policy": "Policy",
        "participants": "Participants",
        "placed": "Placed",
    },
    "he": {
        "groups": "קבוצות",
        "group": "קבוצה",
        "people": "משתתפים",
        "score": "ציון",
        "kosher": "כשר",
        "not_kosher": "לא כשר",
        "age": "גיל",
        "diets": "תזונה",
        "allergy_notes": "הערות אלרגיה",
        "venue": "מקום הארוחה",
        "no_allergies": "אין אלרגיות",
        "with_allergies": "עם אלרגיות",
        "unassigned": "לא שובצו",
        "none_unassigned": "כל המשתתפים שובצו.",
        "name": "שם",
        "why": "סיבה",
        "charts": "נתונים",
        "ages": "משתתפים לפי קבוצת גיל",
        "allergies": "אלרגיות בין המשובצים, לפי אלרגן וחומרה (משתתפים)",
        "scores": "ציוני הקבוצות (קבוצות)",
        "no_data": "אין מה להציג.",
        "mild": "קלה",
        "moderate": "בינונית",
        "severe": "חמורה",
        "run": "הרצה",
        "policy": "מדיניות",
        "participants": "משתתפים",
        "placed": "שובצו",
    },
}
DIET_NAMES: Final[dict[Lang, dict[str, str]]] = {
    "en": {
        "omnivore": "omnivore",
        "vegetarian": "vegetarian",
        "vegan": "vegan",
        "pescatarian": "pescatarian",
    },
    "he": {
        "omnivore": "אוכלי הכל",
        "vegetarian": "צמחונים",
        "vegan": "טבעונים",
        "pescatarian": "פסקטריאנים",
    },
}
TITLES: Final[dict[Lang, str]] = {"en": "Dinner groups", "he": "קבוצות ארוחה"}


def label(key: str, lang: Lang) -> str:
    return LABELS[lang].get(key, key)


def escaped(text: object) -> str:
    return escape(str(text), quote=True)
