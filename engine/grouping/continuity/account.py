"""Who moved and why: a run's groups compared with the grouping it started from.

Each new group continues at most one earlier group, and each earlier group is continued
by at most one new group: pairs are matched by how many members they share, most first
(ties to the lower numbers). A run from the earlier grouping knows instead which group
grew from which (each kept group remembers its origin). A person of the starting grouping
who is still a participant has moved when their group now is not the continuation of their earlier
one, or when they are unassigned now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.grouping.continuity.requests import StartingGrouping
from engine.grouping.models import ContinuityDiagnostics, Group, MovedPerson


@dataclass(frozen=True, slots=True)
class Accounting:
    """What the run knows beyond the groups: the reasons noted, locks and pairs reported."""

    participants: frozenset[str]
    weight: float
    move_budget: int
    reasons: Mapping[str, str] = field(default_factory=dict)
    default_reason: str = "improvement"
    locks_broken: Sequence[dict[str, Any]] = ()
    together_unmet: Sequence[dict[str, Any]] = ()
    pairs_unknown: Sequence[list[str]] = ()
    origins: Mapping[frozenset[str], int] | None = None


def continuations(
    start: StartingGrouping,
    groups: Sequence[Group],
    origins: Mapping[frozenset[str], int] | None = None,
) -> dict[int, int]:
    """New group number → the earlier group number it continues.

    `origins`, when the run kept track of them (a group's members → the earlier group it
    grew from), decide; otherwise groups are matched by the members they share.
    """
    if origins is not None:
        found = ((g.number, origins.get(frozenset(g.members))) for g in groups)
        return {number: origin for number, origin in found if origin is not None}
    where = start.group_of()
    shared: Counter[tuple[int, int]] = Counter()
    for group in groups:
        for member in group.members:
            if member in where:
                shared[(group.number, where[member])] += 1
    matched: dict[int, int] = {}
    used: set[int] = set()
    for (new, old), _ in sorted(
        shared.items(), key=lambda item: (-item[1], item[0][1], item[0][0])
    ):
        if new not in matched and old not in used:
            matched[new] = old
            used.add(old)
    return matched


def account(
    start: StartingGrouping, groups: Sequence[Group], facts: Accounting
) -> ContinuityDiagnostics:
    """The continuity diagnostics of `groups` against `start`."""
    matched = continuations(start, groups, facts.origins)
    now = {member: group.number for group in groups for member in group.members}
    moved = []
    for person, earlier in sorted(start.group_of().items()):
        if person not in facts.participants:
            continue
        group = now.get(person)
        if group is None or matched.get(group) != earlier:
            reason = facts.reasons.get(person, facts.default_reason)
            moved.append(
                MovedPerson(
                    participant_id=person, from_group=earlier, to_group=group, reason=reason
                )
            )
    continued = {old: new for new, old in matched.items()}
    members_of = {group.number: set(group.members) for group in groups}
    kept = sum(
        1
        for number, members in start.groups.items()
        if number in continued and members_of[continued[number]] == set(members)
    )
    known = start.group_of()
    return ContinuityDiagnostics(
        started_from_groups=len(start.groups),
        stability_weight=facts.weight,
        move_budget=facts.move_budget,
        moved=len(moved),
        moved_by_reason=dict(sorted(Counter(m.reason for m in moved).items())),
        moved_people=moved,
        groups_touched=len(start.groups) - kept,
        groups_kept=kept,
        groups_new=sum(1 for group in groups if group.number not in matched),
        joined=sum(1 for person in now if person not in known),
        withdrawn=sum(1 for person in known if person not in facts.participants),
        locks_broken=list(facts.locks_broken),
        together_unmet=list(facts.together_unmet),
        pairs_unknown=list(facts.pairs_unknown),
    )
