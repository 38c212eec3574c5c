from __future__ import annotations

import pytest

from engine.wards.errors import DuplicateMemberError
from engine.wards.households import detect_households
from engine.wards.models import Household, WardMember


def member(user_hash: str, first: str, last: str, **extra: str) -> WardMember:
    return WardMember(user_hash=user_hash, first_name=first, last_name=last, **extra)


def test_same_last_name_and_address_form_one_household_despite_spelling() -> None:
    roster = [
        member("u1", "Dan", "Cohen", address="12 Main St."),
        member("u2", "Avi", "COHEN", address="12  main st"),
        member("u3", "Ron", "Cohen", address="14 Main St"),
    ]
    assert detect_households(roster) == [
        Household(key="auto:cohen|address:12 main st", members=["u2", "u1"]),
        Household(key="auto:cohen|address:14 main st", members=["u3"]),
    ]


def test_without_address_phone_decides_and_without_either_the_last_name() -> None:
    roster = [
        member("u1", "Noa", "Levi", phone="050-123 4567"),
        member("u2", "Gil", "Lévi", phone="0501234567"),
        member("u3", "Tal", "Levi"),
        member("u4", "Ori", "levi"),
        member("u5", "Yael", "Levi", address="3 Oak Rd"),
    ]
    assert detect_households(roster) == [
        Household(key="auto:levi", members=["u4", "u3"]),
        Household(key="auto:levi|address:3 oak rd", members=["u5"]),
        Household(key="auto:levi|phone:0501234567", members=["u2", "u1"]),
    ]


def test_an_explicit_household_id_wins_over_names_and_addresses() -> None:
    roster = [
        member("u1", "Dana", "Zur", address="1 A St", household_id="fam-7"),
        member("u2", "Moshe", "Abir", address="9 B St", household_id="fam-7"),
        member("u3", "Eli", "Abir", address="9 B St"),
    ]
    assert detect_households(roster) == [
        Household(key="auto:abir|address:9 b st", members=["u3"]),
        Household(key="fam-7", members=["u1", "u2"]),
    ]


def test_households_sort_by_last_name_latin_before_hebrew() -> None:
    roster = [
        member("u1", "שרה", "כהן"),
        member("u2", "Dan", "Zamir"),
        member("u3", "רון", "אלון"),
        member("u4", "Ann", "Adler"),
    ]
    keys = [household.key for household in detect_households(roster)]
    assert keys == ["auto:adler", "auto:zamir", "auto:אלון", "auto:כהן"]


def test_a_repeated_user_hash_is_refused_by_name() -> None:
    roster = [member("u1", "A", "B"), member("u1", "C", "D")]
    with pytest.raises(DuplicateMemberError) as caught:
        detect_households(roster)
    assert caught.value.user_hash == "u1"
