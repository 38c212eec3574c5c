"""The migration runner: order, one transaction per file, checksums, idempotence."""

from __future__ import annotations

import argparse
from pathlib import Path

import psycopg
import pytest

from infra.local.migrate import (
    MigrationChangedError,
    MigrationFailedError,
    MigrationMissingError,
    MigrationNameError,
    discover_migrations,
    migrate,
    register,
)


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def _log(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [str(row[0]) for row in conn.execute("select step from log order by id")]


def _history(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("select name from schema_history.applied_migrations order by name")
        return [str(row[0]) for row in rows]


CREATE_LOG = "create table log (id serial primary key, step text not null);\n"


def test_applies_in_number_order_and_second_run_is_a_no_op(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = _write(
        tmp_path / "m",
        {
            "0003_third.sql": "insert into log (step) values ('third');",
            "0002_second.sql": "insert into log (step) values ('second');",
            "0001_first.sql": CREATE_LOG + "insert into log (step) values ('first');",
        },
    )
    applied = migrate(empty_database_url, migrations_dir=folder)
    assert applied == ["0001_first.sql", "0002_second.sql", "0003_third.sql"]
    assert _log(empty_database_url) == ["first", "second", "third"]

    assert migrate(empty_database_url, migrations_dir=folder) == []
    assert _log(empty_database_url) == ["first", "second", "third"]


def test_only_the_new_file_runs_later(tmp_path: Path, empty_database_url: str) -> None:
    folder = _write(tmp_path / "m", {"0001_first.sql": CREATE_LOG})
    migrate(empty_database_url, migrations_dir=folder)
    _write(folder, {"0002_more.sql": "insert into log (step) values ('more');"})
    assert migrate(empty_database_url, migrations_dir=folder) == ["0002_more.sql"]
    assert _log(empty_database_url) == ["more"]


def test_an_edited_applied_file_is_refused_and_nothing_runs(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = _write(tmp_path / "m", {"0001_first.sql": CREATE_LOG})
    migrate(empty_database_url, migrations_dir=folder)
    _write(
        folder,
        {
            "0001_first.sql": CREATE_LOG + "-- edited\n",
            "0002_more.sql": "insert into log (step) values ('more');",
        },
    )
    with pytest.raises(MigrationChangedError):
        migrate(empty_database_url, migrations_dir=folder)
    assert _log(empty_database_url) == []
    assert _history(empty_database_url) == ["0001_first.sql"]


def test_a_failing_file_is_rolled_back_whole_and_not_recorded(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = _write(
        tmp_path / "m",
        {
            "0001_first.sql": CREATE_LOG,
            "0002_broken.sql": "insert into log (step) values ('half');\nselect 1 / 0;",
            "0003_after.sql": "insert into log (step) values ('after');",
        },
    )
    with pytest.raises(MigrationFailedError) as raised:
        migrate(empty_database_url, migrations_dir=folder)
    assert raised.value.__cause__ is not None
    assert isinstance(raised.value.__cause__, psycopg.errors.DivisionByZero)
    assert _log(empty_database_url) == []
    assert _history(empty_database_url) == ["0001_first.sql"]


def test_a_recorded_migration_whose_file_is_gone_is_refused(
    tmp_path: Path, empty_database_url: str
) -> None:
    folder = _write(tmp_path / "m", {"0001_first.sql": CREATE_LOG, "0002_x.sql": "select 1;"})
    migrate(empty_database_url, migrations_dir=folder)
    (folder / "0002_x.sql").unlink()
    with pytest.raises(MigrationMissingError):
        migrate(empty_database_url, migrations_dir=folder)


@pytest.mark.parametrize(
    "names",
    [["1_short.sql"], ["0001_Upper.sql"], ["0001_a.sql", "0001_b.sql"]],
    ids=["unpadded", "uppercase", "number-reused"],
)
def test_badly_named_migrations_are_refused(tmp_path: Path, names: list[str]) -> None:
    folder = _write(tmp_path / "m", dict.fromkeys(names, "select 1;"))
    with pytest.raises(MigrationNameError):
        discover_migrations(folder)


def test_the_project_migrations_are_all_recorded(database_url: str) -> None:
    on_disk = {migration.name: migration.checksum for migration in discover_migrations()}
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("select name, checksum from schema_history.applied_migrations")
        recorded = {str(name): str(checksum) for name, checksum in rows}
    assert recorded == on_disk


def test_migrate_command_applies_then_reports_up_to_date(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["migrate", "--database-url", empty_database_url, "--with-local-shim"])

    assert args.handler(args) == 0
    first = capsys.readouterr().out
    assert args.handler(args) == 0
    second = capsys.readouterr().out

    names = [migration.name for migration in discover_migrations()]
    assert [line.removeprefix("applied ") for line in first.splitlines()[:-1]] == names
    assert second.strip() == "database is up to date"
    assert _history(empty_database_url) == names
