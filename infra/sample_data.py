"""Realistic participants for examples, tests and the benchmark.

An Israeli event: Hebrew and English names, survey answers in both languages and in
the many forms people actually type (gendered Hebrew, free-text allergies, blanks), and
a sliver of unreadable answers so the `invalid-profile` path shows up. The vocabulary
lives in the tables below; every draw comes from the caller's `random.Random`, so the
same seed gives the same people.

`python -m infra.sample_data` rewrites the committed example files.
"""

# Hebrew letters are the point of this data, not look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Birth dates are drawn relative to a fixed day, not today, so a seed always gives
# the same file; examples/policy.json sets `as_of` to this day.
REFERENCE_DATE = date(2026, 9, 1)
EXAMPLE_SEED = 20260901
EXAMPLE_COUNT = 300
CSV_COLUMNS = ("id", "full_name", "age", "birth_date", "kosher", "diet", "dietary_restrictions")

FIRST_NAMES = {
    ("he", "m"): "אבי איתי אורי דניאל יונתן עומר נועם יוסי משה דוד אריאל רון גיא עידו תומר",
    ("he", "f"): "נועה מיכל שירה תמר יעל רותם הילה ליאת אורית מאיה עדי רחל אסתר דנה ענבל",
    ("en", "m"): "David Michael Daniel Jonathan Benjamin Noah Ethan Samuel Aaron Joshua Adam Eli",
    ("en", "f"): "Sarah Rachel Rebecca Hannah Leah Emma Abigail Naomi Miriam Shira Talia Maya",
}
LAST_NAMES = {
    "he": "כהן לוי מזרחי פרץ ביטון אברהם פרידמן שפירא גולדברג אזולאי דהן חדד גבאי כץ ברק",
    "en": "Cohen Levi Friedman Goldberg Katz Rosen Schwartz Klein Shapiro Miller Stern Weiss",
}

# Hebrew templates take {t}: "" for a man, "ת" for a woman (צמחוני / צמחונית).
KOSHER_FORMS: dict[tuple[bool, str], tuple[bool | str, ...]] = {
    (True, "en"): (True, True, "yes", "Yes", "kosher", "Kosher"),
    (True, "he"): ("כן", "כן", "כשר", "שומר{t} כשרות"),
    (False, "en"): (False, False, "no", "No", "not kosher"),
    (False, "he"): ("לא", "לא", "לא כשר"),
}
DIET_WEIGHTS = {"omnivore": 65, "vegetarian": 20, "vegan": 8, "pescatarian": 7}
DIET_FORMS = {
    ("omnivore", "en"): ("omnivore", "Omnivore"),
    ("omnivore", "he"): ("אוכל{t} הכל",),
    ("vegetarian", "en"): ("vegetarian", "Vegetarian"),
    ("vegetarian", "he"): ("צמחוני{t}",),
    ("vegan", "en"): ("vegan", "Vegan"),
    ("vegan", "he"): ("טבעוני{t}",),
    ("pescatarian", "en"): ("pescatarian", "Pescatarian"),
    ("pescatarian", "he"): ("פסקטריאני{t}",),
}
NO_RESTRICTION_FORMS = {"en": ("none", "None", "no allergies", ""), "he": ("אין", "אין אלרגיות")}
OTHER_RESTRICTION_FORMS = {
    "en": ("gluten free", "Gluten-free", "lactose intolerant"),
    "he": ("ללא גלוטן", "ללא גלוטן", "רגישות ללקטוז"),
}
# key: (English, English plural, Hebrew). Kiwi is deliberately outside the engine's
# vocabulary, so `other:<text>` allergens show up too.
ALLERGENS = {
    "peanut": ("peanut", "peanuts", "בוטנים"),
    "tree_nut": ("tree nut", "tree nuts", "אגוזים"),
    "sesame": ("sesame", "sesame", "שומשום"),
    "milk": ("milk", "milk", "חלב"),
    "egg": ("egg", "eggs", "ביצים"),
    "fish": ("fish", "fish", "דגים"),
    "shellfish": ("shellfish", "shellfish", "פירות ים"),
    "soy": ("soy", "soy", "סויה"),
    "gluten": ("gluten", "gluten", "גלוטן"),
    "mustard": ("mustard", "mustard", "חרדל"),
    "kiwi": ("kiwi", "kiwi", "קיווי"),
}
ALLERGEN_WEIGHTS = (25, 14, 15, 10, 8, 5, 8, 4, 4, 2, 5)
SEVERITY_WEIGHTS = {"mild": 30, "moderate": 55, "severe": 15}


@dataclass(frozen=True, slots=True)
class AllergyMix:
    """How common allergies are: the share of people with one, and the severity weights.

    An allergic person's first allergy item takes its severity from `severity_weights`;
    8% of them add a second item, so the share with a severe allergy is a little above
    allergic x the severe weight.
    """

    allergic: float
    severity_weights: Mapping[str, float]


# ~20% allergic, ~3% severe: the surveys the engine was built on.
ORDINARY = AllergyMix(0.20, SEVERITY_WEIGHTS)
# ~35% allergic, ~15% severe: an event where allergies are common.
ALLERGY_HEAVY = AllergyMix(0.36, {"mild": 20.5, "moderate": 37.5, "severe": 42})
ALLERGY_MIXES = {"ordinary": ORDINARY, "allergy-heavy": ALLERGY_HEAVY}
# {one}: "peanut", {many}: "peanuts", {he}: "בוטנים"; Hebrew and-lists become "בוטנים ולשומשום".
ALLERGY_TEMPLATES = {
    ("en", "moderate"): ("allergic to {many}", "{one} allergy", "Allergy: {many}"),
    ("en", "mild"): ("mild {one} allergy", "slightly allergic to {many}"),
    ("en", "severe"): (
        "severe {one} allergy",
        "Severe {one} allergy (EpiPen)",
        "anaphylactic to {many}",
        "life-threatening allergy to {many}",
    ),
    ("he", "moderate"): ("אלרגיה ל{he}", "אלרגי{t} ל{he}"),
    ("he", "mild"): ("אלרגיה קלה ל{he}",),
    ("he", "severe"): ("אלרגיה חמורה ל{he}", "אלרגיה מסכנת חיים ל{he}", "אלרגיה ל{he} (אפיפן)"),
}
UNREADABLE_ANSWERS = (
    ("diet", "carnivore-ish"),
    ("diet", "keto mostly?"),
    ("age", "abc"),
    ("age", "thirty-something"),
    ("kosher", "depends on the day"),
)
SEPARATORS = (", ", "; ", "\n")

Person = dict[str, Any]


def generate_participants(
    count: int,
    *,
    rng: random.Random,
    as_of: date = REFERENCE_DATE,
    allergies: AllergyMix = ORDINARY,
) -> list[Person]:
    """`count` participants in Participant shape (ids p000001...), deterministic for `rng`."""
    width = max(6, len(str(count)))
    return [_person(f"p{index:0{width}d}", rng, as_of, allergies) for index in range(1, count + 1)]


def _person(participant_id: str, rng: random.Random, as_of: date, mix: AllergyMix) -> Person:
    lang = "he" if rng.random() < 0.6 else "en"
    gender = rng.choice("mf")
    # Some people answer the survey in the other language than their name.
    answers = lang if rng.random() < 0.85 else {"he": "en", "en": "he"}[lang]
    person: Person = {"id": participant_id}
    if rng.random() < 0.99:
        person["full_name"] = _full_name(rng, lang, gender)
    person.update(_age_fields(rng, as_of))
    person["responses"] = _responses(rng, answers, gender, mix)
    if rng.random() < 0.005:
        _spoil(person, rng)
    return person


def _full_name(rng: random.Random, lang: str, gender: str) -> str:
    first = rng.choice(FIRST_NAMES[lang, gender].split())
    return f"{first} {rng.choice(LAST_NAMES[lang].split())}"


def _draw_age(rng: random.Random) -> int | None:
    roll = rng.random()
    if roll < 0.02:
        return None
    if roll < 0.04:
        return rng.randint(14, 17)
    if roll < 0.12:
        return rng.randint(71, 88)
    return round(rng.triangular(18, 70, 30))


def _age_fields(rng: random.Random, as_of: date) -> Person:
    age = _draw_age(rng)
    if age is None:
        return {}
    roll = rng.random()
    if roll < 0.65:
        return {"age": age}
    if roll < 0.75:
        return {"age": str(age)}
    # A birthday between `age` and `age + 1` years before the reference day.
    born = as_of.replace(year=as_of.year - age - 1) + timedelta(days=rng.randint(1, 364))
    return {"birth_date": born.isoformat()}


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _form(rng: random.Random, forms: Sequence[bool | str], gender: str) -> bool | str:
    chosen = rng.choice(forms)
    return chosen if isinstance(chosen, bool) else chosen.format(t="ת" if gender == "f" else "")


def _responses(rng: random.Random, lang: str, gender: str, mix: AllergyMix) -> Person:
    responses: Person = {}
    keeps_kosher = rng.random() < 0.35
    if keeps_kosher or rng.random() < 0.9:
        responses["kosher"] = _form(rng, KOSHER_FORMS[keeps_kosher, lang], gender)
    diet = _weighted(rng, DIET_WEIGHTS)
    if diet != "omnivore" or rng.random() < 0.85:
        responses["diet"] = _form(rng, DIET_FORMS[diet, lang], gender)
    restrictions = _restrictions(rng, lang, gender, mix)
    if restrictions is not None:
        responses["dietary_restrictions"] = restrictions
    return responses


def _restrictions(
    rng: random.Random, lang: str, gender: str, mix: AllergyMix
) -> list[str] | str | None:
    roll = rng.random()
    weights = mix.severity_weights
    if roll < mix.allergic:
        allergens = 1 if rng.random() < 0.87 else 2
        items = [_allergy(rng, lang, gender, allergens=allergens, weights=weights)]
        if rng.random() < 0.08:
            items.append(_allergy(rng, lang, gender, allergens=1, weights=weights))
    elif roll < mix.allergic + 0.06:
        items = [str(_form(rng, OTHER_RESTRICTION_FORMS[lang], gender))]
    elif roll < mix.allergic + 0.25:
        return None
    else:
        return str(_form(rng, NO_RESTRICTION_FORMS[lang], gender))
    if rng.random() < 0.06:
        items.append(str(_form(rng, OTHER_RESTRICTION_FORMS[lang], gender)))
    return items if rng.random() < 0.5 else rng.choice(SEPARATORS).join(items)


def _allergy(
    rng: random.Random, lang: str, gender: str, *, allergens: int, weights: Mapping[str, float]
) -> str:
    keys: set[str] = set()
    while len(keys) < allergens:
        keys.add(rng.choices(list(ALLERGENS), weights=ALLERGEN_WEIGHTS)[0])
    names = [ALLERGENS[key] for key in sorted(keys)]
    template = rng.choice(ALLERGY_TEMPLATES[lang, _weighted(rng, weights)])
    return template.format(
        one=" and ".join(name[0] for name in names),
        many=" and ".join(name[1] for name in names),
        he=" ול".join(name[2] for name in names),
        t="ת" if gender == "f" else "",
    )


def _spoil(person: Person, rng: random.Random) -> None:
    field, answer = rng.choice(UNREADABLE_ANSWERS)
    if field == "age":
        person.pop("birth_date", None)
        person["age"] = answer
    else:
        person["responses"][field] = answer


def csv_row(person: Person) -> dict[str, str]:
    """One CSV row: survey answers as columns, lists joined by "; ", booleans as yes/no."""
    flat = {key: person.get(key) for key in ("id", "full_name", "age", "birth_date")}
    flat.update(person["responses"])
    return {column: _cell(flat.get(column)) for column in CSV_COLUMNS}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def write_examples(directory: Path, *, count: int, seed: int) -> None:
    """Write participants.json and participants.csv (the same people) into `directory`."""
    people = generate_participants(count, rng=random.Random(seed))
    # One participant a line: easy to read and to diff.
    lines = ",\n".join(json.dumps(person, ensure_ascii=False) for person in people)
    (directory / "participants.json").write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    with (directory / "participants.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_row(person) for person in people)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the example participant files.")
    parser.add_argument("--out", type=Path, default=Path("examples"))
    parser.add_argument("--count", type=int, default=EXAMPLE_COUNT)
    parser.add_argument("--seed", type=int, default=EXAMPLE_SEED)
    args = parser.parse_args(argv)
    write_examples(args.out, count=args.count, seed=args.seed)


if __name__ == "__main__":
    main()
