"""The README's walkthrough runs in order, exactly as written, after `grouping serve --demo`.

The shell blocks whose first line is `# walkthrough` are run by bash (`set -euo pipefail`,
curl with `--fail-with-body`) against a `serve --demo` of their own, on a free port and a
database of their own; a second start finds the examples and adds none.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infra.cli.main import main
from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]
GROUPING = Path(sys.executable).parent / "grouping"
START_TIMEOUT_S = 60
PRELUDE = """set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; }
"""

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("jq") is None,
    reason="the walkthrough needs curl and jq",
)


def walkthrough_blocks(readme: str) -> list[str]:
    blocks = re.findall(r"^```sh\n(.*?)^```$", readme, flags=re.DOTALL | re.MULTILINE)
    return [block for block in blocks if block.startswith("# walkthrough")]


@pytest.fixture
def database_url() -> Iterator[str]:
    with (
        postgres_server(configured_database_url()) as server,
        temporary_database(server, prefix="grouping_walkthrough") as url,
    ):
        migrate(url, with_local_shim=True)
        yield url


def serve_demo(database_url: str, out: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """`grouping serve --demo` on a free port, and the variables its export lines set."""
    with out.open("wb") as stdout:
        server = subprocess.Popen(
            [str(GROUPING), "serve", "--demo", "--port", "0", "--database-url", database_url],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while "export AUTH=" not in (text := out.read_text(encoding="utf-8")):
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            pytest.fail(f"serve --demo gave no export lines (exit {server.returncode}): {text}")
        time.sleep(0.1)
    lines = text[: text.index("export AUTH=")].splitlines()
    assert all(line.startswith(("#", "export ")) for line in lines), text  # eval-able
    exports = dict(
        pair.partition("=")[::2]
        for line in lines
        if line.startswith("export ")
        for pair in line.removeprefix("export ").split()
    )
    exports["AUTH"] = f"Authorization: Bearer {exports['TOKEN']}"
    return server, exports


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_the_readme_walkthrough_runs_in_order(database_url: str, tmp_path: Path) -> None:
    blocks = walkthrough_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [block.splitlines()[0] for block in blocks] == [
        "# walkthrough: the API",
        "# walkthrough: wards",
    ]
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the walkthrough reads them
    server, exports = serve_demo(database_url, tmp_path / "serve.out")
    try:
        assert set(exports) == {"API", "TOKEN", "EVENT", "POLICY", "WARD", "AUTH"}
        script = PRELUDE + "\n".join(blocks)
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env={**os.environ, **exports},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        stop(server)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert (tmp_path / "report.html").stat().st_size > 0
    assert (tmp_path / "run.csv").stat().st_size > 0

    # A second start finds the examples again, and adds none.
    server, again = serve_demo(database_url, tmp_path / "serve-again.out")
    stop(server)
    assert {k: again[k] for k in ("EVENT", "POLICY", "WARD")} == {
        k: exports[k] for k in ("EVENT", "POLICY", "WARD")
    }
    with psycopg.connect(database_url) as conn:
        counts = conn.execute(
            "select (select count(*) from public.events where name = 'Example dinner'),"
            " (select count(*) from public.grouping_policies where name = 'Example policy'),"
            " (select count(*) from public.ward_branches where name = 'Example ward'),"
            " (select count(*) from public.participants),"
            " (select count(*) from public.ward_members)"
        ).fetchone()
    # 300 example participants and the walkthrough's one; the example roster as it was.
    assert counts == (1, 1, 1, 301, 6)


def test_serve_demo_on_a_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--demo", "--port", str(port)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"grouping: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
