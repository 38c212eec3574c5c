"""Finding the database: DATABASE_URL, database names in URLs, scratch databases."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from infra.local.database import configured_database_url, temporary_database, with_database_name


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"DATABASE_URL": "  "}, None),
        ({"DATABASE_URL": "postgresql://u@h/d"}, "postgresql://u@h/d"),
    ],
)
def test_database_url_comes_from_the_environment_when_set(
    environ: dict[str, str], expected: str | None
) -> None:
    assert configured_database_url(environ) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://postgres@127.0.0.1:5432/x"),
        # pgserver's form: a Unix socket directory in the query string.
        ("postgresql://postgres:@/postgres?host=/tmp/pg", "postgresql://postgres:@/x?host=/tmp/pg"),
        ("postgres://u:p@h", "postgres://u:p@h/x"),
    ],
)
def test_with_database_name_keeps_server_and_credentials(url: str, expected: str) -> None:
    assert with_database_name(url, "x") == expected


def test_with_database_name_also_reads_key_value_connection_strings() -> None:
    renamed = with_database_name("host=h user=u dbname=postgres", "x")
    assert conninfo_to_dict(renamed) == {"host": "h", "user": "u", "dbname": "x"}


def test_a_temporary_database_exists_inside_the_block_and_is_gone_after(server_url: str) -> None:
    with temporary_database(server_url, prefix="probe") as url:
        with psycopg.connect(url) as conn:
            row = conn.execute("select current_database()").fetchone()
        assert row is not None
        name = str(row[0])
        assert name.startswith("probe_")
    with psycopg.connect(server_url) as conn:
        left = conn.execute("select count(*) from pg_database where datname = %s", [name])
        assert left.fetchone() == (0,)
