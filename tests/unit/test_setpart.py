"""Set partitioning by HiGHS: never worse than its start, always valid, exact when asked."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.search.anneal import anneal
from engine.grouping.search.limits import SearchLimits, never_stop
from engine.grouping.search.merge import ColumnPool
from engine.grouping.search.scoring import MemberFacts
from engine.grouping.search.setpart import neighbours, partition
from tests.unit.test_merge import best_partition, chunked, every_valid_group
from tests.unit.test_regroup import RULES, no_worse, pool, total, valid

ROOT = Path(__file__).resolve().parents[2]


def accounted(groups: list[list[MemberFacts]], left_out: list[MemberFacts], count: int) -> bool:
    """Every member once: in one group or left out."""
    seen = sorted([m.index for g in groups for m in g] + [m.index for m in left_out])
    return seen == list(range(count))


def test_with_every_valid_group_it_is_the_brute_force_optimum() -> None:
    for seed in range(8):
        count = 8 + seed % 3
        members = pool(seed, count)
        groups, left_out = chunked(members, 5)
        columns = ColumnPool(RULES)
        columns.add(every_valid_group(members))
        found, rest = partition(
            groups, left_out, columns, reduced_limit=float("inf"), later_limit=float("inf")
        )
        assert valid(found) and accounted(found, rest, count)
        placed, value = total(found)
        best = best_partition(members)
        assert placed == best[0] and abs(value - best[1]) < 1e-9


def test_a_start_the_columns_cannot_beat_is_kept_as_it_is() -> None:
    members = pool(5, 10)
    groups, left_out = chunked(members, 5)
    columns = ColumnPool(RULES)  # only the start's groups and their neighbours
    found, rest = partition(groups, left_out, columns)
    assert valid(found) and accounted(found, rest, 10)
    assert no_worse(total(found), total(groups))


def test_neighbours_are_valid_and_one_change_away() -> None:
    members = pool(2, 20)
    groups, left_out = chunked(members, 5)
    for group in neighbours(groups, left_out, RULES):
        assert valid([group])
        assert any(len({m.index for m in group} ^ {m.index for m in g}) in (1, 2) for g in groups)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(14, 40))
def test_partitioning_the_walks_groups_never_loses(seed: int, count: int) -> None:
    members = pool(seed, count)
    groups, left_out = chunked(members, 5)
    walked = anneal(groups, left_out, RULES, steps=800, rng=random.Random(seed), stop=never_stop)
    start = [list(g) for g in walked.groups], list(walked.left_out)
    found, rest = partition(*start, ColumnPool(RULES, walked.seen))
    assert valid(found) and accounted(found, rest, count)
    assert no_worse(total(found), total(start[0]))
    again = partition(*start, ColumnPool(RULES, walked.seen))
    assert again == (found, rest)  # one result for one input


def test_only_runs_of_mid_size_are_partitioned() -> None:
    assert not SearchLimits.for_effort(3, members=20).partition
    assert SearchLimits.for_effort(3, members=36).partition
    assert SearchLimits.for_effort(3, members=200).partition
    assert not SearchLimits.for_effort(3, members=201).partition


def test_highs_prints_nothing_in_a_fresh_process() -> None:
    # HiGHS prints its banner once a process, so only a fresh one shows it (the CLI's
    # --json output would be spoilt).
    script = "from tests.unit.test_setpart import partition_once; partition_once()"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout == "" and done.stderr == ""


def partition_once() -> None:
    members = pool(1, 10)
    groups, left_out = chunked(members, 5)
    columns = ColumnPool(RULES)
    columns.add(every_valid_group(members))
    found, _ = partition(groups, left_out, columns)
    assert total(found) > total(groups)  # the MIP ran and improved
