"""Apply the numbered SQL migrations under `sql/migrations/` that a database lacks.

One history, shared with the Supabase CLI: what is applied is what
`supabase_migrations.schema_migrations` lists, the table `supabase db push` reads and
writes (version text primary key, name, statements), so a migration applied by either tool
is applied for the other. A file `0007_ward_tables.sql` is version `0007`, name
`ward_tables`, as the CLI's `<digits>_<name>.sql` reads it; the numbers run from 0001
without a gap, so a new file always comes last and `db push` never needs `--include-all`.
The file's text is recorded as its one statement (the CLI records its own split).

Each file runs in its own transaction, recorded in the same transaction, so a second run
is a no-op. Each file this runner applies also gets its SHA-256 in
`schema_history.applied_migrations` (private, out of the API's reach), and an applied file
edited afterwards is refused rather than silently diverging. That ledger is also how a
database migrated before the shared history is adopted: each file it lists is found by
name, or by checksum when it was renumbered, and recorded in the CLI's table.
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
# Stricter than the CLI's `^([0-9]+)_(.*)\.sql$`, which accepts every name this accepts.
_MIGRATION_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
# Any constant works; it only has to be the same for every runner of this project.
_ADVISORY_LOCK_KEY = 7_340_226_118

# The Supabase CLI's own statements (pkg/migration/history.go), so either tool may create it.
_CREATE_CLI_HISTORY = b"""
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations
  (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
"""
_CREATE_LEDGER = b"""
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
    """A file in the migrations folder is not named `NNNN_words.sql`, reuses a number, or
    leaves a number out."""


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

    @property
    def version(self) -> str:
        """The CLI's version: the digits before the first `_`."""
        return self.name.split("_", 1)[0]

    @property
    def title(self) -> str:
        """The CLI's name: what follows the version, without `.sql`."""
        return self.name.split("_", 1)[1].removesuffix(".sql")


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file of `directory`, in number order."""
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationNameError(f"{path.name}: expected a name like 0001_words.sql")
        migrations.append(Migration(int(match["version"]), path.name, path.read_bytes()))
    numbers = [migration.number for migration in migrations]
    reused = sorted({number for number in numbers if numbers.count(number) > 1})
    if reused:
        raise MigrationNameError(f"migration numbers used twice: {reused}")
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if missing:
        raise MigrationNameError(
            f"migration numbers must run from 0001 without a gap; missing {missing}:"
            " number a new file after the highest one"
        )
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
        with conn.transaction():
            conn.execute(_CREATE_CLI_HISTORY)
            conn.execute(_CREATE_LEDGER)
            _adopt_ledger(conn, migrations)
        pending = _pending(migrations, _applied_versions(conn), _ledger(conn))
        for migration in pending:
            _run_in_transaction(conn, migration.name, migration.sql, record=migration)
    return [migration.name for migration in pending]


def applied_versions(database_url: str) -> list[str]:
    """The versions the shared history lists, in order (what `supabase db push` reads)."""
    with psycopg.connect(database_url) as conn:
        return sorted(_applied_versions(conn))


def _applied_versions(conn: psycopg.Connection[TupleRow]) -> set[str]:
    rows = conn.execute("select version from supabase_migrations.schema_migrations").fetchall()
    return {str(version) for (version,) in rows}


def _ledger(conn: psycopg.Connection[TupleRow]) -> dict[str, str]:
    rows = conn.execute("select name, checksum from schema_history.applied_migrations").fetchall()
    return {str(name): str(checksum) for name, checksum in rows}


def _adopt_ledger(conn: psycopg.Connection[TupleRow], migrations: list[Migration]) -> None:
    """Records in the CLI's table what the ledger says this runner applied, renamed files
    found by checksum; a ledger entry no file matches is left for `_pending` to refuse."""
    by_name = {migration.name: migration for migration in migrations}
    by_checksum = {migration.checksum: migration for migration in migrations}
    for name, checksum in _ledger(conn).items():
        migration = by_name.get(name) or by_checksum.get(checksum)
        if migration is None:
            continue
        if migration.name != name:
            conn.execute(
                "update schema_history.applied_migrations set name = %s where name = %s",
                [migration.name, name],
            )
        _record_in_cli_history(conn, migration, adopted=True)


def _pending(
    migrations: list[Migration], applied: set[str], ledger: dict[str, str]
) -> list[Migration]:
    by_version = {migration.version for migration in migrations}
    missing = sorted((applied - by_version) | (set(ledger) - {m.name for m in migrations}))
    if missing:
        raise MigrationMissingError(f"applied migrations missing from disk: {missing}")
    changed = [m.name for m in migrations if m.name in ledger and ledger[m.name] != m.checksum]
    if changed:
        raise MigrationChangedError(
            f"applied migrations were edited afterwards: {changed}; add a new migration instead"
        )
    return [migration for migration in migrations if migration.version not in applied]


def _record_in_cli_history(
    conn: psycopg.Connection[TupleRow], migration: Migration, *, adopted: bool = False
) -> None:
    # A version recorded twice is an error when applying (someone else applied it
    # meanwhile: roll back), and nothing to do when adopting the ledger.
    conflict = " on conflict (version) do nothing" if adopted else ""
    conn.execute(
        "insert into supabase_migrations.schema_migrations (version, name, statements)"
        " values (%s, %s, %s)" + conflict,
        [migration.version, migration.title, [migration.sql.decode("utf-8")]],
    )


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
                _record_in_cli_history(conn, record)
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
