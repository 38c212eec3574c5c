"""The local Supabase shim behaves like Supabase for the pieces the migrations use."""

from __future__ import annotations

from uuid import uuid4

import psycopg
from psycopg.rows import TupleRow

from infra.local.migrate import apply_local_shim
from tests.db.actors import ANON, SERVICE_ROLE, act_as, make_user, user_actor

Connection = psycopg.Connection[TupleRow]


def test_auth_functions_read_the_claims_postgrest_sets(db: Connection) -> None:
    user_id = uuid4()
    with act_as(db, user_actor("someone", user_id, app_role="admin")) as conn:
        row = conn.execute(
            "select auth.uid(), auth.role(), auth.jwt() -> 'app_metadata' ->> 'role', current_user"
        ).fetchone()
    assert row == (user_id, "authenticated", "admin", "authenticated")


def test_auth_uid_honours_the_legacy_single_claim_setting(db: Connection) -> None:
    user_id = uuid4()
    with db.transaction(force_rollback=True):
        db.execute("select set_config('request.jwt.claim.sub', %s, true)", [str(user_id)])
        row = db.execute("select auth.uid()").fetchone()
    assert row == (user_id,)


def test_without_claims_there_is_no_user(db: Connection) -> None:
    with act_as(db, ANON) as conn:
        row = conn.execute("select auth.uid(), auth.role(), current_user").fetchone()
    assert row == (None, "anon", "anon")


def test_api_roles_have_supabase_attributes(db: Connection) -> None:
    rows = db.execute(
        "select rolname, rolcanlogin, rolbypassrls from pg_roles"
        " where rolname in ('anon', 'authenticated', 'service_role') order by rolname"
    ).fetchall()
    assert rows == [
        ("anon", False, False),
        ("authenticated", False, False),
        ("service_role", False, True),
    ]


def test_api_roles_cannot_read_auth_users(db: Connection) -> None:
    make_user(db)
    for actor in (ANON, user_actor("someone", uuid4()), SERVICE_ROLE):
        with act_as(db, actor) as conn:
            denied = conn.execute("select has_table_privilege('auth.users', 'select')").fetchone()
        assert denied == (False,)


def test_tables_created_in_public_are_granted_to_the_api_roles(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        db.execute("create table public.shim_probe (id int)")
        rows = db.execute(
            "select grantee, privilege_type from information_schema.role_table_grants"
            " where table_name = 'shim_probe' and grantee <> current_user"
            " and privilege_type in ('SELECT', 'INSERT') order by 1, 2"
        ).fetchall()
    assert rows == [
        (role, privilege)
        for role in ("anon", "authenticated", "service_role")
        for privilege in ("INSERT", "SELECT")
    ]


def test_shim_is_idempotent(db: Connection) -> None:
    apply_local_shim(db)
    apply_local_shim(db)
    count = db.execute(
        "select count(*) from pg_proc where proname = 'uid' and pronamespace = 'auth'::regnamespace"
    ).fetchone()
    assert count == (1,)


def test_act_as_leaves_the_owner_session_as_it_found_it(db: Connection) -> None:
    owner = db.execute("select current_user").fetchone()
    with db.transaction(force_rollback=True):
        with act_as(db, user_actor("someone", uuid4()), commit=True) as conn:
            conn.execute("select 1")
        after_commit = db.execute("select current_user, auth.uid()").fetchone()
    with act_as(db, ANON):
        pass
    after_rollback = db.execute("select current_user, auth.uid()").fetchone()
    assert owner is not None
    assert after_commit == (owner[0], None)
    assert after_rollback == (owner[0], None)
