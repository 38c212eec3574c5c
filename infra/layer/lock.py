"""Writes the layer's lock file: every package the layer installs, pinned, with its hash.

    python -m infra.layer.lock [--output infra/layer/requirements.lock]

pip resolves the layer's requirements (`build.layer_requirements`: pyproject's own and the
`functions` extra, minus what Lambda provides) for the Lambda platform without installing
anything, and its report gives each chosen wheel's version and SHA-256. `build.py` installs
exactly these (`--no-deps --require-hashes`), so a layer never picks up whatever is newest.
Run it again after changing a requirement; a test checks the lock still covers pyproject.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.layer.build import LAMBDA_PLATFORM, LAMBDA_PYTHON, LOCK_FILE, layer_requirements

HEADER = (
    "# The Lambda layer's packages, pinned with their wheels' hashes for the Lambda platform.\n"
    "# Made by `python -m infra.layer.lock` from pyproject.toml; do not edit by hand.\n"
)


def resolve_for_lambda(requirements: Sequence[str]) -> list[dict[str, Any]]:
    """pip's installation report for `requirements` on Lambda: one entry per package."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
            "--report", str(report), "--target", str(Path(scratch) / "target"),
            "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON, "--only-binary=:all:", *requirements,
        ]  # fmt: skip
        subprocess.run(command, check=True)
        installs: list[dict[str, Any]] = json.loads(report.read_text())["install"]
        return installs


def lock_lines(installs: Sequence[dict[str, Any]]) -> list[str]:
    """`name==version --hash=sha256:...` for each package, sorted by name."""
    lines = []
    for install in installs:
        metadata = install["metadata"]
        digest = install["download_info"]["archive_info"]["hashes"]["sha256"]
        name = metadata["name"].lower().replace("_", "-")
        lines.append(f"{name}=={metadata['version']} --hash=sha256:{digest}")
    return sorted(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=LOCK_FILE)
    args = parser.parse_args(argv)
    lines = lock_lines(resolve_for_lambda(layer_requirements()))
    args.output.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(lines)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
