"""Every unassigned reason, and every details key the engine writes, reads as a sentence.

The entries come from the engine itself: one run over participants made to hit every
reason and every shape of details (an unreadable answer, an unreadable participant, no
age, too young, too many severe allergies alone and in a pool, too few compatible people).
"""

from __future__ import annotations

from typing import Any, get_args

import pytest

from engine.grouping.models import UnassignedParticipant, UnassignedReason
from engine.grouping.options import GroupingOptions
from engine.grouping.report.reasons import (
    DETAIL_SENTENCES,
    GENERIC,
    LANGS,
    REASONS,
    Lang,
    explain,
    explain_details,
)
from engine.grouping.run import run_grouping


def person(pid: str, age: Any = 30, **responses: Any) -> dict[str, Any]:
    return {"id": pid, "age": age, "responses": responses}


def engine_entries() -> list[UnassignedParticipant]:
    peanut = "severe peanut allergy"
    people = [
        person("unreadable", diet="carnivore-ish"),
        {"id": "shapeless", "age": [30]},  # the Participant model itself refuses it
        person("no-age", age=None),
        person("young", age=15),
        person("alone", dietary_restrictions="severe sesame allergy; severe fish allergy"),
        # Pool 30-34, kosher: four with a severe peanut allergy group; one more severe
        # allergen would break the limit of 1, so the sesame one is left out.
        *(person(f"k{i}", age=31, kosher="yes", dietary_restrictions=peanut) for i in range(4)),
        person("kosher-sesame", age=31, kosher="yes", dietary_restrictions="severe sesame allergy"),
        # Pool 40-49, not kosher: three people, too few for a group of four.
        *(person(f"few{i}", age=41, kosher="no") for i in range(3)),
        # Pool 50-59, not kosher: seven, so one is left over after a group of six.
        *(person(f"seven{i}", age=52, kosher="no") for i in range(7)),
        # Pool 60+, kosher: only one.
        person("lonely", age=70, kosher="yes"),
    ]
    options = GroupingOptions(kosher_only=True, max_allergy_count=1)
    return run_grouping(people, options).unassigned


ENTRIES = engine_entries()
BY_ID = {entry.participant_id: entry for entry in ENTRIES}


def test_the_run_reaches_every_reason_of_the_spec() -> None:
    assert {entry.reason for entry in ENTRIES} == set(get_args(UnassignedReason))
    assert set(REASONS) == set(get_args(UnassignedReason))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.participant_id)
def test_every_entry_gets_its_own_sentence(entry: UnassignedParticipant, lang: Lang) -> None:
    sentence = explain(entry.reason, entry.details, lang)
    assert sentence != GENERIC[lang][entry.reason], "fell back to the plain sentence"
    assert sentence.endswith(".") and "{" not in sentence
    numbers = [v for k, v in entry.details.items() if isinstance(v, int) and k != "age"]
    shown = [n for n in numbers if str(n) in sentence]
    assert shown or entry.reason in {"missing-age", "invalid-profile"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_details_key_the_engine_writes_has_a_sentence(lang: Lang) -> None:
    keys = {key for entry in ENTRIES for key in entry.details}
    assert keys <= set(DETAIL_SENTENCES[lang]), keys - set(DETAIL_SENTENCES[lang])
    for entry in ENTRIES:
        sentences = explain_details(entry.details, lang)
        assert len(sentences) == len(entry.details)
        assert all(s.endswith(".") for s in sentences)


def test_both_languages_know_the_same_keys() -> None:
    assert set(DETAIL_SENTENCES["en"]) == set(DETAIL_SENTENCES["he"])


def test_the_sentence_for_too_few_people_in_a_pool() -> None:
    details = {
        "pool": {"kosher": True, "age_band": "25-29"},
        "pool_size": 3,
        "placed_in_pool": 0,
        "left_out_in_pool": 3,
        "min_group_size": 4,
        "target_group_size": 6,
        "more_participants_needed_for_a_group": 1,
    }
    reason = "insufficient-compatible-participants"
    assert explain(reason, details) == (
        "Only 3 people share this person's kosher choice and age band 25-29; a group needs 4."
    )
    assert explain(reason, details, "he") == (
        "רק 3 משתתפים חולקים עם המשתתף/ת את בחירת הכשרות ואת קבוצת הגיל 25-29; קבוצה צריכה 4."
    )


@pytest.mark.parametrize(
    ("pid", "english"),
    [
        ("unreadable", "This person's diet answer could not be read: expected omnivore"),
        ("shapeless", "This person's age answer could not be read"),
        ("no-age", "No age was given"),
        ("young", "At 15 this person is younger than the first age band, which starts at 18."),
        ("alone", "This person alone has 2 severe allergies (fish, sesame); a group may hold"),
        ("kosher-sesame", "The only group of people who share this person's kosher choice"),
        ("few0", "Only 3 people share this person's kosher choice and age band 40-49"),
        ("lonely", "No one else shares this person's kosher choice and age band 60+"),
    ],
)
def test_sentences_say_what_happened(pid: str, english: str) -> None:
    entry = BY_ID[pid]
    assert english in explain(entry.reason, entry.details)


def test_a_pool_with_people_left_over_says_how_many_more_would_help() -> None:
    [left] = [e for e in ENTRIES if e.participant_id.startswith("seven")]
    assert explain(left.reason, left.details) == (
        "7 people share this person's kosher choice and age band 50-59; 6 are in groups of at "
        "most 6, and the one left over is too few for a group of 4 (3 more would make one)."
    )


@pytest.mark.parametrize("details", [None, {}, {"pool": 3}, {"pool_size": "many"}, {"x": 1}])
@pytest.mark.parametrize("reason", [*REASONS, "something-new"])
def test_odd_details_never_raise(reason: str, details: Any) -> None:
    for lang in LANGS:
        assert explain(reason, details, lang)
        assert isinstance(explain_details(details, lang), list)
