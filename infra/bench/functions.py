"""Benchmark the functions: cold import of each handler, and POST /build-groups end to end.

    python -m infra.bench.functions [--participants 10000] [--database-url URL]

Each handler module is imported in fresh interpreters (a Lambda cold start, less the
runtime's own start-up), with its bytecode compiled beforehand. The request goes over
HTTP to the local server (uvicorn in a thread, every function mounted) on a migrated
database seeded with realistic participants (their health answers sealed, as an import
stores them): engine, decryption and save included. Bars: import
<= 1 s, request <= 5 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate
from infra.sample_data import generate_participants

if TYPE_CHECKING:
    from infra.local.runtime import FunctionDispatcher

IMPORT_BAR_S = 1.0
REQUEST_BAR_S = 5.0
FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
DEMO_POLICY = {"kosher_only": True, "max_allergy_count": 3}


def handler_import_seconds(repeats: int = 3) -> dict[str, tuple[float, float]]:
    """Median cold import of every function's handler, each in a new interpreter: (wall,
    CPU) seconds. CPU time is the figure that holds on a shared machine, where wall time
    also counts the waits for a core.

    One import first compiles the bytecode, as a deployed package should ship it; then
    `repeats` fresh interpreters each time the import alone.
    """
    timings = {}
    for handler in sorted(FUNCTIONS_DIR.glob("*/handler.py")):
        module = f"functions.{handler.parent.name}.handler"
        runs = [_import_once(module) for _ in range(repeats + 1)][1:]
        timings[handler.parent.name] = (
            statistics.median(wall for wall, _ in runs),
            statistics.median(cpu for _, cpu in runs),
        )
    return timings


def _import_once(module: str) -> tuple[float, float]:
    code = (
        "import time; t, c = time.perf_counter(), time.process_time()\n"
        f"import {module}\n"
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    wall, cpu = output.split()
    return float(wall), float(cpu)


def seeded_api(
    database_url: str, participants: int, policy: dict[str, Any] | None = None
) -> tuple[FunctionDispatcher, str]:
    """Every function on one app over `database_url`, seeded with `participants` realistic
    people and an active policy; the app and a local admin's token."""
    from infra.cli.demo import create_active_policy, seed_participants
    from infra.local.runtime import (
        FunctionDispatcher,
        ensure_local_admin,
        function_apps,
        local_admin_token,
        use_local_settings,
    )

    seed_participants(database_url, generate_participants(participants, rng=random.Random(1)))
    use_local_settings(database_url)
    token = local_admin_token(user_id=ensure_local_admin(database_url))
    app = FunctionDispatcher(function_apps().values())
    create_active_policy(app, token, policy or DEMO_POLICY)
    return app, token


def build_groups_seconds(database_url: str, participants: int) -> tuple[float, int]:
    """Wall time of POST /build-groups over HTTP, and the answer's status."""
    from infra.local.runtime import serving

    app, token = seeded_api(database_url, participants)
    with serving(app) as base_url:
        started = time.perf_counter()
        response = httpx.post(
            f"{base_url}/build-groups",
            json={},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return time.perf_counter() - started, response.status_code


def open_health_seconds(database_url: str) -> tuple[float, int]:
    """Wall time of what a run adds for health data: the audited read of every sealed row
    (one RPC), one unwrap per data key and an AES-GCM open per row; and the rows opened."""
    from functions.database.deps import service_role_transport
    from functions.health.deps import key_service_for
    from functions.health.service import RunAnswers
    from functions.health.store import HealthStore
    from functions.web.settings import load_settings

    settings = load_settings(app_env="local", database_url=database_url)
    answers = RunAnswers(
        HealthStore(service_role_transport(settings)), key_service_for(settings), "bench"
    )
    started = time.perf_counter()
    opened = answers.for_run(event_id=None)
    return time.perf_counter() - started, sum(1 for value in opened.values() if value is not None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--database-url", help="server URL (default: DATABASE_URL, else embedded)")
    args = parser.parse_args(argv)
    ok = True
    for name, (seconds, cpu) in handler_import_seconds().items():
        ok &= seconds <= IMPORT_BAR_S
        print(
            f"import functions.{name}.handler: {seconds:.3f} s, CPU {cpu:.3f} s"
            f" (bar {IMPORT_BAR_S:.0f} s)"
        )
    with (
        postgres_server(args.database_url or configured_database_url()) as server_url,
        temporary_database(server_url, prefix="grouping_bench") as url,
    ):
        migrate(url, with_local_shim=True)
        seconds, status = build_groups_seconds(url, args.participants)
        opening, opened = open_health_seconds(url)
    ok &= status == 201 and seconds <= REQUEST_BAR_S
    print(
        f"POST /build-groups, {args.participants} participants: {seconds:.2f} s, "
        f"HTTP {status} (bar {REQUEST_BAR_S:.0f} s)"
    )
    print(f"  of which opening the sealed answers ({opened} rows): {opening:.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
