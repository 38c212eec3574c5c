"""The run's diagnostics, as the spec lists them, computed from the finished grouping."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.grouping.models import (
    REASON_ORDER,
    AgeDiagnostics,
    AllergyDiagnostics,
    CountDiagnostics,
    Diagnostics,
    EngineDiagnostics,
    Group,
    HistogramBin,
    KosherDiagnostics,
    ScoreDiagnostics,
    UnassignedParticipant,
)
from engine.grouping.options import GroupingOptions
from engine.grouping.search.scoring import DIET_CODES
from engine.grouping.survey.profile import ParticipantProfile

HISTOGRAM_BINS = 10


@dataclass(frozen=True, slots=True)
class RunFacts:
    """Everything the diagnostics are computed from."""

    options: GroupingOptions
    participants: int
    profiles: list[ParticipantProfile]
    groups: list[Group]
    unassigned: list[UnassignedParticipant]
    engine: EngineDiagnostics


def build_diagnostics(facts: RunFacts) -> Diagnostics:
    by_id = {profile.participant_id: profile for profile in facts.profiles}
    assigned = [by_id[pid] for group in facts.groups for pid in group.members]
    return Diagnostics(
        counts=_counts(facts, len(assigned)),
        scores=_scores(facts.groups, len(assigned)),
        allergies=_allergies(facts.groups, assigned),
        ages=_ages(facts),
        kosher=KosherDiagnostics(
            participants=sum(p.kosher for p in facts.profiles),
            groups=sum(group.kosher for group in facts.groups),
        ),
        diets={diet: sum(p.diet == diet for p in facts.profiles) for diet in DIET_CODES},
        engine=facts.engine,
    )


def _counts(facts: RunFacts, assigned: int) -> CountDiagnostics:
    reasons = Counter(entry.reason for entry in facts.unassigned)
    sizes = Counter(group.size for group in facts.groups)
    return CountDiagnostics(
        participants=facts.participants,
        assigned=assigned,
        unassigned=len(facts.unassigned),
        unassigned_by_reason={reason: reasons[reason] for reason in REASON_ORDER},
        groups=len(facts.groups),
        group_sizes={str(size): sizes[size] for size in sorted(sizes)},
    )


def _scores(groups: list[Group], assigned: int) -> ScoreDiagnostics:
    total = sum(group.size * group.score for group in groups)
    scores = [group.score for group in groups]
    bins = Counter(min(int(score * HISTOGRAM_BINS), HISTOGRAM_BINS - 1) for score in scores)
    histogram = [
        HistogramBin(low=k / HISTOGRAM_BINS, high=(k + 1) / HISTOGRAM_BINS, groups=bins[k])
        for k in range(HISTOGRAM_BINS)
    ]
    return ScoreDiagnostics(
        mean=total / assigned if assigned else 0.0,
        min=min(scores, default=0.0),
        max=max(scores, default=0.0),
        total=total,
        histogram=histogram,
    )


def _allergies(groups: list[Group], assigned: list[ParticipantProfile]) -> AllergyDiagnostics:
    breakdown: dict[str, Counter[str]] = {}
    for profile in assigned:
        for allergen, severity in profile.allergies.severity.items():
            breakdown.setdefault(allergen, Counter())[severity] += 1
    with_allergies = [group for group in groups if group.allergy_summary.allergens]
    distinct = sum(len(group.allergy_summary.allergens) for group in groups)
    return AllergyDiagnostics(
        unique_allergens=len(breakdown),
        groups_with_allergies=len(with_allergies),
        mean_allergens_per_group=distinct / len(groups) if groups else 0.0,
        by_allergen={
            allergen: {s: counts[s] for s in ("mild", "moderate", "severe")}
            for allergen, counts in sorted(breakdown.items())
        },
    )


def _ages(facts: RunFacts) -> AgeDiagnostics:
    options = facts.options
    ages = Counter(profile.age for profile in facts.profiles if profile.age is not None)
    buckets: Counter[str] = Counter()
    for age, count in ages.items():
        buckets[_age_bucket(age, options)] += count
    spreads = [g.age_range.max - g.age_range.min for g in facts.groups if g.age_range is not None]
    return AgeDiagnostics(
        policy=options.age_policy,
        by_band=dict(sorted(buckets.items(), key=lambda item: _bucket_start(item[0]))),
        missing=sum(profile.age is None for profile in facts.profiles),
        mean_spread=sum(spreads) / len(spreads) if spreads else 0.0,
        max_spread=max(spreads, default=0),
    )


def _age_bucket(age: int, options: GroupingOptions) -> str:
    if options.age_policy == "loose":
        low = age - age % 5
        return f"{low}-{low + 4}"
    band = options.band_of(age)
    return options.band_label(band) if band is not None else f"under {options.age_bands[0]}"


def _bucket_start(label: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in label).split()
    start = int(digits[0]) if digits else 0
    return start - 1 if label.startswith("under") else start
