"""The import rules of ARCHITECTURE.md, checked on every module of engine/, functions/, infra/,
and the size rule (none over MAX_LINES lines) on those and on tests/."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "functions", "infra")
FEATURES = frozenset({"grouping", "wards", "events", "health", "venues"})
TRANSPORTS = frozenset({"functions.database.postgres", "functions.database.postgrest"})
# The style rule: modules mostly under 150 lines, none over this many.
MAX_LINES = 300
# Trees that are installed, not written here.
NOT_OURS = frozenset({".venv", "node_modules"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(tree: ast.AST) -> Iterator[tuple[str, list[str]]]:
    """(module, names) of every absolute import, deferred ones inside functions included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` imports the module: judge it as such.
            base = ROOT.joinpath(*node.module.split("."))
            modules = [a.name for a in node.names if (base / f"{a.name}.py").exists()]
            for name in modules:
                yield f"{node.module}.{name}", []
            names = [alias.name for alias in node.names if alias.name not in modules]
            if names:
                yield node.module, names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def broken_rules(importer: str, imported: str, names: list[str]) -> list[str]:
    """Which rules `importer` breaks by importing `names` from `imported` (empty: none)."""
    broken = [f"imports the private {n}" for n in names if n.startswith("_") and n != "__version__"]
    if not _within(imported, "functions") and not _within(imported, "infra"):
        return broken
    parts, target = importer.split("."), imported.split(".")
    if _within(imported, "infra") and not _within(importer, "infra"):
        broken.append("imports infra")
    if _within(importer, "engine") and _within(imported, "functions"):
        broken.append("the engine imports functions")
    if importer.startswith("functions.") and _within(imported, "functions"):
        broken += _functions_rules(parts, target)
    return broken


def _functions_rules(parts: list[str], target: list[str]) -> list[str]:
    room, other = parts[1], target[1] if len(target) > 1 else ""
    if room in FEATURES and parts[2:] == ["errors"]:
        ok = ".".join(target) in {"functions.web.errors", "functions.database.errors"}
        return [] if ok else ["a feature's errors module imports beyond the taxonomy"]
    if room == other:
        return []
    allowed: set[str]
    if room == "web":
        allowed = set()
    elif room == "auth":
        allowed = {"web"}
    elif room == "database":
        allowed = {"web", "auth"}
        if other in FEATURES and target[2:] == ["errors"]:
            return []
    elif room in FEATURES:
        allowed = {"web", "auth", "database"}
        if ".".join(target) in TRANSPORTS:
            return ["a feature imports a transport implementation"]
    else:  # a handler
        allowed = {"web", "auth", *FEATURES}
    return [] if other in allowed else [f"functions.{room} imports functions.{other}"]


MODULES = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_keeps_the_import_rules(path: Path) -> None:
    importer = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    broken = [
        f"{importer}: {rule} ({imported})"
        for imported, names in imports_of(tree)
        for rule in broken_rules(importer, imported, names)
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("importer", "imported", "names", "rule"),
    [
        ("functions.web.app", "functions.auth.deps", [], "functions.web imports functions.auth"),
        ("functions.auth.deps", "functions.grouping.store", [], "functions.auth imports"),
        ("functions.grouping.store", "functions.wards.schemas", [], "imports functions.wards"),
        ("functions.grouping.service", "functions.events.store", [], "imports functions.events"),
        ("functions.events.store", "functions.grouping.errors", [], "imports functions.grouping"),
        ("functions.events.errors", "functions.events.schemas", [], "beyond the taxonomy"),
        ("functions.events_api.handler", "functions.database.postgres", [], "functions.database"),
        ("functions.wards.store", "functions.database.postgres", [], "a transport"),
        ("functions.wards.errors", "functions.wards.schemas", [], "beyond the taxonomy"),
        ("functions.database.codes", "functions.wards.store", [], "database imports"),
        ("functions.policies.handler", "functions.database.deps", [], "imports functions.da"),
        ("functions.policies.handler", "functions.whoami.handler", [], "imports functions.wh"),
        ("engine.grouping.run", "functions.web.errors", [], "the engine imports functions"),
        ("functions.web.app", "infra.cli.main", [], "imports infra"),
        ("infra.cli.main", "engine.grouping.search.scoring", ["_private"], "the private _private"),
    ],
)
def test_the_check_sees_each_broken_rule(
    importer: str, imported: str, names: list[str], rule: str
) -> None:
    assert any(rule in broken for broken in broken_rules(importer, imported, names))


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("functions.database.codes", "functions.wards.errors"),
        ("functions.database.codes", "functions.events.errors"),
        ("functions.events.store", "functions.database.transport"),
        ("functions.nightly_regroup.handler", "functions.events.deps"),
        ("functions.events_api.handler", "functions.events.schemas"),
        ("functions.grouping.deps", "functions.database.deps"),
        ("functions.build_groups.handler", "functions.grouping.service"),
        ("functions.wards.errors", "functions.database.errors"),
        ("infra.cli.demo", "functions.policies.handler"),
    ],
)
def test_the_check_lets_the_allowed_imports_through(importer: str, imported: str) -> None:
    assert broken_rules(importer, imported, []) == []


def test_a_module_imported_from_its_package_is_judged_as_that_module() -> None:
    tree = ast.parse("from functions.wards import errors, store")
    assert sorted(imports_of(tree)) == [
        ("functions.wards.errors", []),
        ("functions.wards.store", []),
    ]


def test_the_scan_reaches_every_room() -> None:
    names = {module_name(path) for path in MODULES}
    assert {"functions.web.app", "functions.wards.cache", "engine.wards.boundaries"} <= names


def long_modules(packages: tuple[str, ...]) -> list[str]:
    """Each module of `packages` over MAX_LINES lines, as "path: lines"."""
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if NOT_OURS & set(path.relative_to(ROOT).parts):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                found.append(f"{path.relative_to(ROOT).as_posix()}: {lines}")
    return found


def test_no_module_is_over_max_lines() -> None:
    # A module past the limit holds more than one thing: split it where its features part.
    assert long_modules((*PACKAGES, "tests")) == []
