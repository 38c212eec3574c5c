"""The layer build: what goes into the zip, with pip replaced by a recorder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra.layer.build import (
    LOCK_FILE,
    ROOT,
    SOLVER_MODULE,
    SOLVER_PACKAGES,
    UNUSED_PATHS,
    build_layer,
    canonical_name,
    is_solver,
    layer_requirements,
    locked_versions,
    unlocked,
)
from infra.layer.lock import lock_lines

RUNTIME_PACKAGES = (
    "fastapi",
    "mangum",
    "pyjwt[crypto]",
    "pydantic-settings",
    "httpx",
    "postgrest",
    "aws-lambda-powertools",
)


def test_requirements_are_the_engine_and_function_dependencies_minus_boto3() -> None:
    requirements = layer_requirements()
    assert any(spec.startswith("pydantic>=") for spec in requirements)
    for package in RUNTIME_PACKAGES:
        assert any(spec.startswith(package) for spec in requirements), package
    assert not any(spec.startswith("boto3") for spec in requirements)
    assert not any(spec.startswith(("pytest", "moto", "mypy")) for spec in requirements)


def test_only_the_rest_client_of_supabase_is_shipped() -> None:
    pinned = locked_versions()
    assert "postgrest" in pinned
    # supabase-py's other clients (auth, storage, realtime over websockets) stay out.
    for unused in ("supabase", "supabase-auth", "storage3", "realtime", "websockets"):
        assert unused not in pinned, unused


def test_the_lock_pins_every_requirement_with_a_hash() -> None:
    assert unlocked(layer_requirements()) == []
    lines = [
        line for line in LOCK_FILE.read_text().splitlines() if line and not line.startswith("#")
    ]
    assert len(lines) == len(locked_versions())
    for line in lines:
        pin, digest = line.split(" --hash=sha256:")
        assert "==" in pin and len(digest) == 64, line


def test_a_requirement_the_lock_does_not_allow_is_reported(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("# made by hand\nFastAPI==0.110.0 --hash=sha256:" + "0" * 64 + "\n")
    assert canonical_name("Pydantic_Settings") == "pydantic-settings"
    assert unlocked(["fastapi>=0.100", "fastapi>=0.115", "mangum"], lock) == [
        "fastapi>=0.115",
        "mangum",
    ]


def test_lock_lines_come_from_pips_report() -> None:
    report = [
        {
            "metadata": {"name": "Typing_Extensions", "version": "4.12.2"},
            "download_info": {"archive_info": {"hashes": {"sha256": "ab" * 32}}},
        },
        {
            "metadata": {"name": "anyio", "version": "4.6.0"},
            "download_info": {"archive_info": {"hashes": {"sha256": "cd" * 32}}},
        },
    ]
    assert lock_lines(report) == [
        "anyio==4.6.0 --hash=sha256:" + "cd" * 32,
        "typing-extensions==4.12.2 --hash=sha256:" + "ab" * 32,
    ]


def test_the_zip_holds_the_engine_and_the_installed_packages_under_python(
    tmp_path: Path,
) -> None:
    installed: list[tuple[Path, list[str], bool]] = []

    def fake_pip(target: Path, requirements: Sequence[str], solver: bool) -> None:
        installed.append((target, list(requirements), solver))
        (target / "fastapi").mkdir(parents=True)
        (target / "fastapi" / "__init__.py").write_text("")
        (target / "fastapi" / "__pycache__").mkdir()
        (target / "fastapi" / "__pycache__" / "x.pyc").write_bytes(b"")

    output = build_layer(tmp_path / "out" / "engine-layer.zip", install=fake_pip)
    assert installed and installed[0][0].name == "python" and not installed[0][2]
    assert set(installed[0][1]) == set(layer_requirements()) - {"highspy==1.11.0"}
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
    assert {
        "python/engine/__init__.py",
        "python/engine/py.typed",
        "python/fastapi/__init__.py",
    } <= names
    assert "python/fastapi/__pycache__/x.pyc" not in names  # pip's leftovers are replaced
    assert not any(name.startswith(("python/functions", "python/tests")) for name in names)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="bytecode only for Lambda's 3.11")
def test_the_zip_carries_bytecode_lambda_can_use(tmp_path: Path) -> None:
    output = build_layer(tmp_path / "engine-layer.zip", install=lambda *_: None)
    with zipfile.ZipFile(output) as archive:
        compiled = archive.read("python/engine/grouping/__pycache__/run.cpython-311.pyc")
    # PEP 552: flags 0b01 = hash-based, not checked against the source's timestamp.
    assert int.from_bytes(compiled[4:8], "little") == 0b01


def test_what_the_zip_leaves_out_is_never_imported_by_a_function() -> None:
    # Every handler, and the production PostgREST client made and used once.
    code = (
        "import sys, httpx, pathlib\n"
        "for h in sorted(pathlib.Path('functions').glob('*/handler.py')):\n"
        "    __import__(f'functions.{h.parent.name}.handler')\n"
        "from functions.database.postgrest import PostgrestTransport, project_client\n"
        "from functions.database.transport import Select\n"
        "def answer(request):\n"
        "    return httpx.Response(200, json=[], headers={'Content-Range': '*/0'})\n"
        "http = httpx.Client(transport=httpx.MockTransport(answer))\n"
        "client = project_client('https://ref.supabase.co', 'key', http)\n"
        "PostgrestTransport(client, access_token='t').select(Select('events', ('id',)))\n"
        "print('\\n'.join(sys.modules))\n"
    )
    modules = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    left_out = {path.replace("/", ".") for path in UNUSED_PATHS}
    imported = [m for m in modules if any(m == x or m.startswith(x + ".") for x in left_out)]
    assert imported == []


def test_the_solver_layer_holds_highspy_and_numpy_and_no_engine(tmp_path: Path) -> None:
    installed: list[tuple[list[str], bool]] = []

    def fake_pip(target: Path, requirements: Sequence[str], solver: bool) -> None:
        installed.append((list(requirements), solver))
        (target / "highspy").mkdir(parents=True)
        (target / "highspy" / "__init__.py").write_text("")

    output = build_layer(tmp_path / "solver-layer.zip", install=fake_pip, solver=True)
    assert installed == [(["highspy==1.11.0"], True)]
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
    assert "python/highspy/__init__.py" in names
    assert not any(name.startswith("python/engine") for name in names)


def test_the_lock_splits_into_the_solver_and_the_rest() -> None:
    pinned = locked_versions()
    solver = {name for name in pinned if is_solver(f"{name}=={pinned[name]}")}
    assert solver == {"highspy", "numpy"} == set(SOLVER_PACKAGES)
    assert is_solver("NumPy==2.2.6 --hash=sha256:" + "0" * 64)
    assert not is_solver("fastapi>=0.115")


def _imported(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return done.stdout.split()


# Python, as a function with the engine layer only: the solver's packages cannot be found.
WITHOUT_SOLVER = (
    "import importlib.abc, sys\n"
    f"solver = {SOLVER_PACKAGES!r}\n"
    "class NoSolver(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in solver:\n"
    "            raise ImportError(f'{name} is in the solver layer')\n"
    "sys.meta_path.insert(0, NoSolver())\n"
)


def test_every_handler_imports_with_the_engine_layer_only() -> None:
    code = WITHOUT_SOLVER + (
        "import pathlib\n"
        "for h in sorted(pathlib.Path('functions').glob('*/handler.py')):\n"
        "    __import__(f'functions.{h.parent.name}.handler')\n"
        "print('\\n'.join(sys.modules))\n"
    )
    modules = _imported(code)
    assert SOLVER_MODULE in modules  # some handler imports the search, lazily
    assert not [m for m in modules if m.split(".")[0] in SOLVER_PACKAGES]


def test_the_search_needs_the_solver_layer_and_runs_with_both() -> None:
    # A pool of 60 is partitioned (32-200): without the solver it fails, with it it runs.
    run = (
        "import random\n"
        "from engine.grouping.run import run_grouping\n"
        "from infra.sample_data import generate_participants\n"
        "people = generate_participants(60, rng=random.Random(0))\n"
        "try:\n"
        "    run_grouping(people, rng=random.Random(0))\n"
        "except ImportError as error:\n"
        "    print('missing', error)\n"
        "else:\n"
        "    import sys; print('highspy' in sys.modules, 'numpy' in sys.modules)\n"
    )
    assert _imported(WITHOUT_SOLVER + run)[:2] == ["missing", "highspy"]
    assert _imported(run) == ["True", "True"]
