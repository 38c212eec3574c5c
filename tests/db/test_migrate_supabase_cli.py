"""One migration history with the Supabase CLI: what `grouping migrate` applies,
`supabase db push` sees as applied, and the reverse.

The CLI itself cannot be installed here (its npm package downloads a binary from GitHub
at install time, and only the package registries are reachable), so `cli_push` follows
the CLI's documented contract instead (supabase/cli, pkg/migration: history.go, file.go,
list.go and apply.go): the history table made by its own statements, files matched by
`^([0-9]+)_(.*)\\.sql$` and taken in name order, remote versions compared with local
ones (a remote version with no file is a conflict; an unapplied file older than the
newest applied one needs `--include-all`), each pending file applied and recorded as
(version, name, statements).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import psycopg
import pytest

from infra.local.migrate import (
    MIGRATIONS_DIR,
    MigrationMissingError,
    MigrationNameError,
    applied_versions,
    apply_local_shim,
    discover_migrations,
    migrate,
)

ROOT = Path(__file__).resolve().parents[2]
CLI_FILE = re.compile(r"^([0-9]+)_(.*)\.sql$")
CLI_HISTORY = (
    "create schema if not exists supabase_migrations",
    "create table if not exists supabase_migrations.schema_migrations"
    " (version text not null primary key)",
    "alter table supabase_migrations.schema_migrations add column if not exists statements text[]",
    "alter table supabase_migrations.schema_migrations add column if not exists name text",
)


class CliRefusedError(Exception):
    """What `supabase db push` would stop with."""


def cli_pending(conn: psycopg.Connection, folder: Path) -> list[tuple[str, str, Path]]:
    """(version, name, file) that `supabase db push` would apply, in its order."""
    for statement in CLI_HISTORY:
        conn.execute(statement)
    remote = [
        str(v)
        for (v,) in conn.execute(
            "select version from supabase_migrations.schema_migrations order by version"
        )
    ]
    local = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        match = CLI_FILE.match(path.name)
        if match is not None:
            local.append((match[1], match[2], path))
    versions = {version for version, _, _ in local}
    unknown = [version for version in remote if version not in versions]
    if unknown:
        raise CliRefusedError(f"remote migration versions not found locally: {unknown}")
    pending = [item for item in local if item[0] not in set(remote)]
    if remote and any(version < remote[-1] for version, _, _ in pending):
        raise CliRefusedError("found local migrations to be inserted before the last one")
    return pending


def cli_push(url: str, folder: Path) -> list[str]:
    """`supabase db push`, as its contract says; returns the versions it applied."""
    with psycopg.connect(url, autocommit=True) as conn:
        pushed = []
        for version, name, path in cli_pending(conn, folder):
            text = path.read_text(encoding="utf-8")
            with conn.transaction():
                conn.execute(text)
                conn.execute(
                    "insert into supabase_migrations.schema_migrations (version, name, statements)"
                    " values (%s, %s, %s)",
                    [version, name, [text]],
                )
            pushed.append(version)
        return pushed


def migrated_folder(tmp_path: Path, url: str, first: str, second: str) -> Path:
    """A folder of `0001_first.sql` and `0002_second.sql`, applied by the runner."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_first.sql").write_text(first + "\n")
    (folder / "0002_second.sql").write_text(second + "\n")
    migrate(url, migrations_dir=folder)
    return folder


def shimmed(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        apply_local_shim(conn)
    return url


def test_what_grouping_migrate_applied_db_push_sees_as_applied(empty_database_url: str) -> None:
    applied = migrate(empty_database_url, with_local_shim=True)
    assert applied == [path.name for path in sorted(MIGRATIONS_DIR.glob("*.sql"))]
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        assert cli_pending(conn, MIGRATIONS_DIR) == []
        rows = conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations"
            " order by version"
        ).fetchall()
    expected = [CLI_FILE.match(name).groups() for name in applied]  # type: ignore[union-attr]
    assert [(version, name) for version, name, _ in rows] == expected
    first_file = (MIGRATIONS_DIR / applied[0]).read_text(encoding="utf-8")
    assert rows[0][2] == [first_file]
    assert cli_push(empty_database_url, MIGRATIONS_DIR) == []


def test_what_db_push_applied_grouping_migrate_sees_as_applied(
    tmp_path: Path, empty_database_url: str
) -> None:
    files = sorted(MIGRATIONS_DIR.glob("*.sql"))
    early = tmp_path / "early"
    early.mkdir()
    for path in files[:7]:
        shutil.copy(path, early)
    url = shimmed(empty_database_url)
    assert cli_push(url, early) == [CLI_FILE.match(p.name)[1] for p in files[:7]]  # type: ignore[index]
    # The runner applies only what the CLI did not, and records it where the CLI looks.
    assert migrate(url) == [path.name for path in files[7:]]
    assert applied_versions(url) == [m.version for m in discover_migrations()]
    assert cli_push(url, MIGRATIONS_DIR) == []
    assert migrate(url) == []


def test_a_database_migrated_before_the_shared_history_is_adopted(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = migrated_folder(
        tmp_path, empty_database_url, "create table log (step text);", "insert into log values (2);"
    )
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        # As the runner left it before: its own ledger only, the second file under the
        # number it had before the numbers were closed up.
        conn.execute("drop schema supabase_migrations cascade")
        conn.execute(
            "update schema_history.applied_migrations set name = '0010_second.sql'"
            " where name = '0002_second.sql'"
        )
    assert migrate(empty_database_url, migrations_dir=folder) == []
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("select count(*) from log").fetchone() == (1,)
        ledger = conn.execute("select name from schema_history.applied_migrations order by name")
        assert [name for (name,) in ledger] == ["0001_first.sql", "0002_second.sql"]
    assert applied_versions(empty_database_url) == ["0001", "0002"]


def test_a_version_only_the_database_knows_is_refused_by_both(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = migrated_folder(tmp_path, empty_database_url, "select 1;", "select 2;")
    (folder / "0002_second.sql").unlink()
    with pytest.raises(MigrationMissingError):
        migrate(empty_database_url, migrations_dir=folder)
    with pytest.raises(CliRefusedError), psycopg.connect(empty_database_url) as conn:
        cli_pending(conn, folder)


def test_numbers_run_without_a_gap(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for name in ("0001_a.sql", "0002_b.sql", "0004_d.sql"):
        (folder / name).write_text("select 1;\n")
    with pytest.raises(MigrationNameError, match=r"missing \[3\]"):
        discover_migrations(folder)
    numbers = [migration.number for migration in discover_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_cli_reads_the_same_files_from_its_own_folder() -> None:
    # `supabase db push` reads supabase/migrations; it is the project's sql/migrations.
    cli_folder = ROOT / "supabase" / "migrations"
    assert cli_folder.resolve() == MIGRATIONS_DIR.resolve()
    assert (ROOT / "supabase" / "config.toml").is_file()
