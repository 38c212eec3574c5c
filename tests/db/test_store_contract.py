"""What the stores send over PostgREST exists in the migrated database: RPCs, relations, columns.

Every method of GroupingStore, WardStore and EventsStore is called over `PostgrestTransport` against
the PostgREST stand-in (store_calls.py); each captured request is then checked against the
real schema, with the grants `authenticated` holds. Which requests each store sends is
test_store_requests.py's.
"""

from __future__ import annotations

import httpx

from functions.grouping.schemas import PolicyPublic, columns_of
from tests.db.store_calls import Connection
from tests.db.store_calls import edits_sent_requests as edits_sent_requests
from tests.db.store_calls import events_sent_requests as events_sent_requests
from tests.db.store_calls import rpc_requests as _rpc_requests
from tests.db.store_calls import sent_requests as sent_requests
from tests.db.store_calls import store_requests as store_requests
from tests.db.store_calls import ward_sent_requests as ward_sent_requests
from tests.functions.postgrest_fake import body_of, relation_of

PRIVILEGE_BY_METHOD = {"GET": "select", "POST": "insert", "PATCH": "update", "DELETE": "delete"}
# Query parameters that are not column filters.
NOT_COLUMNS = {"select", "order", "offset", "limit"}
# The model each row-returning RPC's result is read into (all of the row arrives: no select).
RPC_ROW_MODELS = {"activate_grouping_policy": PolicyPublic}


def _columns_used(request: httpx.Request) -> set[str]:
    used: set[str] = set()
    for key, value in request.url.params.multi_items():
        if key == "select":
            used.update(value.split(","))
        elif key == "order":
            used.update(part.split(".")[0] for part in value.split(","))
        elif key not in NOT_COLUMNS:
            used.add(key)
    body = body_of(request)
    if isinstance(body, dict) and not relation_of(request).startswith("rpc/"):
        used.update(body)
    return used


def _columns_of(db: Connection, relation: str) -> set[str]:
    rows = db.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = %s",
        [relation],
    ).fetchall()
    return {row[0] for row in rows}


def test_every_rpc_exists_with_these_parameter_names_for_authenticated(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for name, requests in _rpc_requests(store_requests).items():
        functions = db.execute(
            "select p.proargnames, p.pronargs - p.pronargdefaults,"
            " has_function_privilege('authenticated', p.oid, 'execute')"
            " from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            [name],
        ).fetchall()
        assert len(functions) == 1, f"{name}: exactly one function, so PostgREST finds it"
        argument_names, required_count, executable = functions[0]
        assert executable, f"{name} is executable by authenticated"
        for request in requests:
            sent = set(body_of(request))
            assert sent <= set(argument_names), f"{name}: unknown parameters"
            assert set(argument_names[:required_count]) <= sent, f"{name}: required parameters"


def test_rpcs_are_called_without_a_select(store_requests: list[httpx.Request]) -> None:
    for name, requests in _rpc_requests(store_requests).items():
        for request in requests:
            assert not _columns_used(request), f"{name}: the transport selects nothing from RPCs"


def test_rpc_rows_have_exactly_the_columns_of_their_model(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for name in _rpc_requests(store_requests):
        returned = db.execute(
            "select array_agg(a.attname::text) from pg_proc p"
            " join pg_type t on t.oid = p.prorettype"
            " join pg_attribute a on a.attrelid = t.typrelid and a.attnum > 0"
            " and not a.attisdropped"
            " where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            [name],
        ).fetchone()
        assert returned is not None
        if returned[0] is None:  # a scalar or jsonb result, not a row
            assert name not in RPC_ROW_MODELS, f"{name} was expected to return a row"
            continue
        assert name in RPC_ROW_MODELS, f"{name} returns a row: say which model reads it"
        # The models forbid unknown fields, so a column more would fail as surely as one less.
        assert set(returned[0]) == set(columns_of(RPC_ROW_MODELS[name])), name


def test_every_row_model_rpc_is_called(sent_requests: list[httpx.Request]) -> None:
    assert set(RPC_ROW_MODELS) <= set(_rpc_requests(sent_requests))


def test_every_table_and_view_read_or_written_has_its_columns_and_grants(
    db: Connection, store_requests: list[httpx.Request]
) -> None:
    for request in store_requests:
        relation = relation_of(request)
        if relation.startswith("rpc/"):
            continue
        missing = _columns_used(request) - _columns_of(db, relation)
        assert not missing, f"{request.method} {relation}: no such columns {sorted(missing)}"
        privilege = PRIVILEGE_BY_METHOD[request.method]
        allowed = db.execute(
            "select has_table_privilege('authenticated', %s, %s)", [f"public.{relation}", privilege]
        ).fetchone()
        assert allowed == (True,), f"authenticated may {privilege} {relation}"
