"""GroupingStore's policies on the real migrated database, as an admin: create, list and read,
activation, updates with their versions, and delete or archive."""

from __future__ import annotations

from uuid import uuid4

import pytest

from functions.database.errors import InvalidPayloadError
from functions.grouping.errors import ActivePolicyError, ArchivedPolicyError
from functions.grouping.schemas import PolicyCreate, PolicyUpdate
from functions.web.errors import NotFoundError, StaleVersionError
from tests.db.grouping_store_world import Connection, Stores
from tests.db.grouping_store_world import grouped as _grouped
from tests.db.grouping_store_world import insert_people as _insert_people
from tests.db.grouping_store_world import run_record as _run_record
from tests.db.grouping_store_world import stores as stores


def test_an_admin_creates_lists_and_reads_policies(stores: Stores) -> None:
    created = stores.admin.create_policy(
        policy=PolicyCreate(
            name="Kosher evening",
            kosher_only=True,
            target_group_size=8,
            age_bands=(20, 40),
            scoring_weights={"age": 0.5},
        )
    )
    assert (created.name, created.kosher_only, created.target_group_size) == (
        "Kosher evening",
        True,
        8,
    )
    assert created.age_bands == (20, 40)
    assert created.model_dump(mode="json")["scoring_weights"] == {"age": 0.5}
    assert (created.min_group_size, created.is_active, created.archived_at) == (4, False, None)
    assert stores.admin.get_policy(policy_id=created.id) == created
    assert [p.id for p in stores.admin.list_policies()] == [created.id]


def test_activation_moves_the_single_active_flag(stores: Stores) -> None:
    first = stores.admin.create_policy(policy=PolicyCreate(name="first"))
    second = stores.admin.create_policy(policy=PolicyCreate(name="second"))
    assert stores.admin.get_active_policy() is None
    assert stores.admin.activate_policy(policy_id=first.id).is_active
    assert stores.admin.activate_policy(policy_id=second.id).is_active
    active = stores.admin.get_active_policy()
    assert active is not None and active.id == second.id
    assert not stores.admin.get_policy(policy_id=first.id).is_active
    with pytest.raises(NotFoundError):
        stores.admin.activate_policy(policy_id=uuid4())


def test_updates_change_fields_and_refuse_stale_versions(stores: Stores) -> None:
    policy = stores.admin.create_policy(policy=PolicyCreate(name="before"))
    changed = stores.admin.update_policy(
        policy_id=policy.id,
        changes=PolicyUpdate(name="after", max_allergy_count=1),
        expected_updated_at=policy.updated_at,
    )
    assert (changed.name, changed.max_allergy_count, changed.kosher_only) == ("after", 1, False)
    assert changed.updated_at > policy.updated_at
    with pytest.raises(StaleVersionError):
        stores.admin.update_policy(
            policy_id=policy.id,
            changes=PolicyUpdate(name="lost update"),
            expected_updated_at=policy.updated_at,
        )
    # The database's CHECK refuses a minimum above the stored fallback size (5).
    with pytest.raises(InvalidPayloadError):
        stores.admin.update_policy(policy_id=policy.id, changes=PolicyUpdate(min_group_size=9))
    with pytest.raises(NotFoundError):
        stores.admin.update_policy(policy_id=uuid4(), changes=PolicyUpdate(name="x"))
    assert stores.admin.get_policy(policy_id=policy.id).name == "after"


def test_delete_removes_an_unused_policy_archives_a_used_one_and_refuses_the_active(
    db: Connection, stores: Stores
) -> None:
    unused = stores.admin.create_policy(policy=PolicyCreate(name="unused"))
    used = stores.admin.create_policy(policy=PolicyCreate(name="used"))
    active = stores.admin.create_policy(policy=PolicyCreate(name="active"))
    stores.admin.activate_policy(policy_id=active.id)
    _insert_people(db, 6, seed=1)
    stores.admin.save_run(
        idempotency_key=None,
        policy_id=used.id,
        run=_run_record(),
        result=_grouped(stores.admin, used.id),
    )

    assert stores.admin.delete_policy(policy_id=unused.id) == "deleted"
    with pytest.raises(NotFoundError):
        stores.admin.get_policy(policy_id=unused.id)
    assert stores.admin.delete_policy(policy_id=used.id) == "archived"
    assert stores.admin.get_policy(policy_id=used.id).archived_at is not None
    assert [p.id for p in stores.admin.list_policies()] == [active.id]
    assert {p.id for p in stores.admin.list_policies(include_archived=True)} == {used.id, active.id}
    with pytest.raises(ActivePolicyError):
        stores.admin.delete_policy(policy_id=active.id)
    with pytest.raises(ArchivedPolicyError):
        stores.admin.activate_policy(policy_id=used.id)
    with pytest.raises(ArchivedPolicyError):
        stores.admin.update_policy(policy_id=used.id, changes=PolicyUpdate(name="renamed"))
    with pytest.raises(NotFoundError):
        stores.admin.delete_policy(policy_id=uuid4())
