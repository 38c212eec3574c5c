"""The survey vocabulary, as data: allergens, markers, severities, negations, kosher and diets.

Phrases are written as people type them; matching normalises them (case, niqqud, Hebrew
one-letter prefixes on every word, hyphens as spaces, gender endings after a slash), so
only real spelling variants are listed. Plurals are listed explicitly.
"""

# The Hebrew letter vav (the prefix ו) is the point here, not a look-alike of "l".
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

from typing import Final

from engine.grouping.models import Diet, Severity

ALLERGENS: Final[dict[str, tuple[str, ...]]] = {
    "peanut": (
        "peanut", "peanuts", "groundnut", "groundnuts", "ground nut", "ground nuts",
        "peanut butter", "בוטן", "בוטנים", "חמאת בוטנים", "אגוז אדמה", "אגוזי אדמה",
    ),
    "tree_nut": (
        "tree nut", "tree nuts", "nut", "nuts", "almond", "almonds", "walnut", "walnuts",
        "cashew", "cashews", "hazelnut", "hazelnuts", "filbert", "filberts", "pecan", "pecans",
        "pistachio", "pistachios", "macadamia", "macadamias", "macadamia nut", "macadamia nuts",
        "brazil nut", "brazil nuts", "pine nut", "pine nuts", "almond milk",
        "אגוז", "אגוזים", "אגוז עץ", "אגוזי עץ", "שקד", "שקדים", "אגוז מלך", "אגוזי מלך",
        "חלב שקדים", "קשיו", "לוז", "אגוז לוז", "אגוזי לוז", "פקאן", "פקאנים", "פיסטוק", "פיסטוקים",
        "מקדמיה", "אגוזי מקדמיה", "אגוז ברזיל", "אגוזי ברזיל", "צנובר", "צנוברים",
    ),
    "sesame": (
        "sesame", "sesame seed", "sesame seeds", "tahini", "tahina", "tehina", "techina",
        "שומשום", "זרעי שומשום", "טחינה",
    ),
    "milk": (
        "milk", "cow's milk", "milk products", "dairy", "dairy products", "lactose", "casein",
        "whey", "חלב", "חלב פרה", "מוצרי חלב", "חלבי", "חלביים", "לקטוז", "קזאין",
    ),
    "egg": ("egg", "eggs", "egg white", "egg whites", "egg yolk", "egg yolks", "ביצה", "ביצים"),
    "fish": (
        "fish", "fishes", "salmon", "tuna", "cod", "דג", "דגים", "סלמון", "טונה", "בקלה",
    ),
    "shellfish": (
        "shellfish", "shell fish", "crustacean", "crustaceans", "shrimp", "shrimps", "prawn",
        "prawns", "crab", "crabs", "lobster", "lobsters", "crayfish", "crawfish", "langoustine",
        "langoustines", "seafood", "sea food", "שרימפס", "סרטן", "סרטנים", "סרטנאים",
        "לובסטר", "לובסטרים", "חסילון", "חסילונים", "פירות ים", "פרי ים",
    ),
    "soy": (
        "soy", "soya", "soybean", "soybeans", "soy bean", "soy beans", "soya bean", "soya beans",
        "tofu", "edamame", "soy milk", "soya milk", "סויה", "סויא", "פולי סויה", "טופו",
        "חלב סויה",
    ),
    "gluten": (
        "gluten", "wheat", "barley", "rye", "spelt", "celiac", "coeliac", "celiac disease",
        "coeliac disease", "גלוטן", "חיטה", "שעורה", "שעורים", "שיפון", "כוסמין", "צליאק",
        "צליאקיה",
    ),
    "mustard": ("mustard", "mustard seed", "mustard seeds", "חרדל"),
    "celery": ("celery", "celeriac", "סלרי", "כרפס"),
    "lupin": ("lupin", "lupins", "lupine", "lupines", "תורמוס", "תורמוסים", "לופין"),
    "sulphite": (
        "sulphite", "sulphites", "sulfite", "sulfites", "sulphur dioxide", "sulfur dioxide",
        "סולפיט", "סולפיטים", "גופרית דו חמצנית",
    ),
    "mollusc": (
        "mollusc", "molluscs", "mollusk", "mollusks", "squid", "squids", "calamari", "octopus",
        "octopuses", "octopi", "mussel", "mussels", "clam", "clams", "oyster", "oysters",
        "scallop", "scallops", "snail", "snails", "escargot", "cuttlefish",
        "קלמרי", "קלמארי", "תמנון", "תמנונים", "רכיכה", "רכיכות", "צדפה", "צדפות", "צדף",
        "צדפים", "מולים", "דיונון", "דיונונים", "שבלול", "שבלולים", "חילזון", "חלזונות",
    ),
}  # fmt: skip

# The spec's conjunctions: they separate the parts of an allergy item, and no allergen
# name spans one. The Hebrew prefix ו on any word is one too (see parts.py).
CONJUNCTIONS: Final[tuple[str, ...]] = (
    "and", "&", "or", "plus", "as well as", "או", "וגם", "ו",
)  # fmt: skip
CONJUNCTION_PREFIX: Final = "ו"
# Connecting words, removed when an unknown allergen's `other:<text>` key is built.
CONNECTING_WORDS: Final[tuple[str, ...]] = (
    "to", "of", "from", "the", "a", "an", "for", "with", "של", "עם",
)  # fmt: skip

# Phrases that contain an allergen's name but are not that allergen.
LOOKALIKES: Final[tuple[str, ...]] = (
    "oat milk", "rice milk", "coconut milk", "חלב שיבולת שועל", "חלב אורז", "חלב קוקוס",
)  # fmt: skip

# A word starting with one of these stems (after Hebrew prefixes) marks an allergy item;
# the value is the severity the word itself says, if any.
MARKER_STEMS: Final[dict[str, Severity | None]] = {
    "allerg": None,
    "אלרג": None,
    "anaphyla": "severe",
    "אנפילק": "severe",
}
# Whole words that mark an allergy item and say it is severe.
MARKER_WORDS: Final[tuple[str, ...]] = (
    "epipen", "epipens", "epi pen", "epi pens", "אפיפן", "אפיפנים", "אפי פן",
)  # fmt: skip

SEVERITY_WORDS: Final[dict[Severity, tuple[str, ...]]] = {
    "severe": (
        "severe", "severely", "serious", "seriously", "life threatening", "lifethreatening",
        "חמור", "חמורה", "חמורים", "חמורות", "מסכן חיים", "מסכנת חיים", "מסכני חיים",
        "מסכנות חיים", "סכנת חיים",
    ),
    "moderate": ("moderate", "moderately", "בינוני", "בינונית", "בינוניים", "בינוניות"),
    "mild": (
        "mild", "mildly", "light", "lightly", "slight", "slightly", "קל", "קלה", "קלים", "קלות",
    ),
}  # fmt: skip

# A severity word right after one of these (intensifiers in between) does not count.
NEGATIONS: Final[tuple[str, ...]] = (
    "not", "no", "non", "never", "without", "isnt", "dont", "doesnt", "arent",
    "לא", "אין", "ללא", "בלי", "אינו", "אינה", "איני", "אינני", "איננו", "איננה",
)  # fmt: skip
INTENSIFIERS: Final[tuple[str, ...]] = (
    "very", "so", "too", "really", "that", "particularly", "extremely",
    "מאוד", "מאד", "ממש", "כל כך", "במיוחד",
)  # fmt: skip

# Answers that say there is nothing to report.
NONE_WORDS: Final[tuple[str, ...]] = (
    "none", "nothing", "nil", "nope", "n/a", "na", "כלום", "אף אחת", "אף אחד",
)  # fmt: skip
# Words that may fill out a "there is none" answer without naming anything.
NONE_FILLERS: Final[tuple[str, ...]] = (
    "i", "im", "am", "is", "are", "do", "does", "have", "has", "any", "known", "to", "of",
    "anything", "at all", "whatsoever", "my", "me", "food", "foods", "dietary", "diet",
    "restriction", "restrictions", "special", "requirements", "needs", "applicable",
    "relevant", "לי", "אני", "שום", "ידוע", "ידועה", "ידועים", "ידועות", "הגבלה", "הגבלות",
    "מגבלה", "מגבלות", "תזונה", "תזונתיות", "מיוחדות", "רלוונטי", "בכלל",
)  # fmt: skip

KOSHER_ANSWERS: Final[dict[str, bool]] = {
    "yes": True,
    "true": True,
    "kosher": True,
    "keeps kosher": True,
    "keep kosher": True,
    "כן": True,
    "כשר": True,
    "שומר כשרות": True,
    "שומרת כשרות": True,
    "no": False,
    "false": False,
    "not kosher": False,
    "non kosher": False,
    "לא": False,
    "לא כשר": False,
    "לא שומר כשרות": False,
    "לא שומרת כשרות": False,
}

DIETS: Final[dict[Diet, tuple[str, ...]]] = {
    "omnivore": (
        "omnivore", "omnivorous", "eats everything", "אוכל הכל", "אוכלת הכל", "אוכל הכול",
        "אוכלת הכול",
    ),
    "vegetarian": ("vegetarian", "צמחוני", "צמחונית"),
    "vegan": ("vegan", "טבעוני", "טבעונית"),
    "pescatarian": ("pescatarian", "pescetarian", "פסקטריאני", "פסקטריאנית"),
}  # fmt: skip
