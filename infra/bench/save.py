"""Benchmark: save a run of 10,000 participants (~1,700 groups) through save_grouping_run.

Run `python -m infra.bench.save [--database-url URL]`: it creates a scratch
database on that server (default: DATABASE_URL, else a throwaway embedded
PostgreSQL), migrates it, saves several runs as the service role would and
prints the timings, then drops the database. The bar is 1 second per save.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

PARTICIPANTS = 10_000
GROUPS_OF_SIX = 1_400
GROUPS_OF_FIVE = 300
BAR_SECONDS = 1.0
_REASONS = ("missing-age", "age-out-of-range", "insufficient-compatible-participants")


def _result_payload(participant_ids: list[str], rng: random.Random) -> dict[str, Any]:
    """A GroupingResult-shaped payload: 1,700 groups and the rest unassigned."""
    sizes = [6] * GROUPS_OF_SIX + [5] * GROUPS_OF_FIVE
    groups: list[dict[str, Any]] = []
    position = 0
    for number, size in enumerate(sizes, start=1):
        members = participant_ids[position : position + size]
        position += size
        groups.append(
            {
                "number": number,
                "members": members,
                "size": size,
                "score": round(rng.uniform(0.6, 1.0), 4),
                "kosher": rng.random() < 0.3,
                "age_band": "25-29",
                "age_range": {"min": 25, "max": 29},
                "diets": {"omnivore": size - 1, "vegetarian": 1},
                "allergy_summary": {
                    "allergens": {"peanut": "severe"},
                    "severe": ["peanut"],
                    "members_with_allergies": 1,
                },
            }
        )
    unassigned = [
        {"participant_id": pid, "reason": rng.choice(_REASONS), "details": {"pool": 3}}
        for pid in participant_ids[position:]
    ]
    diagnostics = {
        "counts": {"participants": len(participant_ids), "assigned": position},
        "scores": {"mean": 0.8, "min": 0.6, "max": 1.0, "histogram": []},
    }
    return {"groups": groups, "unassigned": unassigned, "diagnostics": diagnostics}


def _seed(conn: psycopg.Connection[TupleRow]) -> tuple[str, list[str]]:
    row = conn.execute(
        "insert into public.grouping_policies (name) values ('benchmark') returning id"
    ).fetchone()
    assert row is not None
    ids = [str(uuid.uuid4()) for _ in range(PARTICIPANTS)]
    with conn.cursor().copy("copy public.participants (id, full_name, age) from stdin") as copy:
        for index, participant_id in enumerate(ids):
            copy.write_row((participant_id, f"Participant {index}", 20 + index % 40))
    return str(row[0]), ids


def _timed_save(
    conn: psycopg.Connection[TupleRow], policy_id: str, result: dict[str, Any]
) -> float:
    run = {"trigger_source": "cli", "engine_version": "bench", "options": {}}
    started = time.perf_counter()
    with conn.transaction():
        conn.execute("set local role service_role")
        conn.execute(
            "select set_config('request.jwt.claims', %s, true)",
            [json.dumps({"role": "service_role"})],
        )
        conn.execute(
            "select public.save_grouping_run(%s, %s, %s::jsonb, %s::jsonb)",
            [str(uuid.uuid4()), policy_id, json.dumps(run), json.dumps(result)],
        )
    return time.perf_counter() - started


def run_benchmark(server_url: str, *, repeats: int) -> list[float]:
    """Seconds per save, one per repeat, each a fresh run with its own key."""
    rng = random.Random(20240601)
    with temporary_database(server_url, prefix="grouping_bench") as url:
        migrate(url, with_local_shim=True)
        with psycopg.connect(url, autocommit=True) as conn:
            policy_id, ids = _seed(conn)
            conn.execute("analyze")
            result = _result_payload(ids, rng)
            return [_timed_save(conn, policy_id, result) for _ in range(repeats)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", help="server to use (default: $DATABASE_URL)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with postgres_server(args.database_url or configured_database_url()) as server_url:
        timings = run_benchmark(server_url, repeats=args.repeats)
    median = statistics.median(timings)
    print(
        f"save_grouping_run, {PARTICIPANTS} participants, {GROUPS_OF_SIX + GROUPS_OF_FIVE} groups:"
        f" median {median * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
        f" over {len(timings)} saves (bar {BAR_SECONDS * 1000:.0f} ms)"
    )
    return 0 if median <= BAR_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
