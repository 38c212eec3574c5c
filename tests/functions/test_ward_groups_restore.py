"""POST a ward's group restore through Mangum, on real PostgreSQL: a stale version is a 409,
an unknown audit entry a 404, and a restore returns the exact earlier state
(ward A's roster and default cut: tests/functions/ward_groups_world.py)."""

from __future__ import annotations

import pytest

from tests.db.ward_fixtures import assignment_version, audit_rows, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.ward_groups_world import DEFAULT_GROUPS, Call, Wards, last_audit_id, restore
from tests.functions.ward_groups_world import call as call
from tests.functions.ward_groups_world import wards as wards

pytestmark = pytest.mark.db


def test_restore_returns_the_exact_earlier_state(
    call: Call, wards: Wards, api_world: ApiWorld
) -> None:
    db = api_world.db
    first = {h: label for label, hs in DEFAULT_GROUPS.items() for h in hs}
    store_groups(db, ward=wards.a, groups=first)
    earlier = call("GET", f"/{wards.a}").json()
    db.execute(
        "update public.ward_member_groups set assigned_group = 'D'"
        " where ward_branch_id = %s and user_hash in ('eden1', 'eden2')",
        [wards.a],
    )
    changed = last_audit_id(db, wards.a)
    version = assignment_version(db, ward=wards.a)
    assert version > earlier["version"]

    stale = restore(call, wards.a, changed, earlier["version"])
    assert stale.status == 409, stale.text
    assert stale.json()["currentVersion"] == version
    assert stale.json()["errors"] == [
        {"field": "expectedVersion", "message": f"stale; the current version is {version}"}
    ]
    assert restore(call, wards.a, 10**12, version).status == 404

    answer = restore(call, wards.a, changed, version)
    assert answer.status == 200, answer.text
    assert answer.json()["version"] == assignment_version(db, ward=wards.a) > version
    assert stored_groups(db, ward=wards.a) == first
    now = call("GET", f"/{wards.a}").json()
    assert {**now, "version": None} == {**earlier, "version": None}
    undone = [row for row in audit_rows(db, ward=wards.a) if row.restored_from is not None]
    assert sorted((row.user_hash, row.new_group) for row in undone) == [
        ("eden1", "C"),
        ("eden2", "C"),
    ]
