"""From solved pools to the public result: numbered groups and reasons for the left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from engine.grouping.models import SEVERITY_RANK, Group, UnassignedParticipant
from engine.grouping.options import GroupingOptions
from engine.grouping.search.pools import PoolKey, describe_pool
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import MemberFacts, severe_ok
from engine.grouping.survey.profile import ParticipantProfile

SEVERITY_NAMES = {rank: name for name, rank in SEVERITY_RANK.items()}


@dataclass(frozen=True, slots=True)
class PoolOutcome:
    key: PoolKey
    profiles: list[ParticipantProfile]
    solution: PoolSolution
    rules: PoolRules


# One validation call for every group is much faster than one model per group.
_GROUPS = TypeAdapter(list[Group])


def assemble_groups(outcomes: list[PoolOutcome], options: GroupingOptions) -> list[Group]:
    groups: list[dict[str, Any]] = []
    for outcome in outcomes:
        ordered = sorted(outcome.solution.groups, key=lambda g: min(m.index for m in g))
        for members in ordered:
            members = sorted(members, key=lambda m: m.index)
            profiles = [outcome.profiles[m.index] for m in members]
            score = outcome.rules.scorer.score(members)
            groups.append(_group(len(groups) + 1, outcome.key, members, profiles, score, options))
    return _GROUPS.validate_python(groups)


def _group(
    number: int,
    key: PoolKey,
    members: list[MemberFacts],
    profiles: list[ParticipantProfile],
    score: float,
    options: GroupingOptions,
) -> dict[str, Any]:
    ages = [p.age for p in profiles if p.age is not None]
    diets: dict[str, int] = {}
    for profile in profiles:
        diets[profile.diet] = diets.get(profile.diet, 0) + 1
    band = key[1]
    return {
        "number": number,
        "members": [p.participant_id for p in profiles],
        "size": len(profiles),
        "score": score,
        "kosher": any(p.kosher for p in profiles),
        "age_band": options.band_label(band) if band is not None else None,
        "age_range": {"min": min(ages), "max": max(ages)} if ages else None,
        "diets": dict(sorted(diets.items())),
        "allergy_summary": _allergy_summary(members),
    }


def _allergy_summary(members: list[MemberFacts]) -> dict[str, Any]:
    highest: dict[str, int] = {}
    for member in members:
        for allergen, rank in member.allergens:
            highest[allergen] = max(highest.get(allergen, 0), rank)
    return {
        "allergens": {a: SEVERITY_NAMES[r] for a, r in sorted(highest.items())},
        "severe": sorted(a for a, r in highest.items() if r == SEVERITY_RANK["severe"]),
        "members_with_allergies": sum(1 for m in members if m.allergens),
    }


def left_out_entries(
    outcomes: list[PoolOutcome], options: GroupingOptions
) -> list[UnassignedParticipant]:
    """Why each member the search could not place is out, in the spec's precedence."""
    entries = []
    for outcome in outcomes:
        for member in outcome.solution.left_out:
            pid = outcome.profiles[member.index].participant_id
            entries.append(_left_out_entry(pid, member, outcome, options))
    return entries


def _left_out_entry(
    pid: str, member: MemberFacts, outcome: PoolOutcome, options: GroupingOptions
) -> UnassignedParticipant:
    groups = outcome.solution.groups
    limit = options.max_allergy_count
    pool = describe_pool(outcome.key, options)
    if member.severe and groups and not any(severe_ok([*g, member], limit) for g in groups):
        details: dict[str, Any] = {
            "pool": pool,
            "severe_allergens": sorted(member.severe),
            "max_allergy_count": limit,
            "groups_in_pool": len(groups),
        }
        return UnassignedParticipant(
            participant_id=pid, reason="allergy-limit-exceeded", details=details
        )
    left = len(outcome.solution.left_out)
    details = {
        "pool": pool,
        "pool_size": len(outcome.profiles),
        "placed_in_pool": len(outcome.profiles) - left,
        "left_out_in_pool": left,
        "min_group_size": options.min_group_size,
        "target_group_size": options.target_group_size,
        "more_participants_needed_for_a_group": max(0, options.min_group_size - left),
    }
    return UnassignedParticipant(
        participant_id=pid, reason="insufficient-compatible-participants", details=details
    )
