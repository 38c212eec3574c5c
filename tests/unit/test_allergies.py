"""Reading `dietary_restrictions`: real-looking answers, worked out by hand from the spec."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import Participant
from engine.grouping.options import GroupingOptions
from engine.grouping.survey import vocabulary
from engine.grouping.survey.allergies import (
    extract_allergy_profile,
    group_allergy_ok,
    read_restrictions,
)

CASES: list[Any] = [
    # (answer, allergens at their severity, other answers kept), id
    pytest.param(
        "allergic to peanuts and sesame",
        {"peanut": "moderate", "sesame": "moderate"},
        (),
        id="one-item-two-allergens",
    ),
    pytest.param(
        "severe peanut allergy, mild sesame allergy",
        {"peanut": "severe", "sesame": "mild"},
        (),
        id="one-string-two-items",
    ),
    pytest.param(
        "Severely allergic to shellfish (EpiPen)", {"shellfish": "severe"}, (), id="epipen-adverb"
    ),
    # Spec lines 85-91: connecting words ("for") go, English words are made singular.
    pytest.param("EpiPen for bee stings", {"other:bee sting": "severe"}, (), id="epipen-only"),
    pytest.param("Anaphylaxis to sesame", {"sesame": "severe"}, (), id="anaphylaxis"),
    pytest.param(
        "life-threatening allergy to tree nuts", {"tree_nut": "severe"}, (), id="life-threatening"
    ),
    pytest.param("slightly allergic to soy", {"soy": "mild"}, (), id="slightly"),
    pytest.param("moderately allergic to eggs", {"egg": "moderate"}, (), id="moderately"),
    pytest.param("Wheat allergy", {"gluten": "moderate"}, (), id="wheat-is-gluten"),
    pytest.param("sulfites allergy", {"sulphite": "moderate"}, (), id="sulfites"),
    pytest.param("ALLERGIC TO SHRIMP & PRAWNS", {"shellfish": "moderate"}, (), id="upper-case"),
    pytest.param("severe allergies: peanuts", {"peanut": "severe"}, (), id="colon-does-not-split"),
    pytest.param(
        "allergy: mild to severe crab", {"shellfish": "severe"}, (), id="two-severities-higher"
    ),
    pytest.param(
        "mild or severe allergy to walnuts and shrimp",
        {"tree_nut": "severe", "shellfish": "severe"},
        (),
        id="two-severities-every-allergen",
    ),
    pytest.param(
        "mild peanut allergy; severe peanut allergy",
        {"peanut": "severe"},
        (),
        id="same-allergen-twice-higher-wins",
    ),
    pytest.param(
        ["Dairy allergy - severe", "mild allergy to milk", "vegan"],
        {"milk": "severe"},
        ("vegan",),
        id="list-same-allergen-twice",
    ),
    pytest.param("peanut allergy (not severe)", {"peanut": "moderate"}, (), id="not-severe"),
    pytest.param(
        "not very severe allergy to tree nuts",
        {"tree_nut": "moderate"},
        (),
        id="not-very-severe",
    ),
    # Spec lines 79-84: an item of known names only continues the allergy before it...
    pytest.param(
        "Allergic to almonds, cashews and peanut butter",
        {"tree_nut": "moderate", "peanut": "moderate"},
        (),
        id="item-of-known-names-continues-the-allergy",
    ),
    # ...anything else in it keeps it a plain restriction.
    pytest.param(
        "Allergic to almonds, cashews and kiwi",
        {"tree_nut": "moderate"},
        ("cashews and kiwi",),
        id="item-without-marker-is-kept-not-allergy",
    ),
    pytest.param(
        "allergic to almond milk and soy milk",
        {"tree_nut": "moderate", "soy": "moderate"},
        (),
        id="plant-milks-are-not-milk",
    ),
    pytest.param(
        "oat milk allergy", {"other:oat milk": "moderate"}, (), id="oat-milk-is-no-allergen"
    ),
    pytest.param("kiwi allergy", {"other:kiwi": "moderate"}, (), id="other"),
    pytest.param("Severe kiwi allergy!", {"other:kiwi": "severe"}, (), id="other-severe"),
    pytest.param("allergic", {"other:unspecified": "moderate"}, (), id="other-unspecified"),
    pytest.param(
        "milk allergy; lactose intolerant",
        {"milk": "moderate"},
        ("lactose intolerant",),
        id="allergy-and-intolerance",
    ),
    pytest.param("gluten free", {}, ("gluten free",), id="gluten-free-kept"),
    pytest.param("no allergies", {}, (), id="no-allergies"),
    pytest.param("not allergic", {}, (), id="not-allergic"),
    pytest.param("None", {}, (), id="none"),
    pytest.param("n/a", {}, (), id="n/a"),
    pytest.param("no known allergies", {}, (), id="no-known-allergies"),
    pytest.param("I don't have any allergies", {}, (), id="dont-have-any"),
    pytest.param("no nuts", {}, ("no nuts",), id="no-nuts-kept"),
    # Hebrew
    pytest.param("אלרגיה לקלמרי", {"mollusc": "moderate"}, (), id="he-calamari-not-mild"),
    pytest.param("אלרגיה קלה לקלמרי", {"mollusc": "mild"}, (), id="he-mild-calamari"),
    pytest.param(
        "אלרגיה לקלמרי \u2013 חמורה", {"mollusc": "severe"}, (), id="he-calamari-severe-after-dash"
    ),
    pytest.param(
        "אלרגיה לבוטנים ולשומשום",
        {"peanut": "moderate", "sesame": "moderate"},
        (),
        id="he-two-prefixes",
    ),
    pytest.param(
        "סובלת מאלרגיה חמורה לאגוזים", {"tree_nut": "severe"}, (), id="he-prefixed-marker"
    ),
    pytest.param("אַלֶרְגִּיָה חֲמוּרָה לְבוֹטְנִים", {"peanut": "severe"}, (), id="he-niqqud"),
    pytest.param("אלרגיה אנפילקטית לשומשום", {"sesame": "severe"}, (), id="he-anaphylactic"),
    pytest.param("אלרגיה מסכנת חיים לדגים", {"fish": "severe"}, (), id="he-life-threatening"),
    pytest.param(
        "אלרגיה לטחינה, יש לי אפיפן",
        {"sesame": "moderate", "other:יש לי": "severe"},
        (),
        id="he-tahini-and-epipen",
    ),
    pytest.param("אלרגיה בינונית לביצים", {"egg": "moderate"}, (), id="he-moderate"),
    pytest.param("אלרגיה לא חמורה לחלב", {"milk": "moderate"}, (), id="he-not-severe"),
    # A negated severity before an allergy item joins it (the mirror of continuation) and
    # says nothing: the allergy stays moderate.
    pytest.param(
        "לא כל כך חמורה, אלרגיה לבוטנים",
        {"peanut": "moderate"},
        (),
        id="he-negated-severity-item-says-nothing",
    ),
    pytest.param(
        "אלרגיה קלה לפירות ים ולתמנון",
        {"shellfish": "mild", "mollusc": "mild"},
        (),
        id="he-seafood-octopus",
    ),
    pytest.param(
        "אלרגיה לחרדל ולסלרי", {"mustard": "moderate", "celery": "moderate"}, (), id="he-mustard"
    ),
    pytest.param("אלרגיה לחמאת בוטנים", {"peanut": "moderate"}, (), id="he-peanut-butter"),
    # Spec lines 89-90: the prefix ל is cut from the key, as in vocabulary matching.
    pytest.param("אלרגיה לקיווי", {"other:קיווי": "moderate"}, (), id="he-other"),
    pytest.param("אין לי אלרגיות", {}, (), id="he-none-i-have"),
    pytest.param("אין אלרגיות", {}, (), id="he-none"),
    pytest.param("ללא אלרגיות", {}, (), id="he-without"),
    pytest.param("לא אלרגית", {}, (), id="he-not-allergic-f"),
    pytest.param("לא אלרגי/ת", {}, (), id="he-not-allergic-slash"),
    pytest.param("ללא גלוטן", {}, ("ללא גלוטן",), id="he-gluten-free-kept"),
    pytest.param(None, {}, (), id="missing"),
    pytest.param("", {}, (), id="blank"),
    pytest.param([], {}, (), id="empty-list"),
]


@pytest.mark.parametrize(("answer", "expected", "kept"), CASES)
def test_read_restrictions(answer: object, expected: dict[str, str], kept: tuple[str, ...]) -> None:
    profile, restrictions = read_restrictions(answer)
    assert profile.severity == expected
    assert profile.allergies == sorted(expected)
    assert restrictions == kept


def test_raw_items_keep_every_allergy_item_as_written() -> None:
    answer = "  Severe peanut allergy ,  gluten free ; mild SESAME allergy\nno allergies "
    profile, restrictions = read_restrictions(answer)
    assert profile.raw_items == ["Severe peanut allergy", "mild SESAME allergy"]
    assert restrictions == ("gluten free",)


def test_allergies_are_sorted() -> None:
    profile, _ = read_restrictions(["allergic to sesame", "allergic to milk and peanuts"])
    assert profile.allergies == ["milk", "peanut", "sesame"]


@pytest.mark.parametrize(
    "value",
    [5, 3.5, True, {"a": 1}, ["peanut allergy", 7], [["nested"]]],
    ids=["int", "float", "bool", "dict", "list-with-number", "nested-list"],
)
def test_unreadable_value_names_the_field(value: object) -> None:
    with pytest.raises(InvalidProfileError) as caught:
        read_restrictions(value)
    assert caught.value.field == "responses.dietary_restrictions"
    assert "nested" not in caught.value.problem and "peanut" not in caught.value.problem


def person(pid: str, answer: object) -> Participant:
    return Participant(id=pid, responses={"dietary_restrictions": answer})


def test_extract_allergy_profile_reads_the_responses() -> None:
    profile = extract_allergy_profile(person("a", "severe peanut allergy; allergic to egg"))
    assert profile.severity == {"egg": "moderate", "peanut": "severe"}
    assert profile.severe_allergens() == {"peanut"}
    with pytest.raises(InvalidProfileError):
        extract_allergy_profile(person("b", {"peanut": "severe"}))


def test_group_allergy_ok_counts_distinct_severe_allergens() -> None:
    group = [
        person("a", "severe peanut allergy, severe sesame allergy"),
        person("b", "severe peanut allergy, mild fish allergy"),
        person("c", "allergic to milk; EpiPen for eggs"),
    ]
    # Severe across the group: peanut, sesame, egg (fish mild, milk moderate) = 3.
    assert group_allergy_ok(group, GroupingOptions(max_allergy_count=3))
    assert not group_allergy_ok(group, GroupingOptions(max_allergy_count=2))
    assert group_allergy_ok([], GroupingOptions(max_allergy_count=0))


VOCABULARY_NAMES = [
    (allergen, name) for allergen, names in vocabulary.ALLERGENS.items() for name in names
]


@pytest.mark.parametrize(("allergen", "name"), VOCABULARY_NAMES, ids=lambda value: str(value))
def test_every_vocabulary_name_reads_as_its_own_allergen(allergen: str, name: str) -> None:
    profile, _ = read_restrictions(f"severe allergy to {name}")
    assert profile.severity == {allergen: "severe"}


HEBREW_NAMES = [
    ("שומשום", "sesame"),
    ("בוטנים", "peanut"),
    ("אגוזים", "tree_nut"),
    ("חלב", "milk"),
    ("ביצים", "egg"),
    ("קלמרי", "mollusc"),
    ("שרימפס", "shellfish"),
]


@given(st.sampled_from(HEBREW_NAMES), st.lists(st.sampled_from("הלבומשכ"), max_size=2))
def test_prefixed_hebrew_allergen_still_counts(named: tuple[str, str], prefixes: list[str]) -> None:
    name, allergen = named
    profile, _ = read_restrictions(f"אלרגיה חמורה {''.join(prefixes)}{name}")
    assert profile.severity == {allergen: "severe"}
