"""Database tests on real PostgreSQL: `DATABASE_URL` when set, else an embedded server.

Each test session gets its own freshly created database, migrated from scratch
(local Supabase shim first), and drops it at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow

from infra.local.database import configured_database_url, postgres_server, temporary_database
from infra.local.migrate import migrate

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server to create databases on (not a database to write to)."""
    with postgres_server(configured_database_url()) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """This session's own database, with the shim and every migration applied."""
    with temporary_database(server_url, prefix="grouping_test") as url:
        migrate(url, with_local_shim=True)
        yield url


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """A brand-new empty database for this test alone."""
    with temporary_database(server_url, prefix="grouping_empty") as url:
        yield url


@pytest.fixture(scope="session")
def owner_connection(database_url: str) -> Iterator[psycopg.Connection[TupleRow]]:
    # No automatic server-side prepared statements: DISCARD ALL between tests
    # would pull them from under psycopg's cache.
    with psycopg.connect(database_url, autocommit=True, prepare_threshold=None) as conn:
        yield conn


@pytest.fixture
def db(owner_connection: psycopg.Connection[TupleRow]) -> Iterator[psycopg.Connection[TupleRow]]:
    """A connection as the database owner, in autocommit mode, in a clean session state.

    One connection serves the whole session (a new backend per test costs more
    than most tests); after each test it is rolled back and DISCARD ALL resets
    role, settings, temporary tables and prepared statements.
    """
    conn = owner_connection
    yield conn
    if conn.info.transaction_status != TransactionStatus.IDLE:
        conn.rollback()
    conn.execute("discard all")
