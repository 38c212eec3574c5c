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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from engine.grouping.options import AgePolicy, GroupingOptions
from tests.unit.factories import Person
from tests.unit.reference import band, group_is_valid, objective, reference_score

HERE = Path(__file__).resolve().parent
SCALE = 1_000_000
# A pool whose candidate groups are at most this many is solved as one exact model.
WHOLE_POOL_CANDIDATES = 50_000
# Neighbourhoods of the mid-size search stay below this many candidate groups.
NEIGHBOURHOOD_CANDIDATES = 60_000

ALLERGENS = ("peanut", "tree_nut", "sesame", "milk", "egg", "fish", "soy", "gluten")
ALLERGEN_WEIGHTS = (25, 14, 15, 10, 8, 5, 8, 4)
DIET_WEIGHTS = {"omnivore": 65, "vegetarian": 20, "vegan": 8, "pescatarian": 7}
# (size range as (min, target), share allergic, share severe among all)
SIZES = ((3, 5), (4, 6), (2, 4), (4, 5), (3, 6))
POLICIES: tuple[AgePolicy, AgePolicy] = ("banded", "loose")
PROFILES = {"ordinary": (0.20, 0.03), "allergy-heavy": (0.45, 0.20)}


@dataclass(frozen=True, slots=True)
class Family:
    """One option family: the options and the kind of survey the people come from."""

    kosher_only: bool
    age_policy: AgePolicy
    sizes: tuple[int, int]
    severe_limit: int
    profile: str

    def options(self) -> GroupingOptions:
        low, high = self.sizes
        return GroupingOptions(
            kosher_only=self.kosher_only,
            age_policy=self.age_policy,
            min_group_size=low,
            fallback_group_size=low,
            target_group_size=high,
            max_allergy_count=self.severe_limit,
        )

    def label(self) -> str:
        kosher = "kosher" if self.kosher_only else "mixed"
        low, high = self.sizes
        return f"{kosher}-{self.age_policy}-{low}to{high}-limit{self.severe_limit}-{self.profile}"


def families(count: int, seed: int) -> list[Family]:
    """`count` families that together cover every value of every option, evenly."""
    rng = random.Random(seed)
    chosen = []
    for i in range(count):
        chosen.append(
            Family(
                kosher_only=i % 2 == 1,
                age_policy=POLICIES[(i // 2) % 2],
                sizes=SIZES[i % len(SIZES)],
                severe_limit=rng.choice((0, 1, 2, 3)) if i >= 8 else i % 4,
                profile=("ordinary", "allergy-heavy")[(i // 4) % 2],
            )
        )
    return chosen


def make_people(count: int, family: Family, rng: random.Random) -> list[Person]:
    allergic_share, severe_share = PROFILES[family.profile]
    # Banded events here gather around two neighbouring bands, so pools are not tiny.
    centre = rng.choice((18, 25, 30, 35, 40))
    people = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.03:
            age: int | None = None
        elif family.age_policy == "loose":
            # Loose events mix ages widely, with a few outliers.
            age = rng.randint(60, 85) if roll < 0.12 else round(rng.triangular(18, 60, 28))
        elif roll < 0.85:
            age = rng.randint(centre, centre + 9)
        else:
            age = round(rng.triangular(18, 70, 30))
        allergies: dict[str, str] = {}
        if rng.random() < allergic_share:
            severe = rng.random() < severe_share / allergic_share
            for _ in range(1 if rng.random() < 0.8 else 2):
                allergen = rng.choices(ALLERGENS, weights=ALLERGEN_WEIGHTS)[0]
                severity = "severe" if severe else rng.choice(("mild", "moderate", "moderate"))
                allergies[allergen] = severity
        people.append(
            Person(
                id=f"p{index:03d}",
                age=age,
                kosher=rng.random() < 0.35,
                diet=rng.choices(list(DIET_WEIGHTS), weights=list(DIET_WEIGHTS.values()))[0],
                allergies=allergies,
            )
        )
    return people


def pools_of(people: Sequence[Person], options: GroupingOptions) -> list[list[Person]]:
    """The spec's compatible pools: kosher class and age band; early reasons removed."""
    pools: dict[tuple[object, object], list[Person]] = {}
    for person in people:
        if len(person.severe) > options.max_allergy_count:
            continue
        band_key: int | None = None
        if options.age_policy == "banded":
            if person.age is None or person.age < options.age_bands[0]:
                continue
            band_key = band(person.age, options)
        kosher = person.kosher if options.kosher_only else None
        pools.setdefault((kosher, band_key), []).append(person)
    return [pools[key] for key in sorted(pools, key=str)]


# --- candidate groups -------------------------------------------------------------------


def kinds_of(pool: Sequence[Person]) -> list[list[Person]]:
    """People the score and the rules cannot tell apart, together (in id order)."""
    by_kind: dict[tuple[object, ...], list[Person]] = {}
    for person in pool:
        key = (person.age, person.kosher, person.diet, tuple(sorted(person.allergies.items())))
        by_kind.setdefault(key, []).append(person)
    return [by_kind[key] for key in sorted(by_kind, key=str)]


def multisets(
    kinds: Sequence[Sequence[Person]], options: GroupingOptions
) -> Iterator[tuple[tuple[int, ...], list[Person]]]:
    """Every valid group up to exchanging alike people: (count of each kind, members)."""
    low, high = options.min_group_size, options.target_group_size
    limit = options.max_allergy_count
    counts = [0] * len(kinds)

    def walk(position: int, size: int, severe: frozenset[str]) -> Iterator[int]:
        if position == len(kinds):
            if size >= low:
                yield size
            return
        yield from walk(position + 1, size, severe)
        kind = kinds[position]
        held = severe | kind[0].severe
        if len(held) > limit:
            return
        for take in range(1, min(len(kind), high - size) + 1):
            counts[position] = take
            yield from walk(position + 1, size + take, held)
        counts[position] = 0

    for _ in walk(0, 0, frozenset()):
        members = [p for kind, c in zip(kinds, counts, strict=True) for p in kind[:c]]
        yield tuple(counts), members


def count_candidates(kinds: Sequence[Sequence[Person]], options: GroupingOptions) -> int:
    """How many multisets `multisets` would yield, ignoring the allergy rule (an upper bound)."""
    low, high = options.min_group_size, options.target_group_size
    ways = [1] + [0] * high
    for kind in kinds:
        new = ways[:]
        for size in range(high + 1):
            for take in range(1, len(kind) + 1):
                if size + take <= high:
                    new[size + take] += ways[size]
        ways = new
    return sum(ways[low:])


@dataclass(slots=True)
class Solved:
    groups: list[list[Person]]
    status: str
    seconds: float


def solve_partition(
    pool: Sequence[Person],
    options: GroupingOptions,
    *,
    seconds: float,
    workers: int,
    hint: Sequence[Sequence[Person]] = (),
) -> Solved:
    """The best grouping of `pool` by one set-partitioning model over its valid groups."""
    started = time.perf_counter()
    kinds = kinds_of(pool)
    model = cp_model.CpModel()
    chosen: list[tuple[cp_model.IntVar, tuple[int, ...]]] = []
    terms = []
    bonus = SCALE * (len(pool) + 1)  # one more placed beats any change of total
    uses: list[list[tuple[cp_model.IntVar, int]]] = [[] for _ in kinds]
    hint_counts = _hint_counts(hint, kinds)
    for counts, members in multisets(kinds, options):
        if not group_is_valid(members, options):
            continue
        copies = min(len(kinds[k]) // c for k, c in enumerate(counts) if c)
        var = model.new_int_var(0, copies, "")
        value = round(len(members) * reference_score(members, options) * SCALE)
        terms.append(var * (bonus * len(members) + value))
        chosen.append((var, counts))
        for k, c in enumerate(counts):
            if c:
                uses[k].append((var, c))
        model.add_hint(var, hint_counts.get(counts, 0))
    for k, kind in enumerate(kinds):
        if uses[k]:
            model.add(sum(c * var for var, c in uses[k]) <= len(kind))
    model.maximize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    # Measured on these models: presolve costs more than it saves (seconds on a pool of
    # 14 with 5,600 groups), and the full linear relaxation closes the bound fastest.
    solver.parameters.cp_model_presolve = False
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved([list(g) for g in hint], solver.status_name(status), 0.0)
    used = [(counts, solver.value(var)) for var, counts in chosen]
    groups = _groups_of(used, kinds)
    return Solved(groups, solver.status_name(status), time.perf_counter() - started)


def _groups_of(
    used: Sequence[tuple[tuple[int, ...], int]], kinds: Sequence[Sequence[Person]]
) -> list[list[Person]]:
    """The people of each group chosen: (count of each kind, copies), kinds handed out in turn."""
    groups = []
    taken = [0] * len(kinds)
    for counts, copies in used:
        for _ in range(copies):
            group: list[Person] = []
            for k, c in enumerate(counts):
                group += kinds[k][taken[k] : taken[k] + c]
                taken[k] += c
            groups.append(group)
    return groups


def _hint_counts(
    hint: Sequence[Sequence[Person]], kinds: Sequence[Sequence[Person]]
) -> dict[tuple[int, ...], int]:
    kind_of = {p.id: k for k, kind in enumerate(kinds) for p in kind}
    found: dict[tuple[int, ...], int] = {}
    for group in hint:
        counts = [0] * len(kinds)
        for person in group:
            counts[kind_of[person.id]] += 1
        found[tuple(counts)] = found.get(tuple(counts), 0) + 1
    return found


# --- the mid-size search ----------------------------------------------------------------


def sorted_grouping(pool: Sequence[Person], options: GroupingOptions) -> list[list[Person]]:
    """The best contiguous cut of the pool sorted by (age, diet): the search's start."""
    order = sorted(pool, key=lambda p: (p.age if p.age is not None else -1, p.diet, p.id))
    low, high = options.min_group_size, options.target_group_size
    best: list[tuple[int, float]] = [(0, 0.0)] * (len(order) + 1)
    cut = [0] * (len(order) + 1)
    for end in range(1, len(order) + 1):
        best[end], cut[end] = best[end - 1], 0
        for size in range(low, min(high, end) + 1):
            group = order[end - size : end]
            if not group_is_valid(group, options):
                continue
            placed, total = best[end - size]
            trial = (placed + size, total + size * reference_score(group, options))
            if trial > best[end]:
                best[end], cut[end] = trial, size
    groups = []
    end = len(order)
    while end > 0:
        if cut[end]:
            groups.append(order[end - cut[end] : end])
            end -= cut[end]
        else:
            end -= 1
    return groups


def improve_by_neighbourhoods(
    pool: Sequence[Person],
    options: GroupingOptions,
    *,
    seconds: float,
    workers: int,
    rng: random.Random,
) -> Solved:
    """CP-SAT re-optimising 2-5 groups and the left-out at a time, until the time is up."""
    started = time.perf_counter()
    deadline = started + seconds
    groups = sorted_grouping(pool, options)
    tries = improved = 0
    while time.perf_counter() < deadline - 0.05:
        tries += 1
        placed_ids = {p.id for g in groups for p in g}
        left_out = [p for p in pool if p.id not in placed_ids]
        chosen = _neighbourhood(groups, left_out, options, rng)
        members = [p for i in chosen for p in groups[i]]
        outsiders = rng.sample(left_out, min(len(left_out), 8))
        sub_pool = members + outsiders
        if count_candidates(kinds_of(sub_pool), options) > NEIGHBOURHOOD_CANDIDATES:
            continue
        current = [groups[i] for i in chosen]
        left = max(0.05, min(10.0, deadline - time.perf_counter()))
        solved = solve_partition(sub_pool, options, seconds=left, workers=workers, hint=current)
        if objective(solved.groups, options) > objective(current, options):
            improved += 1
            groups = [g for i, g in enumerate(groups) if i not in chosen] + solved.groups
        elif objective(solved.groups, options) == objective(current, options):
            # Equal value: take it anyway, so later neighbourhoods see new groups.
            groups = [g for i, g in enumerate(groups) if i not in chosen] + solved.groups
    status = f"FEASIBLE (neighbourhoods: {tries} tried, {improved} improved)"
    return Solved(groups, status, time.perf_counter() - started)


def _neighbourhood(
    groups: Sequence[Sequence[Person]],
    left_out: Sequence[Person],
    options: GroupingOptions,
    rng: random.Random,
) -> list[int]:
    """2-5 groups: a random one and those nearest to it in mean age (or random ones)."""
    if len(groups) <= 2:
        return list(range(len(groups)))
    want = min(len(groups), rng.choice((2, 2, 3, 3, 4, 5)))
    first = rng.randrange(len(groups))
    if rng.random() < 0.3:
        others = rng.sample([i for i in range(len(groups)) if i != first], want - 1)
        return [first, *others]

    def mean_age(group: Sequence[Person]) -> float:
        ages = [p.age for p in group if p.age is not None]
        return sum(ages) / len(ages) if ages else 0.0

    centre = mean_age(groups[first])
    nearest = sorted(range(len(groups)), key=lambda i: (abs(mean_age(groups[i]) - centre), i))
    return nearest[:want]


# --- instances ----------------------------------------------------------------------------


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
