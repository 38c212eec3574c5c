"""Benchmark: how many groups one sign-up or one withdrawal touches in a stable regroup.

    python -m infra.bench.stability [--size 300] [--trials 50] [--seed N] [--json]

A `--size`-person event (infra.sample_data, seeded, ordinary allergy mix) is grouped
fresh with the default options; that grouping is the starting point. Then, `--trials`
times each, one new participant (a generated person of their own) is added, or one
random participant is removed, and the event is regrouped from the starting grouping
with the default `stability_weight` (engine.grouping.continuity.run_stable). For each
kind of change the benchmark prints the distribution of groups touched (earlier groups
whose members changed), people moved, the most of each and the run time. The bar
(issue 15): at most 2 groups touched by any single addition or removal.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine.grouping.continuity.requests import StartingGrouping
from engine.grouping.continuity.stable import run_stable
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from infra.sample_data import REFERENCE_DATE, generate_participants

BAR_GROUPS = 2


@dataclass(frozen=True, slots=True)
class ChangeFigures:
    change: str
    trials: int
    groups_touched: dict[int, int]
    people_moved: dict[int, int]
    most_groups_touched: int
    most_moved: int
    mean_ms: float
    within_bar: bool


def measure(
    change: str, events: list[list[dict[str, Any]]], start: StartingGrouping
) -> ChangeFigures:
    options = GroupingOptions(as_of=REFERENCE_DATE)
    touched: Counter[int] = Counter()
    moved: Counter[int] = Counter()
    elapsed = 0.0
    for participants in events:
        began = time.perf_counter()
        result = run_stable(participants, options, start=start)
        elapsed += time.perf_counter() - began
        continuity = result.diagnostics.continuity
        assert continuity is not None
        touched[continuity.groups_touched] += 1
        moved[continuity.moved] += 1
    return ChangeFigures(
        change=change,
        trials=len(events),
        groups_touched=dict(sorted(touched.items())),
        people_moved=dict(sorted(moved.items())),
        most_groups_touched=max(touched),
        most_moved=max(moved),
        mean_ms=round(elapsed * 1000 / len(events), 1),
        within_bar=max(touched) <= BAR_GROUPS,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.stability")
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    people = [dict(p) for p in generate_participants(args.size, rng=rng)]
    newcomers = [dict(p) for p in generate_participants(args.trials, rng=rng)]
    for number, person in enumerate(newcomers, start=1):
        person["id"] = f"new{number:04d}"
    fresh = run_grouping(people, GroupingOptions(as_of=REFERENCE_DATE))
    start = StartingGrouping.from_result([g.model_dump() for g in fresh.groups])
    additions = [[*people, newcomer] for newcomer in newcomers]
    gone = [rng.randrange(len(people)) for _ in range(args.trials)]
    removals = [people[:index] + people[index + 1 :] for index in gone]
    figures = [measure("add one", additions, start), measure("remove one", removals, start)]
    if args.json:
        print(json.dumps([asdict(f) for f in figures], indent=2))
    else:
        print(f"{args.size} participants, {len(fresh.groups)} groups; {args.trials} trials each")
        for f in figures:
            print(
                f"{f.change}: groups touched {f.groups_touched} (most {f.most_groups_touched},"
                f" bar {BAR_GROUPS}: {'met' if f.within_bar else 'NOT met'}); people moved"
                f" {f.people_moved} (most {f.most_moved}); {f.mean_ms} ms a regroup"
            )
    return 0 if all(f.within_bar for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
