"""Solution merging: a window's best cover by seen groups, never a loss, always valid."""

from __future__ import annotations

import random
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.search.anneal import anneal
from engine.grouping.search.limits import never_stop
from engine.grouping.search.merge import ColumnPool, merge_windows
from engine.grouping.search.scoring import MemberFacts, severe_ok
from tests.unit.test_regroup import RULES, chunks, no_worse, pool, total, valid


def every_valid_group(members: list[MemberFacts]) -> list[list[MemberFacts]]:
    return [
        list(group)
        for size in RULES.sizes
        for group in combinations(members, size)
        if severe_ok(group, RULES.severe_limit)
    ]


def best_partition(members: list[MemberFacts]) -> tuple[int, float]:
    """The best grouping of a few members by brute force over groups holding the first."""
    if not members:
        return (0, 0.0)
    first, rest = members[0], members[1:]
    best = best_partition(rest)  # the first left out
    for group in every_valid_group(members):
        if group[0] is not first:
            continue
        others = [m for m in rest if m not in group]
        placed, value = best_partition(others)
        found = (placed + len(group), value + RULES.scorer.value(group))
        if found[0] > best[0] or (found[0] == best[0] and found[1] > best[1]):
            best = found
    return best


def chunked(
    members: list[MemberFacts], size: int
) -> tuple[list[list[MemberFacts]], list[MemberFacts]]:
    """Valid chunks of `size` in order, and whom they leave out."""
    groups = chunks(members, size)
    placed = {m.index for g in groups for m in g}
    return groups, [m for m in members if m.index not in placed]


def test_a_window_reaches_the_best_cover_its_columns_allow() -> None:
    for seed in range(6):
        members = pool(seed, 10)
        groups, left_out = chunked(members, 5)
        columns = ColumnPool(RULES)
        columns.add(every_valid_group(members))
        before = total(groups)
        left_out, _ = merge_windows(groups, left_out, columns)
        assert valid(groups) and no_worse(total(groups), before)
        placed_now = sorted([m.index for g in groups for m in g] + [m.index for m in left_out])
        assert placed_now == list(range(10))
        best = best_partition(members)
        # Every left-out member is offered, every valid group is a column: the optimum.
        assert total(groups)[0] >= best[0] and total(groups)[1] >= best[1] - 1e-9


def test_a_column_places_a_left_out_member() -> None:
    members = pool(3, 9)
    left_out = [members[8]]
    groups = [members[0:4], members[4:8]]
    assert valid(groups)
    columns = ColumnPool(RULES)
    together = [members[4], members[5], members[6], members[7], members[8]]
    assert severe_ok(together, RULES.severe_limit)  # this pool's seed is chosen so
    columns.add([together])
    left_out, improved = merge_windows(groups, left_out, columns)
    assert improved and left_out == [] and total(groups)[0] == 9 and valid(groups)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(14, 40))
def test_merging_the_walks_groups_never_loses(seed: int, count: int) -> None:
    members = pool(seed, count)
    groups, left_out = chunked(members, 5)
    walked = anneal(groups, left_out, RULES, steps=1500, rng=random.Random(seed), stop=never_stop)
    columns = ColumnPool(RULES, walked.seen)
    groups, left_out = [list(g) for g in walked.groups], list(walked.left_out)
    before = total(groups)
    left_out, _ = merge_windows(groups, left_out, columns)
    assert valid(groups) and no_worse(total(groups), before)
    placed_now = sorted([m.index for g in groups for m in g] + [m.index for m in left_out])
    assert placed_now == list(range(count))
