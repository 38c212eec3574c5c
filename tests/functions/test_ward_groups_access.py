"""Who gets through each ward group route (GET groups, preview, both suggestions, restore),
through Mangum on real PostgreSQL: the ward's admins and leaders, and no one else."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from tests.db.ward_fixtures import Conn, assignment_version, store_groups, stored_groups
from tests.functions.api_world import ApiWorld
from tests.functions.events import Answer
from tests.functions.ward_groups_world import Call, Wards, last_audit_id, restore
from tests.functions.ward_groups_world import call as call
from tests.functions.ward_groups_world import wards as wards

pytestmark = pytest.mark.db


def ensure_stored(db: Conn, ward: UUID) -> None:
    """Something for restore to undo."""
    if not stored_groups(db, ward=ward):
        store_groups(db, ward=ward, groups={"frank1": "D"})


def an_allowed_call(call: Call, wards: Wards, api_world: ApiWorld) -> list[Callable[..., Answer]]:
    """Each route, as a function of (who, ward); restore undoes the ward's latest batch."""

    def restore_latest(who: str, ward: UUID) -> Answer:
        db = api_world.db
        ensure_stored(db, wards.a)
        version = assignment_version(db, ward=wards.a)
        return restore(call, ward, last_audit_id(db, wards.a), version, who)

    return [
        lambda who, ward: call("GET", f"/{ward}", who=who),
        lambda who, ward: preview_as(call, who, ward),
        lambda who, ward: call("GET", f"/{ward}/suggestion", who=who, query="by=members"),
        lambda who, ward: call("GET", f"/{ward}/suggestion", who=who, query="by=attendance"),
        restore_latest,
    ]


def preview_as(call: Call, who: str, ward: UUID) -> Answer:
    body = {"wardBranchId": str(ward), "boundaryIndex": 0, "fraction": 0.1}
    return call("POST", "/preview", body=body, who=who)


@pytest.mark.parametrize("route", range(5))
def test_only_the_wards_admins_and_leaders_get_through(
    call: Call, wards: Wards, api_world: ApiWorld, route: int
) -> None:
    send_as = an_allowed_call(call, wards, api_world)[route]
    for who in ("a_admin", "a_leader"):
        answer = send_as(who, wards.a)
        assert answer.status == 200, (who, answer.text)
    ensure_stored(api_world.db, wards.a)
    version = assignment_version(api_world.db, ward=wards.a)
    refusals = [send_as(who, wards.a) for who in ("a_member", "b_admin", "plain", "global_admin")]
    refusals.append(send_as("a_admin", uuid4()))
    assert [answer.status for answer in refusals] == [403] * 5
    assert len({answer.text for answer in refusals}) == 1
    assert refusals[0].json()["type"].endswith("not-ward-manager")
    assert assignment_version(api_world.db, ward=wards.a) == version
