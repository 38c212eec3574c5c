"""Benchmark: the ward engine on a realistic 10,000-member ward.

    python -m infra.bench.wards [--members 10000] [--repeat 200] [--seed N] [--json]

The ward (seeded) has households of 1-6 members, Hebrew and Latin names, addresses for most
households, phones for some, explicit household ids for a few, and spelling noise (case,
accents, spacing) that household detection must see through. Every figure is the median
wall time over `--repeat` runs (household detection over fewer, as it is slower): a boundary
preview (a random boundary dragged to a random fraction, from the default boundaries), the
default assignment, household detection (cold: name caches cleared before each run; warm:
as a reused Lambda would run it), and the balancing suggestion by attendance.
The bar: preview <= 10 ms (the exit status is 1 when it is missed).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from engine.wards import (
    WardMember,
    default_assignment,
    default_boundaries,
    detect_households,
    preview_boundary_move,
    suggest_boundaries,
)
from engine.wards import names as ward_names
from infra.sample_data import FIRST_NAMES, LAST_NAMES

PREVIEW_BAR_MS = 10.0
HOUSEHOLD_SIZE_WEIGHTS = {1: 22, 2: 28, 3: 15, 4: 15, 5: 12, 6: 8}
EXTRA_LAST_NAMES = {"en": ("Lévy", "Ben-David", "Müller", "Da Silva"), "he": ("בן־דוד", "כֹּהֵן")}
STREETS = {"en": ("Main St", "Oak Rd", "Hillel St"), "he": ("הרצל", "ז'בוטינסקי", "בן יהודה")}


def build_ward(member_count: int, rng: random.Random) -> list[WardMember]:
    """A seeded roster of exactly `member_count` members in households of 1-6."""
    roster: list[WardMember] = []
    sizes, weights = zip(*HOUSEHOLD_SIZE_WEIGHTS.items(), strict=True)
    while len(roster) < member_count:
        size = min(rng.choices(sizes, weights)[0], member_count - len(roster))
        roster.extend(_household(len(roster), size, rng))
    return roster


def _household(first_index: int, size: int, rng: random.Random) -> list[WardMember]:
    lang = rng.choice(("en", "he"))
    last = rng.choice((*LAST_NAMES[lang].split(), *EXTRA_LAST_NAMES[lang]))
    address = f"{rng.randint(1, 400)} {rng.choice(STREETS[lang])}" if rng.random() < 0.8 else None
    phone = f"05{rng.randint(0, 9)}-{rng.randint(1_000_000, 9_999_999)}"
    explicit = f"family-{first_index}" if rng.random() < 0.05 else None
    return [
        WardMember(
            user_hash=f"user-{first_index + offset:06d}",
            first_name=rng.choice(FIRST_NAMES[lang, rng.choice("mf")].split()),
            last_name=last.upper() if lang == "en" and rng.random() < 0.1 else last,
            address=address.replace(" ", "  ") if address and rng.random() < 0.1 else address,
            phone=phone if address is None else None,
            household_id=explicit,
        )
        for offset in range(size)
    ]


def median_ms(
    action: Callable[[], object], repeat: int, before: Callable[[], None] | None = None
) -> float:
    """Median wall time of `action` in milliseconds; `before` runs untimed before each call."""
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _clear_name_caches() -> None:
    ward_names.normalise_name.cache_clear()
    ward_names.normalise_address.cache_clear()
    ward_names.normalise_phone.cache_clear()
    ward_names.name_sort_key.cache_clear()


def run(member_count: int, repeat: int, seed: int) -> dict[str, Any]:
    """Build the ward and time each engine step; returns the figures."""
    rng = random.Random(seed)
    roster = build_ward(member_count, rng)
    households = detect_households(roster)
    boundaries = default_boundaries(households)
    rates = {m.user_hash: rng.random() for m in roster if rng.random() < 0.7}
    moves = iter([(rng.randrange(3), rng.random()) for _ in range(repeat)])

    def preview() -> object:
        boundary, fraction = next(moves)
        return preview_boundary_move(households, boundaries, boundary=boundary, fraction=fraction)

    return {
        "members": len(roster),
        "households": len(households),
        "preview_ms": median_ms(preview, repeat),
        "default_boundaries_ms": median_ms(lambda: default_boundaries(households), repeat),
        "default_assignment_ms": median_ms(lambda: default_assignment(households), repeat),
        "suggest_attendance_ms": median_ms(
            lambda: suggest_boundaries(households, by="attendance", participation_rates=rates),
            repeat,
        ),
        "detect_households_cold_ms": median_ms(
            lambda: detect_households(roster), max(3, repeat // 20), _clear_name_caches
        ),
        "detect_households_warm_ms": median_ms(
            lambda: detect_households(roster), max(3, repeat // 20)
        ),
        "preview_bar_ms": PREVIEW_BAR_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.members, args.repeat, args.seed)
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:28} {value:.3f}" if isinstance(value, float) else f"{name:28} {value}")
    return 0 if figures["preview_ms"] <= PREVIEW_BAR_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
