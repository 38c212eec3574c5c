"""Benchmark the ward routes on the local server, over HTTP, on a migrated database.

    python -m infra.bench.ward_api [--members 10000] [--small 200] [--repeat 20]
    python -m infra.bench.ward_api --clients 32 [--connections pooled|per-request]

Seeds a large ward (boundary preview, bar 100 ms a request) and a small one (GET
groups, bar 100 ms), with households of 1-6 and Hebrew and Latin names, and a ward
admin; prints the median of `repeat` requests each, sent with one keep-alive client.

Each is measured twice: as a drag sends them (the ward unchanged between requests, so the
server's ward cache holds its households), and as the first request after a roster change
(one member renamed before each request, so the roster is read and households detected
again). The bars apply to the first; the second is printed for what it costs.

With `--clients N`, N clients send drag previews at once (`repeat` each) and the figures are
throughput and latency under that load; `--connections per-request` makes the functions
open a new PostgreSQL connection per store call, as they did before the pool, to compare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import psycopg

from infra.bench.ward_rows import insert_managed_ward
from infra.bench.wards import build_ward
from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

REQUEST_BAR_MS = 100.0


def seed_ward(database_url: str, *, members: int, admin_id: uuid.UUID, seed: int) -> uuid.UUID:
    """A ward with a roster of `members` and `admin_id` as its admin."""
    roster = build_ward(members, random.Random(seed))
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        ward_id = insert_managed_ward(conn, f"Ward {seed}", admin_id)
        cursor.executemany(
            "insert into public.ward_members (ward_branch_id, user_hash, first_name,"
            " last_name, address, phone, household_id) values (%s, %s, %s, %s, %s, %s, %s)",
            [
                (ward_id, m.user_hash, m.first_name, m.last_name, m.address, m.phone,
                 m.household_id)
                for m in roster
            ],
        )  # fmt: skip
    return ward_id


def median_ms(
    send: Callable[[], httpx.Response], repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, int]:
    """Median wall time of `send` in milliseconds, and its last status; `before` is untimed."""
    timings, status = [], 0
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        status = send().status_code
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", help="server URL (default: DATABASE_URL, else embedded)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients (previews)")
    parser.add_argument("--connections", choices=("pooled", "per-request"), default="pooled")
    args = parser.parse_args(argv)
    with (
        postgres_server(args.database_url or configured_database_url()) as server_url,
        temporary_database(server_url, prefix="grouping_bench") as url,
    ):
        migrate(url, with_local_shim=True)
        return _measure(url, args)


def _measure(url: str, args: argparse.Namespace) -> int:
    from infra.local import runtime

    runtime.use_local_settings(url)
    if args.connections == "per-request":
        use_a_connection_per_request()
    admin = runtime.ensure_local_admin(url)
    large = seed_ward(url, members=args.members, admin_id=admin, seed=1)
    small = seed_ward(url, members=args.small, admin_id=admin, seed=2)
    headers = {"Authorization": f"Bearer {runtime.local_admin_token(user_id=admin)}"}
    preview = {"wardBranchId": str(large), "boundaryIndex": 1, "fraction": 0.5}
    with (
        runtime.serving(runtime.FunctionDispatcher(runtime.function_apps().values())) as base,
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):

        def send_preview() -> httpx.Response:
            return client.post("/api/ward-members/groups/preview", json=preview)

        def get_small() -> httpx.Response:
            return client.get(f"/api/ward-members/groups/{small}")

        if args.clients > 1:
            send_preview()  # the ward cache warm, as during a drag
            return under_load(base, headers, preview, clients=args.clients, repeat=args.repeat)

        results = {
            f"POST preview, {args.members} members": (
                median_ms(send_preview, args.repeat),
                median_ms(send_preview, args.repeat, lambda: rename_a_member(url, large)),
            ),
            f"GET groups, {args.small} members": (
                median_ms(get_small, args.repeat),
                median_ms(get_small, args.repeat, lambda: rename_a_member(url, small)),
            ),
        }
    ok = True
    for name, ((ms, status), (changed_ms, changed_status)) in results.items():
        ok &= status == changed_status == 200 and ms <= REQUEST_BAR_MS
        print(
            f"{name}: median {ms:.1f} ms, HTTP {status} (bar {REQUEST_BAR_MS:.0f} ms);"
            f" first after a roster change {changed_ms:.1f} ms, HTTP {changed_status}"
        )
    return 0 if ok else 1


def under_load(
    base: str, headers: dict[str, str], preview: dict[str, object], *, clients: int, repeat: int
) -> int:
    """`clients` keep-alive clients sending `repeat` previews each, all at once."""

    def one_client(_: int) -> list[tuple[float, int]]:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            timed = []
            for _ in range(repeat):
                started = time.perf_counter()
                status = client.post("/api/ward-members/groups/preview", json=preview).status_code
                timed.append(((time.perf_counter() - started) * 1000, status))
            return timed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        timed = [t for client in pool.map(one_client, range(clients)) for t in client]
    elapsed = time.perf_counter() - started
    latencies = sorted(ms for ms, _ in timed)
    failures = sum(1 for _, status in timed if status != 200)
    print(
        f"POST preview, {clients} clients x {repeat}: {len(timed) / elapsed:.0f} requests/s,"
        f" median {statistics.median(latencies):.1f} ms,"
        f" p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms, {failures} not 200"
    )
    return 0 if failures == 0 else 1


def use_a_connection_per_request() -> None:
    """The functions open a new connection for every store call (no pool), for comparison."""
    from functions.database import deps

    def per_request(database_url: str) -> Callable[[], psycopg.Connection[Any]]:
        return lambda: psycopg.connect(database_url)

    deps.postgres_connections = per_request  # type: ignore[assignment]


def rename_a_member(database_url: str, ward_id: uuid.UUID) -> None:
    """A roster change, as a sync would make it: it moves the ward's roster version."""
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "update public.ward_members set first_name = first_name || 'x'"
            " where id = (select id from public.ward_members where ward_branch_id = %s"
            " order by random() limit 1)",
            [ward_id],
        )


if __name__ == "__main__":
    raise SystemExit(main())
