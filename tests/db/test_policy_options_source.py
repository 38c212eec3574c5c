"""`grouping_policies` agrees with its one source, the engine's `PolicyOptions`.

Its columns are exactly the policy schema's fields, and on any combination of option
values near the rules' edges its CHECKs accept exactly what the engine accepts.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import TupleRow

from engine.grouping.options import PolicyOptions, ScoringWeights
from functions.grouping.schemas import PolicyPublic, columns_of

Connection = psycopg.Connection[TupleRow]
WEIGHT_NAMES = tuple(ScoringWeights.model_fields)


def _columns(db: Connection) -> set[str]:
    rows = db.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = 'grouping_policies'"
    ).fetchall()
    return {row[0] for row in rows}


def test_the_columns_are_the_policy_schemas_fields(db: Connection) -> None:
    assert _columns(db) == set(columns_of(PolicyPublic))
    assert set(PolicyOptions.model_fields) < _columns(db)


# Values on and around each rule's edges (spec: 2 <= min <= fallback <= target <= 50,
# max_allergy_count >= 0, bands strictly increasing from >= 0, weights and stability 0..10).
sizes = st.sampled_from([1, 2, 3, 4, 5, 6, 7, 49, 50, 51])
options = st.fixed_dictionaries(
    {},
    optional={
        "kosher_only": st.booleans(),
        "min_group_size": sizes,
        "fallback_group_size": sizes,
        "target_group_size": sizes,
        "max_allergy_count": st.integers(min_value=-2, max_value=4),
        "age_policy": st.sampled_from(["banded", "loose", "strict"]),
        "age_bands": st.lists(st.integers(min_value=-1, max_value=70), max_size=4),
        "stability_weight": st.sampled_from([-0.5, 0, 0.25, 1, 10, 10.5]),
        "scoring_weights": st.dictionaries(
            st.sampled_from([*WEIGHT_NAMES, "height"]),
            st.sampled_from([-0.5, 0, 0.3, 10, 10.5]),
            max_size=3,
        ),
    },
)


def _engine_accepts(values: dict[str, Any]) -> bool:
    try:
        PolicyOptions.model_validate(values)
    except pydantic.ValidationError:
        return False
    return True


def _database_accepts(db: Connection, values: dict[str, Any]) -> bool:
    columns = ["name", *values]
    params = ["probe", *(json.dumps(v) if isinstance(v, dict) else v for v in values.values())]
    query = "insert into public.grouping_policies ({}) values ({})".format(
        ", ".join(columns), ", ".join(["%s"] * len(columns))
    )
    try:
        with db.transaction(force_rollback=True):
            db.execute(query, params)
    except psycopg.errors.CheckViolation:
        return False
    return True


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=options)
def test_the_checks_accept_exactly_what_the_engine_accepts(
    db: Connection, values: dict[str, Any]
) -> None:
    assert _database_accepts(db, values) == _engine_accepts(values)


def test_the_probe_sees_both_answers(db: Connection) -> None:
    refused = {"min_group_size": 5, "fallback_group_size": 4}
    assert (_database_accepts(db, {}), _engine_accepts({})) == (True, True)
    assert (_database_accepts(db, refused), _engine_accepts(refused)) == (False, False)
