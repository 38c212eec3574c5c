"""Builds the two Lambda layer zips that serverless.yml deploys, and prints their sizes.

    python -m infra.layer.build [--directory .build]

`engine-layer.zip`, every function's, holds `python/engine/` and the runtime dependencies
(pyproject's own and the `functions` extra) but the solver; `solver-layer.zip` holds the
solver (highspy and its numpy, ~80 MB unpacked), which only the functions that run the
grouping search carry (serverless.yml), so the others' layer stays small (issue 16). Both
are installed by pip for the Lambda platform from wheels only, so they build on any
machine without Docker. boto3 is left out: the Lambda runtime ships it. The versions are
the one lock file's (`requirements.lock`, made by `python -m infra.layer.lock`), each
checked against its hash, nothing resolved at build time.

Bytecode is compiled into the zip when this Python is the Lambda's version: /opt is
read-only on Lambda, so without it every cold start would compile every module in
memory. The .pyc files are unchecked-hash ones, valid whatever timestamps the zip keeps.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / ".build"
DEFAULT_OUTPUT = BUILD_DIR / "engine-layer.zip"
LAMBDA_PLATFORM = "manylinux2014_x86_64"
LAMBDA_PYTHON = "3.11"
PROVIDED_BY_RUNTIME = ("boto3",)
# The solver layer's packages (numpy is highspy's own dependency), imported only by the
# module below, and only when it partitions a mid-size pool; the engine layer has none.
SOLVER_PACKAGES = ("highspy", "numpy")
SOLVER_MODULE = "engine.grouping.search.setpart"
LOCK_FILE = Path(__file__).resolve().parent / "requirements.lock"
# Installed by the lock but never imported by the functions, so left out of the zip
# (tests/functions/test_build_layer.py imports every handler and checks): Powertools'
# utilities besides logging and metrics, and HTTP/2, which the PostgREST client never
# speaks (its httpx client is made without http2).
UNUSED_PATHS = (
    *(
        f"aws_lambda_powertools/{part}"
        for part in (
            "event_handler", "utilities/auth_alpha", "utilities/batch",
            "utilities/circuit_breaker", "utilities/data_classes", "utilities/data_masking",
            "utilities/feature_flags", "utilities/idempotency", "utilities/kafka",
            "utilities/parameters", "utilities/parser", "utilities/streaming",
            "utilities/validation",
        )
    ),
    "h2", "hpack", "hyperframe",
)  # fmt: skip

# (target, the layer's requirements, whether it is the solver layer)
Installer = Callable[[Path, Sequence[str], bool], None]


def layer_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The engine's and the functions' runtime requirements, minus what Lambda provides."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["functions"]]
    return [spec for spec in wanted if not spec.startswith(PROVIDED_BY_RUNTIME)]


def is_solver(line: str) -> bool:
    """Whether a requirement or lock line names one of the solver layer's packages."""
    from packaging.requirements import Requirement

    return canonical_name(Requirement(line.split()[0]).name) in SOLVER_PACKAGES


def pip_install_for_lambda(target: Path, requirements: Sequence[str], solver: bool) -> None:
    """Installs the lock's packages of one layer into `target`, each checked by its hash;
    `requirements` are checked to be locked first."""
    missing = unlocked(requirements)
    if missing:
        raise SystemExit(f"not in {LOCK_FILE.name}: {missing}; run python -m infra.layer.lock")
    lines = LOCK_FILE.read_text(encoding="utf-8").splitlines()
    chosen = [line for line in lines if line.strip() and not line.startswith("#")]
    with tempfile.TemporaryDirectory() as scratch:
        subset = Path(scratch) / "requirements.lock"
        subset.write_text("\n".join(x for x in chosen if is_solver(x) == solver) + "\n")
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
            "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON, "--only-binary=:all:",
            "--no-deps", "--require-hashes", "-r", str(subset),
        ]  # fmt: skip
        subprocess.run(command, check=True)


def locked_versions(lock: Path = LOCK_FILE) -> dict[str, str]:
    """Package name (normalised) -> the version the lock pins."""
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.split()[0].partition("==")
            pins[canonical_name(name)] = version
    return pins


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def unlocked(requirements: Sequence[str], lock: Path = LOCK_FILE) -> list[str]:
    """The requirements the lock does not pin at a version they allow."""
    from packaging.requirements import Requirement

    pins = locked_versions(lock)
    missing = []
    for spec in requirements:
        requirement = Requirement(spec)
        pinned = pins.get(canonical_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            missing.append(spec)
    return missing


def build_layer(
    output: Path = DEFAULT_OUTPUT,
    install: Installer = pip_install_for_lambda,
    *,
    solver: bool = False,
) -> Path:
    """Writes the engine layer's zip (or, with `solver`, the solver's) to `output`."""
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "python"
        install(site, [spec for spec in layer_requirements() if is_solver(spec) == solver], solver)
        site.mkdir(parents=True, exist_ok=True)
        if not solver:
            for unused in UNUSED_PATHS:
                shutil.rmtree(site / unused, ignore_errors=True)
            shutil.copytree(
                ROOT / "engine", site / "engine", ignore=shutil.ignore_patterns("__pycache__")
            )
        compile_for_lambda(site)
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(scratch).rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(scratch).as_posix())
    return output


def compile_for_lambda(site: Path) -> bool:
    """Fresh unchecked-hash bytecode for everything under `site`, if the versions match."""
    for cache in [p for p in site.rglob("__pycache__") if p.is_dir()]:
        shutil.rmtree(cache)  # whatever pip left was compiled for checks Lambda can't pass
    if f"{sys.version_info.major}.{sys.version_info.minor}" != LAMBDA_PYTHON:
        return False
    return compileall.compile_dir(
        site, quiet=1, workers=0,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--directory", type=Path, default=BUILD_DIR)
    args = parser.parse_args(argv)
    for name, solver in (("engine", False), ("solver", True)):
        built = build_layer(args.directory / f"{name}-layer.zip", solver=solver)
        print(f"{built}: {unpacked_mb(built):.1f} MB unpacked, {zipped_mb(built):.1f} MB zipped")
    return 0


def unpacked_mb(layer: Path) -> float:
    """What the layer takes in /opt (Lambda's 250 MB bar counts this), in MB."""
    with zipfile.ZipFile(layer) as archive:
        return sum(info.file_size for info in archive.infolist()) / 1e6


def zipped_mb(layer: Path) -> float:
    return layer.stat().st_size / 1e6


if __name__ == "__main__":
    raise SystemExit(main())
