"""Benchmark manual edits of a run: PATCH /runs/{id}/groups and POST .../undo end to end.

    python -m infra.bench.run_edits [--participants 300] [--edits 100] [--database-url URL]

A run of realistic participants is built over HTTP (the local server, every function
mounted, on a migrated database); then `--edits` random moves and swaps are sent
(seeded), each checked by the engine and, when accepted, written by the RPC; then every
accepted edit is undone. Prints the median and the slowest of each kind of answer. Bar:
an edit or an undo <= 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

import httpx

from infra.bench.functions import seeded_api
from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

BAR_S = 1.0
POLICY = {"kosher_only": True, "max_allergy_count": 3}


def _timed(client: httpx.Client, method: str, path: str, body: Any) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = client.request(method, path, json=body)
    return time.perf_counter() - started, answer


def edit_seconds(database_url: str, participants: int, edits: int) -> dict[str, list[float]]:
    from infra.local.runtime import serving

    app, token = seeded_api(database_url, participants, POLICY)
    times: dict[str, list[float]] = {"accepted": [], "refused": [], "undo": []}
    rng = random.Random(0)
    with (
        serving(app) as base_url,
        httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client,
    ):
        run_id = client.post("/build-groups", json={}).json()["run_id"]
        groups = {
            g["group_number"]: g["member_ids"]
            for g in client.get(f"/runs/{run_id}").json()["groups"]
        }
        people = sorted(p for members in groups.values() for p in members)
        seq = 0
        for _ in range(edits):
            if rng.random() < 0.5:
                body: dict[str, Any] = {"op": "swap", "participant_ids": rng.sample(people, 2)}
            else:
                body = {
                    "op": "move",
                    "participant_id": rng.choice(people),
                    "to_group": rng.choice(sorted(groups)),
                }
            seconds, answer = _timed(
                client, "PATCH", f"/runs/{run_id}/groups", {**body, "expected_edit_seq": seq}
            )
            if answer.status_code == 200:
                seq = answer.json()["edit_seq"]
                times["accepted"].append(seconds)
            else:
                assert answer.status_code == 409, answer.text
                times["refused"].append(seconds)
        for _ in times["accepted"]:
            seconds, answer = _timed(
                client, "POST", f"/runs/{run_id}/groups/undo", {"expected_edit_seq": seq}
            )
            assert answer.status_code == 200, answer.text
            seq = answer.json()["edit_seq"]
            times["undo"].append(seconds)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--database-url", help="server URL (default: DATABASE_URL, else embedded)")
    args = parser.parse_args(argv)
    with (
        postgres_server(args.database_url or configured_database_url()) as server_url,
        temporary_database(server_url, prefix="grouping_bench") as url,
    ):
        migrate(url, with_local_shim=True)
        times = edit_seconds(url, args.participants, args.edits)
    ok = True
    for kind, seconds in times.items():
        if not seconds:
            print(f"{kind}: none")
            continue
        ok &= max(seconds) <= BAR_S
        print(
            f"{kind} ({len(seconds)}), {args.participants} participants: median"
            f" {statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"
            f" (bar {BAR_S * 1000:.0f} ms)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
