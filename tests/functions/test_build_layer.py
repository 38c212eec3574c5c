"""The layer build: what goes into the zip, with pip replaced by a recorder."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from infra.build_layer import build_layer, layer_requirements


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
    assert not any("__pycache__" in name for name in names)
    assert not any(name.startswith(("python/functions", "python/tests")) for name in names)
