"""The diagnostics against the spec's mean, with allergies written as people write them.

The truth is what each person has (canonical keys, `other:` ones built by the spec);
the answers phrase it in English and Hebrew, with conjunctions and every form of the same
unknown allergen. The spec's score (reference.py) is computed from the truth, so the
engine agrees only if it reads every phrasing to the same keys.
"""

# ruff: noqa: RUF001

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from tests.unit.factories import DIETS, Person
from tests.unit.reference import group_is_valid, reference_score

# key: (English names, Hebrew names); an unknown allergen is written in one language only,
# since the spec's keys are not translated ("kiwi" and "קיווי" are two keys).
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "peanut": (("peanuts", "peanut", "peanut butter"), ("בוטנים", "חמאת בוטנים")),
    "sesame": (("sesame", "tahini"), ("שומשום", "טחינה")),
    "milk": (("milk", "dairy"), ("חלב", "מוצרי חלב")),
    "soy": (("soy", "soy milk"), ("סויה", "חלב סויה")),
    "egg": (("eggs",), ("ביצים",)),
    "other:kiwi": (("kiwi", "kiwis"), ()),
    "other:strawberry": (("strawberries", "strawberry"), ()),
    "other:קיווי": ((), ("קיווי",)),
    "other:תותים": ((), ("תותים",)),
}
TEMPLATES = {
    ("en", "severe"): ("severe allergy to {}", "{} allergy (EpiPen)", "anaphylactic to {}"),
    ("en", "moderate"): ("allergic to {}", "{} allergy", "Allergies: {}"),
    ("en", "mild"): ("mild allergy to {}", "slightly allergic to {}", "{} allergy (mild)"),
    ("he", "severe"): ("אלרגיה חמורה ל{}", "אלרגיה מסכנת חיים ל{}"),
    ("he", "moderate"): ("אלרגיה ל{}", "אלרגי/ת ל{}"),
    ("he", "mild"): ("אלרגיה קלה ל{}",),
}
JOINERS = {"en": (" and ", " & ", " or ", " plus "), "he": (" ול", " ו", " או ל", " וגם ל")}


@st.composite
def item(draw: st.DrawFn, keys: list[str], severity: str) -> str:
    """One item naming `keys` at `severity`, in a language that has a name for each."""
    languages = [lang for i, lang in enumerate(("en", "he")) if all(NAMES[k][i] for k in keys)]
    lang = draw(st.sampled_from(languages))
    written = [draw(st.sampled_from(NAMES[k][lang == "he"])) for k in keys]
    joined = written[0] + "".join(draw(st.sampled_from(JOINERS[lang])) + w for w in written[1:])
    return draw(st.sampled_from(TEMPLATES[lang, severity])).format(joined)


@st.composite
def person(draw: st.DrawFn, index: int) -> Person:
    allergies = draw(
        st.dictionaries(
            st.sampled_from(sorted(NAMES)), st.sampled_from(("mild", "moderate", "severe")),
            max_size=3,
        )
    )  # fmt: skip
    items: list[str] = []
    for severity in ("mild", "moderate", "severe"):
        keys = [key for key, level in sorted(allergies.items()) if level == severity]
        english, hebrew = ([k for k in keys if NAMES[k][i]] for i in (0, 1))
        together = [keys] if keys and (english == keys or hebrew == keys) else [[k] for k in keys]
        items += [draw(item(chunk, severity)) for chunk in together]
    return Person(
        id=f"p{index:03d}",
        age=draw(st.integers(25, 29)),
        diet=draw(st.sampled_from(DIETS)),
        allergies=allergies,
        written=tuple(items),
    )


@st.composite
def populations(draw: st.DrawFn) -> list[Person]:
    return [draw(person(index)) for index in range(draw(st.integers(4, 40)))]


@settings(max_examples=60, deadline=None)
@given(populations(), st.integers(0, 4), st.sampled_from(["banded", "loose"]))
def test_the_mean_score_is_the_spec_mean_and_every_group_keeps_rule_3(
    population: list[Person], limit: int, policy: str
) -> None:
    options = GroupingOptions(max_allergy_count=limit, age_policy=policy)
    result = run_grouping([p.as_input() for p in population], options)
    by_id = {p.id: p for p in population}
    groups = [[by_id[member] for member in group.members] for group in result.groups]
    assert all(group_is_valid(group, options) for group in groups), "rule 3 on what they have"
    assigned = sum(len(group) for group in groups)
    total = sum(len(group) * reference_score(group, options) for group in groups)
    assert abs(result.diagnostics.scores.mean - (total / assigned if assigned else 0.0)) <= 1e-9
    truth = {key for group in groups for p in group for key in p.allergies}
    assert result.diagnostics.allergies.unique_allergens == len(truth)
    for group, members in zip(result.groups, groups, strict=True):
        assert set(group.allergy_summary.allergens) == {k for p in members for k in p.allergies}
