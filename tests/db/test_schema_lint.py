"""Schema lint on the migrated catalog: rules every table, view, policy and function keeps.

It introspects the database, so every table any migration adds is covered.
"""

from __future__ import annotations

import re
from collections import Counter

import psycopg
from psycopg.rows import TupleRow

Connection = psycopg.Connection[TupleRow]

# Schemas owned by PostgreSQL itself or by the local Supabase shim.
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast', 'auth')"
_USER_METADATA = re.compile(r"user_metadata|raw_user_meta_data", re.IGNORECASE)
_CLAIM_CALL = re.compile(r"(?:auth\.(?:uid|jwt|role)|is_admin)\(\)")


def _public_relations(db: Connection, kinds: str) -> list[tuple[str, bool, list[str] | None]]:
    rows = db.execute(
        "select c.relname, c.relrowsecurity, c.reloptions from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind = any(%s) order by c.relname",
        [list(kinds)],
    ).fetchall()
    return [(str(name), bool(rls), options) for name, rls, options in rows]


def _policies(db: Connection) -> list[tuple[str, str, str, list[str], str, str]]:
    rows = db.execute(
        "select tablename, policyname, cmd, roles::text[], permissive,"
        " coalesce(qual, '') || ' ' || coalesce(with_check, '')"
        " from pg_policies where schemaname = 'public'"
    ).fetchall()
    return [(str(t), str(p), str(c), list(r), str(k), str(e)) for t, p, c, r, k, e in rows]


def test_the_migrations_created_tables_to_lint(db: Connection) -> None:
    names = {name for name, _, _ in _public_relations(db, "rp")}
    assert {"grouping_policies", "participants", "runs", "groups"} <= names


def test_every_public_table_has_rls_enabled_and_a_policy(db: Connection) -> None:
    with_policy = {table for table, *_ in _policies(db)}
    tables = _public_relations(db, "rp")
    assert [name for name, rls, _ in tables if not rls] == []
    assert [name for name, _, _ in tables if name not in with_policy] == []


def test_every_public_view_is_security_invoker(db: Connection) -> None:
    views = _public_relations(db, "v")
    assert views, "expected the dashboard views"
    definer_views = [
        name
        for name, _, options in views
        if not any(
            option.lower() in {"security_invoker=true", "security_invoker=on", "security_invoker=1"}
            for option in options or []
        )
    ]
    assert definer_views == []


def test_no_materialized_views_in_public(db: Connection) -> None:
    # A materialized view cannot carry RLS, so the API would expose all of it.
    assert _public_relations(db, "m") == []


def test_every_security_definer_function_pins_an_empty_search_path(db: Connection) -> None:
    rows = db.execute(
        "select p.oid::regprocedure::text, p.proconfig from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        f" where p.prosecdef and n.nspname not in {_SYSTEM_SCHEMAS}"
    ).fetchall()
    assert rows, "expected at least the participant's own-group function"
    unpinned = [name for name, config in rows if 'search_path=""' not in (config or [])]
    assert unpinned == []


def test_no_security_definer_function_is_executable_by_anon(db: Connection) -> None:
    rows = db.execute(
        "select p.oid::regprocedure::text from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        f" where p.prosecdef and n.nspname not in {_SYSTEM_SCHEMAS}"
        " and has_function_privilege('anon', p.oid, 'execute')"
    ).fetchall()
    assert rows == []


def test_no_policy_function_or_view_reads_user_metadata(db: Connection) -> None:
    policy_hits = [name for _, name, *_, text in _policies(db) if _USER_METADATA.search(text)]
    sources = db.execute(
        "select p.oid::regprocedure::text, p.prosrc from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        f" where n.nspname not in {_SYSTEM_SCHEMAS}"
        " union all"
        " select c.oid::regclass::text, pg_get_viewdef(c.oid) from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('v', 'm')"
    ).fetchall()
    source_hits = [name for name, text in sources if _USER_METADATA.search(str(text))]
    assert policy_hits == []
    assert source_hits == []


def test_policies_call_claim_functions_once_per_statement(db: Connection) -> None:
    # Supabase's advice: wrap auth.uid() and friends in a scalar subquery so the
    # planner evaluates them once, not once per row.
    bare = []
    for table, name, *_, text in _policies(db):
        for call in _CLAIM_CALL.finditer(text):
            before = text[: call.start()].removesuffix("public.")
            if not before.rstrip().upper().endswith("SELECT"):
                bare.append(f"{table}.{name}")
    assert bare == []


def test_at_most_one_permissive_policy_per_table_role_and_action(db: Connection) -> None:
    counts: Counter[tuple[str, str, str]] = Counter()
    for table, _, command, roles, permissive, _ in _policies(db):
        if permissive != "PERMISSIVE":
            continue
        actions = ["SELECT", "INSERT", "UPDATE", "DELETE"] if command == "ALL" else [command]
        for role in roles:
            for action in actions:
                counts[(table, role, action)] += 1
    assert [key for key, count in counts.items() if count > 1] == []
