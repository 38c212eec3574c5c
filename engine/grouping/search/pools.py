"""Triage: read every participant, give the early reasons, and split the rest into pools.

A pool is a set of participants who may share a group as far as kosher and age band
go; groups never cross pools, so each pool is solved on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.grouping.errors import InvalidProfileError
from engine.grouping.models import Participant, UnassignedParticipant
from engine.grouping.options import GroupingOptions
from engine.grouping.survey.profile import ParticipantProfile
from engine.grouping.survey.reader import read_profile

PoolKey = tuple[bool | None, int | None]


@dataclass(slots=True)
class Triage:
    profiles: list[ParticipantProfile] = field(default_factory=list)
    pools: dict[PoolKey, list[ParticipantProfile]] = field(default_factory=dict)
    unassigned: list[UnassignedParticipant] = field(default_factory=list)


def triage(people: list[Participant], options: GroupingOptions, *, as_of: date) -> Triage:
    """Profiles of the readable, early reasons for the rest, and the pools (in id order)."""
    result = Triage()
    for person in people:
        try:
            profile = read_profile(person, as_of=as_of)
        except InvalidProfileError as error:
            details = {"field": error.field, "problem": error.problem}
            result.unassigned.append(_entry(person.id, "invalid-profile", details))
            continue
        result.profiles.append(profile)
        early = _early_reason(profile, options)
        if early is not None:
            result.unassigned.append(early)
            continue
        result.pools.setdefault(pool_key(profile, options), []).append(profile)
    return result


def pool_key(profile: ParticipantProfile, options: GroupingOptions) -> PoolKey:
    kosher = profile.kosher if options.kosher_only else None
    band = None
    if options.age_policy == "banded" and profile.age is not None:
        band = options.band_of(profile.age)
    return (kosher, band)


def describe_pool(key: PoolKey, options: GroupingOptions) -> dict[str, Any]:
    kosher, band = key
    return {
        "kosher": kosher,
        "age_band": options.band_label(band) if band is not None else None,
    }


def placeable(count: int, options: GroupingOptions) -> int:
    """Most of `count` interchangeable people that groups of allowed sizes can hold."""
    low, high = options.min_group_size, options.target_group_size
    for placed in range(count, 0, -1):
        if -(-placed // high) <= placed // low:
            return placed
    return 0


def _early_reason(
    profile: ParticipantProfile, options: GroupingOptions
) -> UnassignedParticipant | None:
    details: dict[str, Any]
    if options.age_policy == "banded":
        if profile.age is None:
            return _entry(profile.participant_id, "missing-age", {"field": "age"})
        if options.band_of(profile.age) is None:
            details = {"age": profile.age, "youngest_band_starts_at": options.age_bands[0]}
            return _entry(profile.participant_id, "age-out-of-range", details)
    if not profile.allergies.severity:
        return None
    severe = profile.allergies.severe_allergens()
    if len(severe) > options.max_allergy_count:
        details = {
            "severe_allergens": sorted(severe),
            "max_allergy_count": options.max_allergy_count,
            "alone_exceeds_limit": True,
        }
        return _entry(profile.participant_id, "allergy-limit-exceeded", details)
    return None


def _entry(participant_id: str, reason: str, details: dict[str, Any]) -> UnassignedParticipant:
    return UnassignedParticipant.model_validate(
        {"participant_id": participant_id, "reason": reason, "details": details}
    )
