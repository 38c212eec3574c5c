"""The optimal contiguous cut of a weighted sequence into four groups.

Feasible cuts: when there are at least four items every group is non-empty; with fewer, item k
is alone in group k and the last groups are empty. Among feasible cuts the largest group weight
is minimised; ties go to the lexicographically largest boundaries (b0, b1, b2), i.e. the earlier
groups take as much as they can. With positive weights (member counts) that is exactly the
lexicographically largest vector of group weights (A, B, C, D).

Requiring non-empty groups never raises the optimum: splitting a group cannot enlarge the largest.
Method: binary search on the largest weight M with a greedy feasibility test (bisect on prefix
sums), then for each boundary in turn the furthest edge that keeps the group within M and leaves
one item for each later group; any optimal completion from an earlier edge also completes from it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, pairwise

from engine.wards.models import Boundaries

GROUP_COUNT = 4


def optimal_cut(weights: Sequence[int]) -> Boundaries:
    """Boundaries of the optimal feasible cut of `weights` (non-negative integers)."""
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must be non-negative")
    count = len(weights)
    if count < GROUP_COUNT:
        return (min(1, count), min(2, count), min(3, count))
    prefix = list(accumulate(weights, initial=0))
    limit = _smallest_largest_group(prefix, max(weights))
    cuts: list[int] = []
    start = 0
    for groups_after in (3, 2, 1):
        furthest = bisect_right(prefix, prefix[start] + limit) - 1
        start = min(count - groups_after, furthest)
        cuts.append(start)
    return (cuts[0], cuts[1], cuts[2])


def _smallest_largest_group(prefix: Sequence[int], heaviest: int) -> int:
    low, high = heaviest, prefix[-1]
    while low < high:
        middle = (low + high) // 2
        if _groups_needed(prefix, middle) <= GROUP_COUNT:
            high = middle
        else:
            low = middle + 1
    return low


def _groups_needed(prefix: Sequence[int], limit: int) -> int:
    """Greedy count of groups of weight <= limit covering everything (limit >= heaviest item)."""
    last = len(prefix) - 1
    start, groups = 0, 0
    while start < last and groups <= GROUP_COUNT:
        start = bisect_right(prefix, prefix[start] + limit) - 1
        groups += 1
    return groups


def group_weights(weights: Sequence[int], boundaries: Boundaries) -> list[int]:
    """The total weight of each group A-D under `boundaries`."""
    prefix = list(accumulate(weights, initial=0))
    edges = (0, *boundaries, len(weights))
    return [prefix[end] - prefix[start] for start, end in pairwise(edges)]
