"""engine/ stays pure: no web framework, AWS, database driver, environment or files."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
# highspy (HiGHS) and its numpy: the set-partitioning MIP, computation without I/O
# (engine/grouping/search/setpart.py silences HiGHS's output).
THIRD_PARTY_ALLOWED = {"pydantic", "pydantic_core", "engine", "highspy", "numpy"}
STDLIB_IO = {
    "os",
    "sys",
    "socket",
    "subprocess",
    "urllib",
    "http",
    "sqlite3",
    "shutil",
    "pathlib",
    "asyncio",
    "io",
    "tempfile",
    "logging",
}


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


ENGINE_MODULES = sorted(ENGINE.rglob("*.py"))


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: p.relative_to(ENGINE).as_posix())
def test_engine_module_imports_only_pure_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for root in imported_roots(tree):
        allowed = root in THIRD_PARTY_ALLOWED or (
            root in sys.stdlib_module_names and root not in STDLIB_IO
        )
        assert allowed, f"{path.relative_to(ENGINE)} imports {root}"
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "environ" not in names and "getenv" not in names
    assert "open" not in calls and "print" not in calls


def private_imports(tree: ast.AST) -> set[str]:
    """Underscore-prefixed names imported from another module (`__future__` aside)."""
    return {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
        if alias.name.startswith("_") and alias.name != "__version__"
    }


@pytest.mark.parametrize("path", ENGINE_MODULES, ids=lambda p: p.relative_to(ENGINE).as_posix())
def test_engine_module_imports_no_private_name(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not private_imports(tree), f"{path.relative_to(ENGINE)} imports a private name"


def test_the_check_sees_a_private_import() -> None:
    tree = ast.parse("from engine.grouping.run import DEFAULT_EFFORT, _run")
    assert private_imports(tree) == {"engine.grouping.run._run"}


def test_the_check_sees_a_forbidden_import() -> None:
    assert imported_roots(ast.parse("import boto3\nfrom fastapi import FastAPI")) == {
        "boto3",
        "fastapi",
    }


def test_the_scan_reaches_subpackages() -> None:
    assert ENGINE / "wards" / "boundaries.py" in ENGINE_MODULES
    assert ENGINE / "grouping" / "search" / "local_search.py" in ENGINE_MODULES


def test_every_public_name_of_the_engine_loads() -> None:
    import engine

    for name in engine.__all__:
        assert getattr(engine, name) is not None, name
