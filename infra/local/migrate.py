"""Apply the numbered SQL migrations under `sql/migrations/` that a database lacks.

Each file runs in its own transaction and is recorded with its SHA-256, so a
second run is a no-op and an applied file that was edited afterwards is refused
rather than silently diverging from the database. The history lives in the
private schema `schema_history`, out of the API's reach and out of the
`public` RLS lint.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import TupleRow

from infra.local.database import (
    DEFAULT_DATA_DIR,
    configured_database_url,
    start_embedded_postgres,
)

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
LOCAL_SHIM_DIR = SQL_DIR / "local"
_MIGRATION_NAME = re.compile(r"^(?P<number>\d{4})_[a-z0-9_]+\.sql$")
# Any constant works; it only has to be the same for every runner of this project.
_ADVISORY_LOCK_KEY = 7_340_226_118

_CREATE_HISTORY = b"""
create schema if not exists schema_history;
revoke all on schema schema_history from public;
create table if not exists schema_history.applied_migrations (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
"""


class MigrationError(Exception):
    """Base of the runner's refusals; the message names the file, never its SQL."""


class MigrationNameError(MigrationError):
    """A file in the migrations folder is not named `NNNN_words.sql`, or reuses a number."""


class MigrationChangedError(MigrationError):
    """An applied migration's file no longer matches the checksum recorded for it."""


class MigrationMissingError(MigrationError):
    """The database records a migration whose file is gone."""


class MigrationFailedError(MigrationError):
    """PostgreSQL refused a migration; it was rolled back."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: bytes

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql).hexdigest()


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file of `directory`, in number order."""
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationNameError(f"{path.name}: expected a name like 0001_words.sql")
        migrations.append(Migration(int(match["number"]), path.name, path.read_bytes()))
    numbers = [migration.number for migration in migrations]
    reused = sorted({number for number in numbers if numbers.count(number) > 1})
    if reused:
        raise MigrationNameError(f"migration numbers used twice: {reused}")
    return sorted(migrations, key=lambda migration: migration.number)


def apply_local_shim(conn: psycopg.Connection[TupleRow], directory: Path = LOCAL_SHIM_DIR) -> None:
    """Run the local Supabase shim (idempotent, never recorded as a migration)."""
    for path in sorted(directory.glob("*.sql")):
        _run_in_transaction(conn, path.name, path.read_bytes())


def migrate(
    database_url: str,
    *,
    migrations_dir: Path = MIGRATIONS_DIR,
    with_local_shim: bool = False,
) -> list[str]:
    """Apply the pending migrations in order; returns the names applied (empty: up to date)."""
    migrations = discover_migrations(migrations_dir)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # One runner at a time per database; a second one waits, then finds nothing to do.
        conn.execute("select pg_advisory_lock(%s)", [_ADVISORY_LOCK_KEY])
        if with_local_shim:
            apply_local_shim(conn)
        conn.execute(_CREATE_HISTORY)
        pending = _pending(migrations, _applied_checksums(conn))
        for migration in pending:
            _run_in_transaction(conn, migration.name, migration.sql, record=migration)
    return [migration.name for migration in pending]


def _applied_checksums(conn: psycopg.Connection[TupleRow]) -> dict[str, str]:
    rows = conn.execute("select name, checksum from schema_history.applied_migrations").fetchall()
    return {str(name): str(checksum) for name, checksum in rows}


def _pending(migrations: list[Migration], applied: dict[str, str]) -> list[Migration]:
    on_disk = {migration.name for migration in migrations}
    missing = sorted(set(applied) - on_disk)
    if missing:
        raise MigrationMissingError(f"applied migrations missing from disk: {missing}")
    changed = [m.name for m in migrations if m.name in applied and applied[m.name] != m.checksum]
    if changed:
        raise MigrationChangedError(
            f"applied migrations were edited afterwards: {changed}; add a new migration instead"
        )
    return [migration for migration in migrations if migration.name not in applied]


def _run_in_transaction(
    conn: psycopg.Connection[TupleRow],
    name: str,
    sql: bytes,
    *,
    record: Migration | None = None,
) -> None:
    try:
        with conn.transaction():
            conn.execute(sql)
            if record is not None:
                conn.execute(
                    "insert into schema_history.applied_migrations (name, checksum)"
                    " values (%s, %s)",
                    [record.name, record.checksum],
                )
    except psycopg.Error as error:
        message = error.diag.message_primary or type(error).__name__
        raise MigrationFailedError(
            f"{name} failed and was rolled back: {message} (SQLSTATE {error.sqlstate})"
        ) from error


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `migrate [--database-url URL] [--with-local-shim]` to a CLI."""
    parser = subparsers.add_parser(
        "migrate",
        help="apply pending SQL migrations",
        description="Apply pending SQL migrations in order. Without --database-url or "
        "DATABASE_URL, the embedded PostgreSQL in .pgdata/ is used, with the local shim.",
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL)")
    parser.add_argument(
        "--with-local-shim",
        action="store_true",
        help="first create what Supabase provides (auth schema, API roles); never on Supabase",
    )
    parser.set_defaults(handler=run_migrate_command)


def run_migrate_command(args: argparse.Namespace) -> int:
    """Handler of `grouping migrate`; returns the process exit code."""
    url = args.database_url or configured_database_url()
    with_local_shim = bool(args.with_local_shim) or url is None
    if url is None:
        url = start_embedded_postgres(DEFAULT_DATA_DIR.resolve()).url
    try:
        applied = migrate(url, with_local_shim=with_local_shim)
    except MigrationError as error:
        print(f"migrate: {error}", file=sys.stderr)
        return 1
    for name in applied:
        print(f"applied {name}")
    print(f"{len(applied)} migration(s) applied" if applied else "database is up to date")
    return 0
