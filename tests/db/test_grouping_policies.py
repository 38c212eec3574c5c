"""grouping_policies: CHECKs that mirror the engine's option rules, and one active policy.

Concurrent activations are in test_grouping_policy_races.py.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pydantic
import pytest
from psycopg.rows import TupleRow

from engine.grouping.options import GroupingOptions
from tests.db.grouping_world import active_policies as _active
from tests.db.grouping_world import insert_policy, scalar

Connection = psycopg.Connection[TupleRow]

# (columns, valid?) decided from the spec's option table, not from either implementation.
CASES: list[tuple[str, dict[str, Any], bool]] = [
    (
        "smallest sizes",
        {"min_group_size": 2, "fallback_group_size": 2, "target_group_size": 2},
        True,
    ),
    ("largest target", {"target_group_size": 50}, True),
    ("min below two", {"min_group_size": 1}, False),
    ("fallback below min", {"min_group_size": 5, "fallback_group_size": 4}, False),
    ("target below fallback", {"fallback_group_size": 6, "target_group_size": 5}, False),
    ("target above fifty", {"target_group_size": 51}, False),
    ("no severe allergens allowed", {"max_allergy_count": 0}, True),
    ("negative allergy count", {"max_allergy_count": -1}, False),
    ("loose ages", {"age_policy": "loose"}, True),
    ("unknown age policy", {"age_policy": "strict"}, False),
    ("one band edge", {"age_bands": [0]}, True),
    ("no band edges", {"age_bands": []}, False),
    ("bands not increasing", {"age_bands": [18, 30, 25]}, False),
    ("repeated band edge", {"age_bands": [18, 25, 25]}, False),
    ("negative band edge", {"age_bands": [-1, 18]}, False),
    ("weights at the limits", {"scoring_weights": {"age": 0, "size": 10}}, True),
    ("weight above ten", {"scoring_weights": {"diet": 10.5}}, False),
    ("negative weight", {"scoring_weights": {"age": -0.1}}, False),
    ("unknown weight key", {"scoring_weights": {"height": 1}}, False),
    ("weight not a number", {"scoring_weights": {"age": "high"}}, False),
]


def _insert(conn: Connection, columns: dict[str, Any]) -> None:
    names = ", ".join(["name", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    values = [json.dumps(v) if isinstance(v, dict) else v for v in columns.values()]
    conn.execute(
        f"insert into public.grouping_policies ({names}) values ({marks})".encode(),
        ["case", *values],
    )


def _engine_accepts(columns: dict[str, Any]) -> bool:
    options = {k: tuple(v) if k == "age_bands" else v for k, v in columns.items()}
    try:
        GroupingOptions.model_validate(options)
    except pydantic.ValidationError:
        return False
    return True


@pytest.mark.parametrize(("columns", "valid"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_checks_accept_exactly_what_the_engine_accepts(
    db: Connection, columns: dict[str, Any], valid: bool
) -> None:
    assert _engine_accepts(columns) is valid
    with db.transaction(force_rollback=True):
        if valid:
            _insert(db, columns)
        else:
            with pytest.raises(psycopg.errors.CheckViolation):
                _insert(db, columns)


def test_column_defaults_are_the_engine_defaults(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        row = db.execute(
            "insert into public.grouping_policies (name) values ('defaults') returning"
            " kosher_only, min_group_size, fallback_group_size, target_group_size,"
            " max_allergy_count, age_policy, age_bands, scoring_weights, is_active"
        ).fetchone()
    assert row == (False, 4, 5, 6, 3, "banded", [18, 25, 30, 35, 40, 50, 60], {}, False)
    defaults = GroupingOptions()
    assert row[:7] == (
        defaults.kosher_only,
        defaults.min_group_size,
        defaults.fallback_group_size,
        defaults.target_group_size,
        defaults.max_allergy_count,
        defaults.age_policy,
        list(defaults.age_bands),
    )


def test_activating_one_policy_deactivates_the_other(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        first = insert_policy(db, name="first", active=True)
        second = insert_policy(db, name="second", active=True)
        assert _active(db) == [second]
        db.execute("update public.grouping_policies set is_active = true where id = %s", [first])
        assert _active(db) == [first]


def test_the_partial_unique_index_holds_even_without_the_trigger(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        insert_policy(db, name="first", active=True)
        db.execute(
            "alter table public.grouping_policies disable trigger single_active_policy_trigger"
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            insert_policy(db, name="second", active=True)


def test_an_archived_policy_cannot_be_activated(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        archived = scalar(
            db,
            "insert into public.grouping_policies (name, archived_at) values ('old', now())"
            " returning id",
        )
        db.execute("set local role service_role")
        with pytest.raises(psycopg.Error) as raised:
            db.execute("select public.activate_grouping_policy(%s)", [archived])
    assert raised.value.sqlstate == "GR002"
    assert archived not in _active(db)


def test_activating_an_unknown_policy_is_no_data_found(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        db.execute("set local role service_role")
        with pytest.raises(psycopg.errors.NoDataFound):
            db.execute("select public.activate_grouping_policy(gen_random_uuid())")


def test_the_active_policy_cannot_be_deleted_or_archived(db: Connection) -> None:
    with db.transaction(force_rollback=True):
        active = insert_policy(db, name="in use", active=True)
        with pytest.raises(psycopg.Error) as raised:
            db.execute("delete from public.grouping_policies where id = %s", [active])
    assert raised.value.sqlstate == "GR003"
    with db.transaction(force_rollback=True):
        active = insert_policy(db, name="in use", active=True)
        with pytest.raises(psycopg.errors.CheckViolation):
            db.execute(
                "update public.grouping_policies set archived_at = now() where id = %s", [active]
            )
