"""Together requests as components (friends of friends sit together), and the unmeetable.

A component is met when all of it shares one group (or all of it is left out). It cannot
be met, and is reported rather than enforced, when its people are in different pools
(kosher or age band apart), one of them cannot be placed at all, it is larger than a
group may be, it holds more severe allergens than a group may, or an apart request
separates two of its people (apart always wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.grouping.continuity.requests import PairRequests
from engine.grouping.search.pools import PoolKey
from engine.grouping.survey.profile import ParticipantProfile


@dataclass(slots=True)
class PairPlan:
    """The requests as the search enforces them."""

    together: dict[str, frozenset[str]] = field(default_factory=dict)
    apart: dict[str, frozenset[str]] = field(default_factory=dict)
    unmet: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[list[str]] = field(default_factory=list)


def plan_pairs(
    requests: PairRequests,
    known: set[str],
    pools: Mapping[str, PoolKey],
    profiles: Mapping[str, ParticipantProfile],
    *,
    largest: int,
    severe_limit: int,
) -> PairPlan:
    """Components of the together requests and the apart pairs, among `known` people.

    `pools` holds the placeable people's pool; a known person missing from it is out of
    every group for an early reason.
    """
    plan = PairPlan()
    _plan_apart(plan, requests, known)
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        while parent.setdefault(person, person) != person:
            parent[person] = parent[parent[person]]
            person = parent[person]
        return person

    for first, second in requests.together:
        if first not in known or second not in known:
            plan.unknown.append([first, second])
        else:
            parent[root(first)] = root(second)
    components: dict[str, set[str]] = {}
    for person in parent:
        components.setdefault(root(person), set()).add(person)
    for people in sorted(sorted(c) for c in components.values() if len(c) > 1):
        problem = _problem(people, plan.apart, pools, profiles, largest, severe_limit)
        if problem is not None:
            plan.unmet.append({"people": people, "reason": problem})
            continue
        for person in people:
            plan.together[person] = frozenset(people)
    return plan


def _plan_apart(plan: PairPlan, requests: PairRequests, known: set[str]) -> None:
    apart: dict[str, set[str]] = {}
    for first, second in requests.apart:
        if first not in known or second not in known:
            plan.unknown.append([first, second])
        elif first != second:
            apart.setdefault(first, set()).add(second)
            apart.setdefault(second, set()).add(first)
    plan.apart = {person: frozenset(others) for person, others in apart.items()}


def _problem(
    people: list[str],
    apart: Mapping[str, frozenset[str]],
    pools: Mapping[str, PoolKey],
    profiles: Mapping[str, ParticipantProfile],
    largest: int,
    severe_limit: int,
) -> str | None:
    if any(person not in pools for person in people):
        return "not-placeable"
    if len({pools[person] for person in people}) > 1:
        return "different-pools"
    if len(people) > largest:
        return "larger-than-a-group"
    if any(apart.get(person, frozenset()) & set(people) for person in people):
        return "apart-request"
    severe: set[str] = set()
    for person in people:
        severe |= profiles[person].allergies.severe_allergens()
    if len(severe) > severe_limit:
        return "allergy-limit"
    return None
