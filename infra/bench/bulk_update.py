"""Benchmark: one ward bulk update of 500 members through `ward_bulk_update`.

    python -m infra.bench.bulk_update [--members 500] [--runs 20] [--database-url URL] [--json]

A throwaway database is created on the server (`--database-url`, else `DATABASE_URL`,
else an embedded PostgreSQL), migrated, and given one ward: `--members` roster entries
in households of two, all assigned, and a ward admin. Each run moves every member to
the next group (A->B->C->D->A), so every run writes and audits all members. A run is
timed as PostgREST would spend it: begin, `set local role authenticated`, the JWT
claims, the RPC, commit. Two warm-up runs are not counted. The bar is a median of at
most 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import psycopg
from psycopg.rows import TupleRow

from infra.bench.ward_rows import insert_managed_ward
from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

BAR_MS = 200.0
WARM_UP_RUNS = 2
GROUPS = "ABCD"

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True)
class BenchResult:
    members: int
    runs: int
    median_ms: float
    worst_ms: float
    best_ms: float
    bar_ms: float
    within_bar: bool


@dataclass(frozen=True)
class Ward:
    ward_id: uuid.UUID
    admin_id: uuid.UUID
    user_hashes: list[str]


def create_ward(conn: Conn, members: int) -> Ward:
    """One ward with `members` roster entries in households of two, all in group A..D."""
    admin_id = uuid.uuid4()
    hashes = [f"member-{index:05d}" for index in range(members)]
    with conn.transaction():
        conn.execute(
            "insert into auth.users (id, email) values (%s, 'bench@example.test')", [admin_id]
        )
        ward_id = insert_managed_ward(conn, "Bench ward", admin_id)
        conn.execute(
            "insert into public.ward_members"
            " (ward_branch_id, user_hash, first_name, last_name, household_id)"
            " select %s, h, 'First', 'Family', 'household-' || ((n - 1) / 2)"
            " from unnest(%s::text[]) with ordinality as m(h, n)",
            [ward_id, hashes],
        )
        conn.execute(
            "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
            " select %s, h, g from unnest(%s::text[], %s::text[]) as m(h, g)",
            [ward_id, hashes, [group_of(i, members, 0) for i in range(members)]],
        )
    return Ward(ward_id, admin_id, hashes)


def group_of(index: int, members: int, shift: int) -> str:
    """Contiguous quarters at household edges (even cuts), rotated by `shift`."""
    quarter = (index // 2 * 2) * len(GROUPS) // members
    return GROUPS[(quarter + shift) % len(GROUPS)]


def request_body(ward: Ward, shift: int) -> str:
    members = len(ward.user_hashes)
    return json.dumps(
        [
            {
                "userHash": user_hash,
                "newGroup": group_of(index, members, shift),
                "householdId": f"household-{index // 2}",
            }
            for index, user_hash in enumerate(ward.user_hashes)
        ]
    )


def timed_bulk_update(conn: Conn, ward: Ward, body: str, version: int) -> tuple[float, int]:
    """One API-like transaction; returns (milliseconds, the new version)."""
    claims = json.dumps({"sub": str(ward.admin_id), "role": "authenticated"})
    started = time.perf_counter()
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", [claims])
        row = conn.execute(
            "select public.ward_bulk_update(%s, %s::jsonb, %s)", [ward.ward_id, body, version]
        ).fetchone()
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert row is not None
    return elapsed_ms, int(row[0])


def measure(conn: Conn, ward: Ward, runs: int) -> list[float]:
    version = 1
    timings: list[float] = []
    for run in range(WARM_UP_RUNS + runs):
        body = request_body(ward, shift=run + 1)
        elapsed_ms, new_version = timed_bulk_update(conn, ward, body, version)
        # the insert-or-update is one statement: one version step per run
        if new_version != version + 1:
            raise RuntimeError(f"expected version {version + 1}, got {new_version}")
        version = new_version
        if run >= WARM_UP_RUNS:
            timings.append(elapsed_ms)
    audit = conn.execute(
        "select count(*) from public.audit_log where ward_branch_id = %s", [ward.ward_id]
    ).fetchone()
    expected_audit = len(ward.user_hashes) * (1 + WARM_UP_RUNS + runs)
    if audit is None or audit[0] != expected_audit:
        raise RuntimeError(f"expected {expected_audit} audit rows, found {audit}")
    return timings


@contextmanager
def benchmark_database(database_url: str | None) -> Iterator[str]:
    with (
        postgres_server(database_url or configured_database_url()) as server_url,
        temporary_database(server_url, prefix="grouping_bench") as url,
    ):
        migrate(url, with_local_shim=True)
        yield url


def run_benchmark(*, members: int, runs: int, database_url: str | None) -> BenchResult:
    with benchmark_database(database_url) as url, psycopg.connect(url, autocommit=True) as conn:
        timings = measure(conn, create_ward(conn, members), runs)
    median = statistics.median(timings)
    return BenchResult(
        members=members,
        runs=runs,
        median_ms=round(median, 1),
        worst_ms=round(max(timings), 1),
        best_ms=round(min(timings), 1),
        bar_ms=BAR_MS,
        within_bar=median <= BAR_MS,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: $DATABASE_URL)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run_benchmark(members=args.members, runs=args.runs, database_url=args.database_url)
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        verdict = "within" if result.within_bar else "OVER"
        print(
            f"ward bulk update of {result.members} members (all changed and audited):"
            f" median {result.median_ms} ms, best {result.best_ms} ms,"
            f" worst {result.worst_ms} ms over {result.runs} runs;"
            f" {verdict} the {result.bar_ms:.0f} ms bar"
        )
    return 0 if result.within_bar else 1


if __name__ == "__main__":
    sys.exit(main())
