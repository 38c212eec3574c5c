"""The layer build: what goes into the zip, with pip replaced by a recorder."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from infra.layer.build import build_layer, layer_requirements


def test_requirements_are_the_engine_and_function_dependencies_minus_boto3() -> None:
    requirements = layer_requirements()
    assert any(spec.startswith("pydantic>=") for spec in requirements)
    for package in ("fastapi", "mangum", "pyjwt[crypto]", "pydantic-settings", "httpx", "supabase"):
        assert any(spec.startswith(package) for spec in requirements), package
    assert not any(spec.startswith("boto3") for spec in requirements)
    assert not any(spec.startswith(("pytest", "moto", "mypy")) for spec in requirements)


def test_the_zip_holds_the_engine_and_the_installed_packages_under_python(
    tmp_path: Path,
) -> None:
    installed: list[tuple[Path, list[str]]] = []

    def fake_pip(target: Path, requirements: Sequence[str]) -> None:
        installed.append((target, list(requirements)))
        (target / "fastapi").mkdir(parents=True)
        (target / "fastapi" / "__init__.py").write_text("")
        (target / "fastapi" / "__pycache__").mkdir()
        (target / "fastapi" / "__pycache__" / "x.pyc").write_bytes(b"")

    output = build_layer(tmp_path / "out" / "engine-layer.zip", install=fake_pip)
    assert installed and installed[0][0].name == "python"
    assert installed[0][1] == layer_requirements()
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
    output = build_layer(tmp_path / "engine-layer.zip", install=lambda target, _: None)
    with zipfile.ZipFile(output) as archive:
        compiled = archive.read("python/engine/grouping/__pycache__/run.cpython-311.pyc")
    # PEP 552: flags 0b01 = hash-based, not checked against the source's timestamp.
    assert int.from_bytes(compiled[4:8], "little") == 0b01
