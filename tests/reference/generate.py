"""Reference groupings for the engine, made with OR-Tools CP-SAT (a test-only dependency).

    python -m tests.reference.generate small [--workers 1]
    python -m tests.reference.generate mid [--seconds 60] [--workers 1] [--only NAME]
    python -m tests.reference.generate mid --seed N --out PATH   (a fresh set of the same design)

`small` writes tests/reference/small.json: 48 instances of 8-30 people across every
option family (kosher_only on and off, banded and loose ages, sizes 3-5, 4-6 and
others, severe-allergen limits 0-3, ordinary and allergy-heavy surveys), each pool
solved exactly: a set-partitioning model over every valid group of the pool, whose
optimum CP-SAT proves (status OPTIMAL is required; anything else fails the run).

`mid` writes tests/reference/mid.json: 24 instances of 36-150 people, each given
`--seconds` (default 60) of CP-SAT search. One model over every candidate group is
too large for a loose pool of 36 (about 430,000 groups), so each pool is solved as
follows: a pool whose candidate groups are few enough is one exact model; any other
starts from a sorted grouping (the best contiguous cut of the pool sorted by age and
diet) and is improved by CP-SAT re-optimising neighbourhoods of 2-5 groups together
with the people left out, the number of groups free. The best found is recorded with
CP-SAT's statuses (OPTIMAL only when a whole pool was proven).

Everything is seeded, so the same command writes the same instances; the CP-SAT
results can differ a little with the machine's speed for `mid`. The score is the
spec's, computed by tests.unit.reference (written separately from the engine); the
objective is the spec's order: most people placed, then the highest total of
n*score(g). CP-SAT works on integers, so each group's n*score is scaled by 10^6 and
rounded; the totals written are recomputed exactly from the groups found.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.reference.neighbourhoods import improve_by_neighbourhoods
from tests.reference.partition import count_candidates, kinds_of, solve_partition
from tests.reference.population import Family, families, make_people, pools_of
from tests.unit.factories import Person
from tests.unit.reference import objective

HERE = Path(__file__).resolve().parent
# A pool whose candidate groups are at most this many is solved as one exact model.
WHOLE_POOL_CANDIDATES = 50_000


def build_instance(
    name: str,
    family: Family,
    people: list[Person],
    *,
    mode: str,
    seconds: float,
    workers: int,
    seed: int,
) -> dict[str, Any]:
    options = family.options()
    started = time.perf_counter()
    groups: list[list[Person]] = []
    statuses = []
    pools = pools_of(people, options)
    remaining_people = sum(len(p) for p in pools)
    rng = random.Random(seed)
    for pool in sorted(pools, key=len):
        size = count_candidates(kinds_of(pool), options)
        share = seconds * len(pool) / max(1, remaining_people)
        if mode == "small" or size <= WHOLE_POOL_CANDIDATES:
            budget = 600.0 if mode == "small" else max(1.0, share)
            solved = solve_partition(pool, options, seconds=budget, workers=workers)
            if mode == "small" and solved.status != "OPTIMAL":
                raise RuntimeError(f"{name}: CP-SAT did not prove the pool ({solved.status})")
        else:
            left = seconds - (time.perf_counter() - started)
            budget = max(1.0, left * len(pool) / max(1, remaining_people))
            solved = improve_by_neighbourhoods(
                pool, options, seconds=budget, workers=workers, rng=rng
            )
        remaining_people -= len(pool)
        groups += solved.groups
        statuses.append(
            {
                "pool_size": len(pool),
                "candidates": size,
                "status": solved.status,
                "seconds": round(solved.seconds, 2),
            }
        )
    placed, total = objective(groups, options)
    return {
        "name": name,
        "family": family.label(),
        "options": options.model_dump(mode="json", exclude={"seed", "as_of"}),
        "people": [asdict(p) for p in people],
        "reference": {
            "placed": placed,
            "total": total,
            "mean": total / placed if placed else 0.0,
            "groups": sorted(sorted(p.id for p in g) for g in groups),
            "pools": statuses,
            "seconds": round(time.perf_counter() - started, 2),
            "solver": f"OR-Tools CP-SAT {_ortools_version()}, {workers} workers",
        },
    }


def _ortools_version() -> str:
    from importlib.metadata import version

    return version("ortools")


SMALL_COUNT = 48
MID_COUNT = 24


def small_instances(workers: int) -> Iterator[dict[str, Any]]:
    sizes = [8 + (30 - 8) * i // (SMALL_COUNT - 1) for i in range(SMALL_COUNT)]
    for i, (family, count) in enumerate(zip(families(SMALL_COUNT, 1), sizes, strict=True)):
        rng = random.Random(1000 + i)
        if family.age_policy == "loose" and family.sizes[1] >= 6:
            count = min(count, 24)  # a loose pool of 30 in sizes 4-6 has 760,000 groups
        people = make_people(count, family, rng)
        yield build_instance(
            f"small-{i:02d}", family, people, mode="small", seconds=0, workers=workers, seed=i
        )


# The seed of the checked-in mid-size set; another seed makes a fresh set of the same design.
MID_SEED = 2


def mid_instances(
    workers: int, seconds: float, only: str | None, seed: int = MID_SEED
) -> Iterator[dict[str, Any]]:
    sizes = [36 + (150 - 36) * i // (MID_COUNT - 1) for i in range(MID_COUNT)]
    for i, (family, count) in enumerate(zip(families(MID_COUNT, seed), sizes, strict=True)):
        name = f"mid-{i:02d}"
        if only is not None and name != only:
            continue
        people = make_people(count, family, random.Random(1000 * seed + i))
        yield build_instance(
            name, family, people, mode="mid", seconds=seconds, workers=workers, seed=i
        )


def write(path: Path, instances: list[dict[str, Any]]) -> None:
    # One instance a line: the file diffs by instance.
    lines = ",\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in instances)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("set", choices=("small", "mid"))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60.0, help="per mid-size instance")
    parser.add_argument("--only", help="one mid-size instance, merged into the file")
    parser.add_argument("--out", type=Path, help="default: tests/reference/<set>.json")
    parser.add_argument(
        "--seed", type=int, default=MID_SEED, help="a fresh mid-size set (write it with --out)"
    )
    args = parser.parse_args(argv)
    out = args.out or HERE / f"{args.set}.json"
    done: list[dict[str, Any]] = []
    if args.only and out.exists():
        done = [item for item in json.loads(out.read_text()) if item["name"] != args.only]
    made = (
        small_instances(args.workers)
        if args.set == "small"
        else mid_instances(args.workers, args.seconds, args.only, args.seed)
    )
    for instance in made:
        done.append(instance)
        done.sort(key=lambda item: item["name"])
        write(out, done)  # after every instance: a long run keeps what it made
        ref = instance["reference"]
        print(
            f"{instance['name']} {instance['family']} n={len(instance['people'])} "
            f"placed={ref['placed']} mean={ref['mean']:.5f} {ref['seconds']}s "
            f"{[p['status'] for p in ref['pools']]}",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    main()
