"""Who is calling: database roles and JWT claims set exactly as PostgREST sets them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

ApiRole = Literal["anon", "authenticated", "service_role"]
_ISSUER = "http://127.0.0.1:54321/auth/v1"
_HOUR = 3600


@dataclass(frozen=True)
class Actor:
    """A caller of the API: the database role PostgREST switches to and the JWT claims."""

    name: str
    role: ApiRole
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> UUID | None:
        subject = self.claims.get("sub")
        return UUID(subject) if subject else None


def _token_times() -> dict[str, int]:
    now = int(time.time())
    return {"iat": now, "exp": now + _HOUR}


def user_claims(
    user_id: UUID,
    *,
    app_role: str | None = None,
    user_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Claims of a signed-in Supabase user; `app_role` lands in `app_metadata.role`."""
    app_metadata: dict[str, Any] = {"provider": "email", "providers": ["email"]}
    if app_role is not None:
        app_metadata["role"] = app_role
    return {
        "iss": _ISSUER,
        "aud": "authenticated",
        "sub": str(user_id),
        "email": f"{user_id}@example.test",
        "role": "authenticated",
        "aal": "aal1",
        "app_metadata": app_metadata,
        "user_metadata": user_metadata or {},
        "is_anonymous": False,
        **_token_times(),
    }


def user_actor(
    name: str,
    user_id: UUID,
    *,
    app_role: str | None = None,
    user_metadata: dict[str, Any] | None = None,
) -> Actor:
    claims = user_claims(user_id, app_role=app_role, user_metadata=user_metadata)
    return Actor(name, "authenticated", claims)


ANON = Actor("anon", "anon", {"iss": "supabase", "role": "anon", **_token_times()})
SERVICE_ROLE = Actor(
    "service_role", "service_role", {"iss": "supabase", "role": "service_role", **_token_times()}
)


def make_user(
    conn: psycopg.Connection[TupleRow],
    *,
    app_role: str | None = None,
    user_metadata: dict[str, Any] | None = None,
) -> UUID:
    """Insert an `auth.users` row (as the owner) and return its id."""
    app_metadata: dict[str, Any] = {"provider": "email", "providers": ["email"]}
    if app_role is not None:
        app_metadata["role"] = app_role
    row = conn.execute(
        "insert into auth.users (email, raw_app_meta_data, raw_user_meta_data)"
        " values (gen_random_uuid()::text || '@example.test', %s::jsonb, %s::jsonb)"
        " returning id",
        [json.dumps(app_metadata), json.dumps(user_metadata or {})],
    ).fetchone()
    assert row is not None
    user_id: UUID = row[0]
    return user_id


@contextmanager
def act_as(
    conn: psycopg.Connection[TupleRow], actor: Actor, *, commit: bool = False
) -> Iterator[psycopg.Connection[TupleRow]]:
    """Run the block in a transaction as `actor`, as PostgREST would; roll back unless `commit`.

    Inside an outer transaction this is a savepoint, so the owner's setup around
    it stays visible and the role switch ends with the block.
    """
    with conn.transaction(force_rollback=not commit):
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(actor.role)))
        conn.execute(
            "select set_config('request.jwt.claims', %s, true)", [json.dumps(actor.claims)]
        )
        yield conn
        # A released savepoint keeps SET LOCAL until the outer transaction ends.
        conn.execute("reset role")
        conn.execute("select set_config('request.jwt.claims', '', true)")
