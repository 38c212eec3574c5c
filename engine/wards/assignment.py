"""Default assignment, group views, and working with stored (custom) assignments.

Stored assignments need not be contiguous. The effective group of a member is their stored
group; without one, the stored group of their household when some other member has one (so a
newcomer joins their family rather than splitting it); otherwise their default group. Stored
groups of user hashes no longer on the roster are ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import accumulate, chain, pairwise

from engine.wards.cuts import optimal_cut
from engine.wards.errors import InvalidGroupError, UnassignedMemberError, UnknownMemberError
from engine.wards.models import GROUP_LABELS, Boundaries, GroupLabel, GroupView, Household


def member_counts(households: Sequence[Household]) -> list[int]:
    """Members per household, in order."""
    return [len(household.members) for household in households]


def default_boundaries(households: Sequence[Household]) -> Boundaries:
    """The default cut: the largest group as small as possible, earlier groups larger on ties."""
    return optimal_cut(member_counts(households))


def assignment_from_boundaries(
    households: Sequence[Household], boundaries: Boundaries
) -> dict[str, GroupLabel]:
    """user_hash -> group for the contiguous cut `boundaries`."""
    edges = (0, *boundaries, len(households))
    return {
        user_hash: label
        for label, (start, end) in zip(GROUP_LABELS, pairwise(edges), strict=True)
        for household in households[start:end]
        for user_hash in household.members
    }


def default_assignment(households: Sequence[Household]) -> dict[str, GroupLabel]:
    """user_hash -> group under the default cut."""
    return assignment_from_boundaries(households, default_boundaries(households))


def views_from_boundaries(
    households: Sequence[Household], boundaries: Boundaries
) -> list[GroupView]:
    """The four groups A-D of the contiguous cut `boundaries`."""
    edges = (0, *boundaries, len(households))
    total = sum(member_counts(households))
    return [
        _view(label, households[start:end], total)
        for label, (start, end) in zip(GROUP_LABELS, pairwise(edges), strict=True)
    ]


def views_from_assignment(
    households: Sequence[Household], assignment: Mapping[str, GroupLabel]
) -> list[GroupView]:
    """The four groups A-D of a full assignment that keeps households whole, in ward order."""
    by_group: dict[GroupLabel, list[Household]] = {label: [] for label in GROUP_LABELS}
    for household in households:
        by_group[assignment[household.members[0]]].append(household)
    total = sum(member_counts(households))
    return [_view(label, by_group[label], total) for label in GROUP_LABELS]


def _view(label: GroupLabel, households: Sequence[Household], total: int) -> GroupView:
    members = list(chain.from_iterable(household.members for household in households))
    return GroupView(
        label=label,
        household_keys=[household.key for household in households],
        members=members,
        member_count=len(members),
        share=len(members) / total if total else 0.0,
    )


def member_offsets(households: Sequence[Household], boundaries: Boundaries) -> tuple[int, int, int]:
    """How many members precede each boundary."""
    prefix = list(accumulate(member_counts(households), initial=0))
    return (prefix[boundaries[0]], prefix[boundaries[1]], prefix[boundaries[2]])


def split_household(
    households: Sequence[Household], assignment: Mapping[str, str]
) -> Household | None:
    """The first household (in ward order) a full assignment splits, or None.

    Raises UnknownMemberError, UnassignedMemberError or InvalidGroupError first, so that a
    None means the assignment is complete, on the roster, within A-D and keeps households whole.
    """
    roster = {user_hash for household in households for user_hash in household.members}
    for user_hash, group in assignment.items():
        if user_hash not in roster:
            raise UnknownMemberError(user_hash)
        if group not in GROUP_LABELS:
            raise InvalidGroupError(user_hash, group)
    for household in households:
        missing = next((h for h in household.members if h not in assignment), None)
        if missing is not None:
            raise UnassignedMemberError(missing)
        if len({assignment[user_hash] for user_hash in household.members}) > 1:
            return household
    return None


def effective_assignment(
    households: Sequence[Household], stored: Mapping[str, GroupLabel]
) -> dict[str, GroupLabel]:
    """Every roster member's group: stored, else their household's stored group, else default."""
    default = default_assignment(households)
    result: dict[str, GroupLabel] = {}
    for household in households:
        kept = next((stored[h] for h in household.members if h in stored), None)
        for user_hash in household.members:
            result[user_hash] = stored.get(user_hash, kept or default[user_hash])
    return result


def rejoined_groups(
    households: Sequence[Household], stored: Mapping[str, GroupLabel]
) -> dict[str, GroupLabel]:
    """The stored members to move so that each household's stored members share one group.

    A roster change can join members stored in different groups into one household; the
    household goes to the group most of its stored members are in (on a tie, the group of
    the first of them in household order). Members without a stored group follow their
    household anyway (see `effective_assignment`), so only stored members move. The database
    applies the same rule in a roster sync (private.ward_rejoin_households, sql/migrations/0017).
    """
    moves: dict[str, GroupLabel] = {}
    for household in households:
        groups = [stored[h] for h in household.members if h in stored]
        counts = Counter(groups)
        if len(counts) <= 1:
            continue
        most = max(counts.values())
        target = next(group for group in groups if counts[group] == most)
        moves |= {h: target for h in household.members if stored.get(h, target) != target}
    return moves


def contiguous_boundaries(
    households: Sequence[Household], assignment: Mapping[str, GroupLabel]
) -> Boundaries | None:
    """The boundaries that give `assignment`, if it is a contiguous cut in A-D order, else None."""
    labels = [assignment[household.members[0]] for household in households]
    ranks = [GROUP_LABELS.index(label) for label in labels]
    if any(later < earlier for earlier, later in pairwise(ranks)):
        return None
    first_after = [sum(1 for rank in ranks if rank <= group) for group in range(3)]
    return (first_after[0], first_after[1], first_after[2])
