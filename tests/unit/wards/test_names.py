from __future__ import annotations

import pytest

from engine.wards.names import name_sort_key, normalise_address, normalise_name, normalise_phone


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("  JOSÉ-María ", "jose maria"),
        ("Ben - David", "ben david"),
        ("Ben\u2013David", "ben david"),
        ("Ben\tDavid", "ben david"),
        ("Straße", "strasse"),
        ("Ğülşen", "gulsen"),
        ("כֹּהֵן", "כהן"),
        ("בן־דוד", "בן דוד"),
        ("ﬁnn", "finn"),
    ],
)
def test_names_fold_case_accents_and_separators(written: str, expected: str) -> None:
    assert normalise_name(written) == expected


def test_a_missing_separator_is_a_different_name() -> None:
    assert normalise_name("BenDavid") != normalise_name("Ben David")


def test_addresses_also_ignore_commas_and_full_stops() -> None:
    assert normalise_address("12, Main St.") == normalise_address("12 main st") == "12 main st"


def test_phones_keep_digits_only() -> None:
    assert normalise_phone("+972 (50) 123-4567") == "972501234567"
    assert normalise_phone("\uff10\uff15\uff10\uff11\uff12\uff13") == "050123"
    assert normalise_phone("n/a") == ""


def test_latin_sorts_before_hebrew_each_alphabetically() -> None:
    names = ["ציון", "Levi", "כהן", "abraham", "צבי", "אברהם", "Élie"]
    assert sorted(names, key=name_sort_key) == [
        "abraham",
        "Élie",
        "Levi",
        "אברהם",
        "כהן",
        "צבי",
        "ציון",
    ]


def test_final_letters_sort_with_their_ordinary_form_and_the_order_stays_total() -> None:
    assert name_sort_key("כהן")[0] == name_sort_key("כהנ")[0]
    assert name_sort_key("כהן") != name_sort_key("כהנ")
