"""Household detection and the ward's order.

A member's household key is, in order of precedence:
  1. their explicit `household_id`, stripped of whitespace (names.WHITESPACE), otherwise verbatim;
  2. "auto:<last name>|address:<address>" when they have a non-empty normalised address;
  3. "auto:<last name>|phone:<digits>" when they have a phone with digits;
  4. "auto:<last name>".
Each member is keyed by what they themselves have: a member without an address does not join
a same-name household that has one (the spec's "without an address" reads per member). Derived
keys start with "auto:"; an explicit id that does too shares their namespace. The database
derives the same key for every roster row (ward_members.household_key, computed by
private.ward_household_key: sql/migrations/0017), and keeps households whole by it.

Order: households by the sort key of their last name (for an explicit household whose members'
names differ, the smallest), then by key; members inside by first name, then last name, then
user_hash, so the order is total.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.wards.errors import DuplicateMemberError
from engine.wards.models import Household, WardMember
from engine.wards.names import (
    WHITESPACE,
    name_sort_key,
    normalise_address,
    normalise_name,
    normalise_phone,
)

AUTO_PREFIX = "auto:"


def household_key(member: WardMember) -> str:
    """The key of the household `member` belongs to (see the module docstring)."""
    explicit = (member.household_id or "").strip(WHITESPACE)
    if explicit:
        return explicit
    last = normalise_name(member.last_name)
    address = normalise_address(member.address or "")
    if address:
        return f"{AUTO_PREFIX}{last}|address:{address}"
    phone = normalise_phone(member.phone or "")
    if phone:
        return f"{AUTO_PREFIX}{last}|phone:{phone}"
    return f"{AUTO_PREFIX}{last}"


def _member_order(member: WardMember) -> tuple[tuple[str, str], tuple[str, str], str]:
    return (name_sort_key(member.first_name), name_sort_key(member.last_name), member.user_hash)


def detect_households(roster: Iterable[WardMember]) -> list[Household]:
    """The ward's households in the ward's order; refuses a roster that repeats a user_hash."""
    by_key: dict[str, list[WardMember]] = {}
    seen: set[str] = set()
    for member in roster:
        if member.user_hash in seen:
            raise DuplicateMemberError(member.user_hash)
        seen.add(member.user_hash)
        by_key.setdefault(household_key(member), []).append(member)
    ordered = sorted(
        by_key.items(),
        key=lambda item: (min(name_sort_key(m.last_name) for m in item[1]), item[0]),
    )
    return [
        Household(key=key, members=[m.user_hash for m in sorted(members, key=_member_order)])
        for key, members in ordered
    ]


def household_of_member(households: Iterable[Household]) -> dict[str, Household]:
    """user_hash -> the household holding it."""
    return {user_hash: household for household in households for user_hash in household.members}
