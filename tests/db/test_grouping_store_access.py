"""GroupingStore's refusals on the real migrated database: a non-admin is refused writes and
sees nothing, the database's refusals become domain errors by SQLSTATE, an unreachable
database is unavailable, and a verified token's claims become the database identity."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import jwt
import psycopg
import pytest

from functions.database.errors import (
    DatabaseUnavailableError,
    InvalidPayloadError,
    ReferentialIntegrityError,
)
from functions.database.postgres import (
    SERVICE_IDENTITY,
    PostgresTransport,
    identity_of_verified_token,
)
from functions.grouping.schemas import PolicyCreate
from functions.grouping.store import GroupingStore
from functions.web.errors import ForbiddenError, NotFoundError
from tests.db.grouping_store_world import Connection, Stores
from tests.db.grouping_store_world import admin_claims as _admin_claims
from tests.db.grouping_store_world import grouped as _grouped
from tests.db.grouping_store_world import insert_people as _insert_people
from tests.db.grouping_store_world import run_record as _run_record
from tests.db.grouping_store_world import stores as stores


def test_a_non_admin_is_refused_writes_and_sees_nothing(db: Connection, stores: Stores) -> None:
    _insert_people(db, 6, seed=2)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="private"))
    run_id = stores.admin.record_failed_run(policy_id=policy.id, run=_run_record(), failure="x")

    with pytest.raises(ForbiddenError):
        stores.outsider.create_policy(policy=PolicyCreate(name="mine"))
    with pytest.raises(ForbiddenError):
        stores.outsider.activate_policy(policy_id=policy.id)
    with pytest.raises(ForbiddenError):
        stores.outsider.record_failed_run(policy_id=policy.id, run=_run_record(), failure="x")
    assert stores.outsider.list_policies() == []
    assert stores.outsider.get_active_policy() is None
    assert stores.outsider.list_active_participants() == []
    assert stores.outsider.find_run_by_idempotency_key(key="anything") is None
    with pytest.raises(NotFoundError):
        stores.outsider.get_policy(policy_id=policy.id)
    with pytest.raises(NotFoundError):
        stores.outsider.get_run(run_id=run_id)
    with pytest.raises(NotFoundError):
        stores.outsider.delete_policy(policy_id=policy.id)
    assert stores.admin.get_policy(policy_id=policy.id).name == "private"


def test_database_refusals_become_domain_errors_by_sqlstate(db: Connection, stores: Stores) -> None:
    _insert_people(db, 6, seed=4)
    policy = stores.admin.create_policy(policy=PolicyCreate(name="refusals"))
    result = _grouped(stores.admin, policy.id)
    # 23503: the run names a policy that does not exist.
    with pytest.raises(ReferentialIntegrityError) as refused:
        stores.admin.save_run(
            idempotency_key=None, policy_id=uuid4(), run=_run_record(), result=result
        )
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    # 23514: an empty idempotency key breaks a CHECK.
    with pytest.raises(InvalidPayloadError):
        stores.admin.save_run(
            idempotency_key="", policy_id=policy.id, run=_run_record(), result=result
        )
    assert "select" not in str(refused.value).lower()


def test_an_unreachable_database_is_unavailable() -> None:
    def refuse() -> psycopg.Connection[Any]:
        return psycopg.connect("postgresql://postgres@127.0.0.1:1/none", connect_timeout=2)

    store = GroupingStore(PostgresTransport(refuse, identity=SERVICE_IDENTITY))
    with pytest.raises(DatabaseUnavailableError):
        store.list_policies()


def test_a_verified_tokens_claims_become_the_database_identity() -> None:
    user_id = uuid4()
    token = jwt.encode(_admin_claims(user_id), "k" * 32, algorithm="HS256")
    identity = identity_of_verified_token(token)
    assert identity.role == "authenticated"
    assert identity.claims["sub"] == str(user_id)
    assert identity.claims["app_metadata"]["role"] == "admin"
