"""Benchmark: the engine against the naive baseline on realistic participants.

    python -m infra.bench.engine [--sizes 1000,10000,100000] [--allergies both]
                                 [--effort N] [--seed N] [--json]

For each allergy profile (`--allergies`: `ordinary`, about 20% allergic and 3% with a
severe allergy; `allergy-heavy`, about 35% and 15%; `both`, the default) and each size,
the benchmark process generates the participants (infra.sample_data, seeded), then
forks one child for the engine and one for the naive baseline, each pinned to one core
(os.sched_setaffinity(0, {core})) and each starting from the same data and the default
options. It reports wall time, CPU time (time.process_time: on a shared machine the
wall time also counts waits for the core, the CPU time does not), peak memory,
participants assigned against the upper bound (diagnostics.engine.upper_bound),
mean and worst group score, and the engine's mean-score margin over the baseline.

Peak memory is the growth of the child's resident set during its run: a sampler thread
reads /proc/self/statm every 5 ms and keeps the highest value; the figure is that peak
minus the resident size just before the run (after a garbage collection), so it is the
memory the run itself added, not the participants already loaded. A spike shorter than
the interval can be missed. ru_maxrss is not used: it is a high-water mark of the whole
process, which the participants already set. Each solver gets its own child because
memory one run frees stays with Python's allocator and would hide the next run's growth.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

from rich.console import Console
from rich.table import Table

from engine.grouping.baseline import naive_grouping
from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from engine.grouping.run import DEFAULT_EFFORT, run_grouping
from infra.sample_data import ALLERGY_MIXES, REFERENCE_DATE, generate_participants

DEFAULT_SIZES = (1_000, 10_000, 100_000)
SOLVERS = ("engine", "baseline")
SAMPLE_INTERVAL_S = 0.005
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    effort: int
    seed: int
    core: int


@dataclass(frozen=True, slots=True)
class Measurement:
    solver: str
    profile: str
    size: int
    wall_s: float
    cpu_s: float
    peak_mib: float
    assigned: int
    upper_bound: int
    mean_score: float
    worst_group_score: float


class PeakRss:
    """Highest resident set size seen while the block runs, sampled from /proc/self/statm."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self.start_bytes = self.peak_bytes = resident_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, resident_bytes())

    @property
    def growth_mib(self) -> float:
        return (self.peak_bytes - self.start_bytes) / MIB

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL_S):
            self.peak_bytes = max(self.peak_bytes, resident_bytes())


def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


def measure(
    solver: str, profile: str, people: list[dict[str, Any]], run: Callable[[], GroupingResult]
) -> Measurement:
    gc.collect()
    with PeakRss() as memory:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    diagnostics = result.diagnostics
    return Measurement(
        solver=solver,
        profile=profile,
        size=len(people),
        wall_s=wall,
        cpu_s=cpu,
        peak_mib=memory.growth_mib,
        assigned=diagnostics.counts.assigned,
        upper_bound=diagnostics.engine.upper_bound,
        mean_score=diagnostics.scores.mean,
        worst_group_score=diagnostics.scores.min,
    )


def run_solver(
    solver: str, profile: str, people: list[dict[str, Any]], *, effort: int, seed: int
) -> Measurement:
    """One measured run of `solver` ("engine" or "baseline") with the default options."""
    options = GroupingOptions(seed=seed)
    if solver == "engine":
        return measure(
            solver,
            profile,
            people,
            lambda: run_grouping(people, options, effort=effort, run_date=REFERENCE_DATE),
        )
    return measure(
        solver, profile, people, lambda: naive_grouping(people, options, run_date=REFERENCE_DATE)
    )


def _child(
    solver: str, profile: str, people: list[dict[str, Any]], settings: Settings, out: Connection
) -> None:
    os.sched_setaffinity(0, {settings.core})
    out.send(run_solver(solver, profile, people, effort=settings.effort, seed=settings.seed))
    out.close()


def _in_child(
    solver: str, profile: str, people: list[dict[str, Any]], settings: Settings
) -> Measurement:
    # fork: the child starts with the participants already in memory, nothing to pickle,
    # and each run starts from the same fresh state.
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(solver, profile, people, settings, send))
    child.start()
    send.close()
    try:
        measurement: Measurement = receive.recv()
    except EOFError:
        raise RuntimeError(f"the {solver} run died (exit code {child.exitcode})") from None
    finally:
        child.join()
    return measurement


def bench_size(size: int, profile: str, settings: Settings) -> list[Measurement]:
    """Generate `size` participants, then measure each solver on them in its own child."""
    mix = ALLERGY_MIXES[profile]
    people = generate_participants(size, rng=random.Random(settings.seed), allergies=mix)
    return [_in_child(solver, profile, people, settings) for solver in SOLVERS]


def margin(measurements: list[Measurement]) -> float:
    scores = {m.solver: m.mean_score for m in measurements}
    return scores["engine"] - scores["baseline"]


def results_table(runs: list[list[Measurement]], effort: int) -> Table:
    table = Table(title=f"Engine (effort {effort}) against the naive baseline, one core")
    headers = (
        "Allergies",
        "Size",
        "Solver",
        "Wall s",
        "CPU s",
        "Peak MiB",
        "Assigned / bound",
        "Mean",
        "Worst",
        "Margin",
    )
    for header in headers:
        table.add_column(header, justify="left" if header in {"Solver", "Allergies"} else "right")
    for measurements in runs:
        for m in measurements:
            shown_margin = f"{margin(measurements):+.4f}" if m.solver == "engine" else ""
            table.add_row(
                m.profile,
                f"{m.size:,}",
                m.solver,
                f"{m.wall_s:.2f}",
                f"{m.cpu_s:.2f}",
                f"{m.peak_mib:.1f}",
                f"{m.assigned:,} / {m.upper_bound:,}",
                f"{m.mean_score:.4f}",
                f"{m.worst_group_score:.4f}",
                shown_margin,
            )
    return table


def _json_run(measurements: list[Measurement]) -> dict[str, Any]:
    by_solver = {m.solver: asdict(m) for m in measurements}
    first = measurements[0]
    return {
        "profile": first.profile,
        "size": first.size,
        **by_solver,
        "margin": margin(measurements),
    }


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("expected sizes like 1000,10000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--allergies",
        choices=(*ALLERGY_MIXES, "both"),
        default="both",
        help="the allergy profile of the participants (default: both, one after the other)",
    )
    parser.add_argument("--effort", type=int, default=DEFAULT_EFFORT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--core", type=int, default=0, help="the CPU the child is pinned to")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    settings = Settings(effort=args.effort, seed=args.seed, core=args.core)
    profiles = list(ALLERGY_MIXES) if args.allergies == "both" else [args.allergies]
    runs = [bench_size(size, profile, settings) for profile in profiles for size in args.sizes]
    if args.json:
        report = {"effort": args.effort, "seed": args.seed, "runs": [_json_run(ms) for ms in runs]}
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        # Wide enough for a row of 100,000-participant figures even when piped.
        Console(width=max(Console().width, 120)).print(results_table(runs, args.effort))


if __name__ == "__main__":
    main()
