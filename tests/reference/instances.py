"""The checked-in reference instances, and the engine measured against them.

    python -m tests.reference.instances [small|mid] [--verbose] [--seeds 0,1,2,3] [--file PATH]

prints, for each instance the engine misses (every instance with --verbose), its placed
count and total against the reference (CP-SAT's proven optimum for `small`, its best in
60 s for `mid`), the gap and the engine's time (wall and CPU: on a shared machine the
wall time also counts waits for a core), then the summary the bars are stated in. It
needs no OR-Tools.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from tests.unit.factories import Person
from tests.unit.reference import group_is_valid, objective

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    family: str
    options: GroupingOptions
    people: tuple[Person, ...]
    placed: int
    total: float
    groups: tuple[tuple[str, ...], ...]

    @property
    def mean(self) -> float:
        return self.total / self.placed if self.placed else 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    instance: Instance
    placed: int
    total: float
    seconds: float
    cpu_seconds: float

    @property
    def mean(self) -> float:
        return self.total / self.placed if self.placed else 0.0

    @property
    def gap(self) -> float:
        """How far the engine's total falls short of the reference's, as a fraction."""
        reference = self.instance.total
        return 0.0 if reference <= 0 else max(0.0, (reference - self.total) / reference)

    @property
    def reaches(self) -> bool:
        """Places as many and scores at least as much (to rounding)."""
        return self.placed >= self.instance.placed and self.total >= self.instance.total - 1e-9


@cache
def load(which: str, path: Path | None = None) -> tuple[Instance, ...]:
    """The set `which` checked in here, or the one at `path` when given."""
    source = path or HERE / f"{which}.json"
    items: list[dict[str, Any]] = json.loads(source.read_text("utf-8"))
    return tuple(_instance(item) for item in items)


def _instance(item: dict[str, Any]) -> Instance:
    reference = item["reference"]
    return Instance(
        name=item["name"],
        family=item["family"],
        options=GroupingOptions.model_validate(item["options"]),
        people=tuple(Person(**person) for person in item["people"]),
        placed=reference["placed"],
        total=reference["total"],
        groups=tuple(tuple(group) for group in reference["groups"]),
    )


def run_engine(instance: Instance, seed: int = 0) -> Outcome:
    """The engine on one instance (default effort, seed `seed`), judged by the reference scorer."""
    inputs = [person.as_input() for person in instance.people]
    options = instance.options.model_copy(update={"seed": seed})
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_grouping(inputs, options)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    by_id = {person.id: person for person in instance.people}
    groups = [[by_id[member] for member in group.members] for group in result.groups]
    assert all(group_is_valid(group, instance.options) for group in groups)
    placed, total = objective(groups, instance.options)
    return Outcome(instance, placed, total, seconds, cpu)


def reference_objective(instance: Instance) -> tuple[int, float]:
    """The reference grouping scored again: what the file says it is, and valid."""
    by_id = {person.id: person for person in instance.people}
    groups = [[by_id[member] for member in group] for group in instance.groups]
    assert all(group_is_valid(group, instance.options) for group in groups)
    return objective(groups, instance.options)


def summary(outcomes: Sequence[Outcome]) -> str:
    count = len(outcomes)
    reached = sum(o.reaches for o in outcomes)
    fewer = sum(o.placed < o.instance.placed for o in outcomes)
    gaps = [o.gap for o in outcomes]
    return (
        f"{count} instances: reference reached or beaten on {reached} ({reached / count:.0%}), "
        f"fewer placed on {fewer}, mean gap {sum(gaps) / count:.3%}, worst gap {max(gaps):.3%}, "
        f"max time {max(o.seconds for o in outcomes) * 1000:.0f} ms wall, "
        f"{max(o.cpu_seconds for o in outcomes) * 1000:.0f} ms CPU"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("which", nargs="?", choices=("small", "mid"), default="small")
    parser.add_argument("--verbose", action="store_true", help="every instance, not only misses")
    parser.add_argument("--seeds", default="0", help="comma-separated engine seeds (default 0)")
    parser.add_argument("--file", type=Path, help="another reference set (default: the checked-in)")
    args = parser.parse_args(argv)
    instances = load(args.which, args.file)
    run_engine(instances[0])  # imports and pydantic's set-up, not timed
    for seed in (int(text) for text in args.seeds.split(",")):
        outcomes = [run_engine(instance, seed) for instance in instances]
        for o in outcomes:
            if args.verbose or not o.reaches:
                i = o.instance
                print(
                    f"{i.name} {i.family} n={len(i.people)}: placed {o.placed}/{i.placed} "
                    f"total {o.total:.4f}/{i.total:.4f} gap {o.gap:.3%} "
                    f"{o.seconds * 1000:.0f} ms wall {o.cpu_seconds * 1000:.0f} ms CPU"
                )
        print(f"seed {seed}: {summary(outcomes)}", flush=True)


if __name__ == "__main__":
    main()
