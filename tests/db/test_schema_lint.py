"""Schema lint on the migrated catalog: rules every table, view, policy and function keeps.

It introspects the database, so every table and function any migration adds is covered.
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
_HELPER_SCHEMA_PREFIX = re.compile(r"(?:public|private)\.$")
# The schema of the helpers RLS and the RPCs need: PostgREST does not expose it, so
# nothing in it is an endpoint; only its usage and each function's execute are granted.
_PRIVATE = "private"
# What PostgREST can expose: every schema of ours but `private` (Supabase serves public).
_EXPOSED = "n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'auth', 'private')"
# The security definer functions an API role may call in an exposed schema, each on
# purpose: it checks its caller itself and pins search_path (README, "The database").
_DEFINER_RPCS = {
    # The ward RPCs lock the ward's version row (SELECT ... FOR UPDATE), which no API
    # role may write; each refuses (42501) a caller who does not manage the ward before
    # it reads or writes anything.
    "public.ward_bulk_update(uuid, jsonb, bigint)",
    "public.ward_restore_assignments(uuid, bigint, bigint)",
    "public.ward_sync_roster(uuid, jsonb)",
    # A run's groups change only through this RPC (no API role may update them); it
    # refuses (42501) a caller who is not an admin before it reads anything.
    "public.edit_run_groups(uuid, integer, text, jsonb, jsonb)",
    # The health doors (issue 13): each checks its caller and writes the access audit row
    # the caller cannot write, in the same transaction as the read it audits.
    "public.open_participant_answers(uuid, text, text)",
    "public.open_group_allergy_notes(text, uuid, text)",
    "public.open_health_for_run(text, uuid)",
    "public.open_health_for_import(text, jsonb, uuid)",
    "public.set_allergy_sharing(boolean)",
    "public.erase_participant_health(uuid, text)",
}
_SIGNATURE = "format('%I.%I(%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes))"


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
            before = _HELPER_SCHEMA_PREFIX.sub("", text[: call.start()])
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


def _functions(db: Connection, where: str) -> list[str]:
    rows = db.execute(
        f"select {_SIGNATURE} from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        f" where {where} order by 1"
    ).fetchall()
    return [str(name) for (name,) in rows]


def test_api_roles_execute_security_definer_functions_of_exposed_schemas_only_on_purpose(
    db: Connection,
) -> None:
    # Supabase's lints 0028/0029: a definer function an API role may execute in an exposed
    # schema is an endpoint that bypasses RLS. The allowlist is exact, so it stays true.
    executable = _functions(
        db,
        f"p.prosecdef and {_EXPOSED} and (has_function_privilege('authenticated', p.oid,"
        " 'execute') or has_function_privilege('anon', p.oid, 'execute'))",
    )
    assert set(executable) == _DEFINER_RPCS


def test_every_allowlisted_definer_function_pins_an_empty_search_path(db: Connection) -> None:
    pinned = _functions(db, """p.prosecdef and p.proconfig @> array['search_path=""']""")
    assert sorted(_DEFINER_RPCS - set(pinned)) == []


def test_the_private_schema_is_for_signed_in_callers_and_the_service_only(db: Connection) -> None:
    grants = db.execute(
        "select r, has_schema_privilege(r, n.oid, 'usage') from pg_namespace n,"
        " unnest(%s::text[]) r where n.nspname = %s",
        [["anon", "authenticated", "service_role"], _PRIVATE],
    ).fetchall()
    assert grants == [("anon", False), ("authenticated", True), ("service_role", True)]
    assert _functions(db, f"n.nspname = '{_PRIVATE}'"), "expected the RLS helpers"
    assert (
        _functions(
            db, f"n.nspname = '{_PRIVATE}' and has_function_privilege('anon', p.oid, 'execute')"
        )
        == []
    )


def test_policies_call_no_function_of_an_exposed_schema(db: Connection) -> None:
    # The helpers RLS needs live in `private`: no policy depends on a function PostgREST
    # could also serve as an RPC.
    rows = db.execute(
        f"select c.relname || '.' || pol.polname, {_SIGNATURE} from pg_policy pol"
        " join pg_class c on c.oid = pol.polrelid"
        " join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid"
        " and d.refclassid = 'pg_proc'::regclass"
        " join pg_proc p on p.oid = d.refobjid"
        " join pg_namespace n on n.oid = p.pronamespace"
        f" where {_EXPOSED} order by 1, 2"
    ).fetchall()
    assert rows == []


def test_no_trigger_function_is_executable_by_an_api_role(db: Connection) -> None:
    executable = _functions(
        db,
        f"p.prorettype = 'trigger'::regtype and n.nspname not in {_SYSTEM_SCHEMAS}"
        " and (has_function_privilege('anon', p.oid, 'execute')"
        " or has_function_privilege('authenticated', p.oid, 'execute')"
        " or has_function_privilege('service_role', p.oid, 'execute'))",
    )
    assert executable == []


_QUALIFIED_CALL = re.compile(r"\b(public|private|auth)\.([a-z_][a-z0-9_]*)\s*\(")


def test_every_schema_qualified_name_a_function_body_calls_exists(db: Connection) -> None:
    # A function body (plpgsql, or sql as a string) is not tracked as a dependency, so
    # dropping or moving a function it calls succeeds and breaks it at run time.
    known = {
        (str(schema), str(name))
        for schema, name in db.execute(
            "select n.nspname, p.proname from pg_proc p"
            " join pg_namespace n on n.oid = p.pronamespace"
            " union select n.nspname, c.relname from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace"
            " union select n.nspname, t.typname from pg_type t"
            " join pg_namespace n on n.oid = t.typnamespace"
        ).fetchall()
    }
    bodies = db.execute(
        f"select {_SIGNATURE}, p.prosrc from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        f" where n.nspname not in {_SYSTEM_SCHEMAS}"
    ).fetchall()
    missing = sorted(
        f"{function} calls {schema}.{name}"
        for function, source in bodies
        for schema, name in _QUALIFIED_CALL.findall(str(source))
        if (schema, name) not in known
    )
    assert missing == []
