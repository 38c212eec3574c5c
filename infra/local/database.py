"""Where the database is: `DATABASE_URL` when set, otherwise an embedded PostgreSQL.

The embedded server is `pgserver` (PostgreSQL 16 shipped as a Python wheel); it
listens on a Unix socket inside its data directory, so several can run at once.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

DATABASE_URL_VARIABLE = "DATABASE_URL"
DEFAULT_DATA_DIR = Path(".pgdata")


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A running embedded server; `stop()` shuts it down (and deletes a throwaway one)."""

    url: str
    data_dir: Path
    _server: Any

    def stop(self) -> None:
        self._server.cleanup()


def configured_database_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The `DATABASE_URL` of the environment, or None when unset or blank."""
    value = (os.environ if environ is None else environ).get(DATABASE_URL_VARIABLE, "")
    return value.strip() or None


def start_embedded_postgres(data_dir: Path, *, throwaway: bool = False) -> EmbeddedPostgres:
    """Start (or join) the embedded server whose data lives in `data_dir`.

    A throwaway server deletes its data directory when stopped; otherwise the
    data survives and the next start finds it again.
    """
    with warnings.catch_warnings():
        # pgserver's import resolves a runtime directory eagerly and warns when
        # XDG_RUNTIME_DIR is unset; the fallback it picks is fine for us.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="delete" if throwaway else "stop")
    return EmbeddedPostgres(url=server.get_uri(), data_dir=data_dir, _server=server)


@contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    """`url` when given; otherwise a throwaway embedded server, stopped and deleted on exit.

    The URL names a server to create scratch databases on (see `temporary_database`).
    """
    if url is not None:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="grouping-pg-") as parent:
        server = start_embedded_postgres(Path(parent) / "pgdata", throwaway=True)
        try:
            yield server.url
        finally:
            server.stop()


def resolve_database_url(*, data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """`DATABASE_URL` when set; otherwise the URL of the embedded server in `data_dir`.

    The embedded server is left running for the life of the process.
    """
    return configured_database_url() or start_embedded_postgres(data_dir.resolve()).url


def with_database_name(url: str, name: str) -> str:
    """The same server and credentials as `url`, pointed at database `name`."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return urlunsplit(parts._replace(path=f"/{name}"))
    return make_conninfo(url, dbname=name)


@contextmanager
def temporary_database(server_url: str, *, prefix: str = "grouping_tmp") -> Iterator[str]:
    """Create a fresh, randomly named database on the server; drop it on the way out."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    identifier = sql.Identifier(name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(identifier))
    try:
        yield with_database_name(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(identifier))
