"""PUT roster and POST bulk-update through Mangum, on real PostgreSQL (spec/wards.md): what
a roster sync and a bulk update write, and what they audit."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.db.ward_fixtures import Conn, assignment_version, audit_rows, stored_groups
from tests.functions.ward_bulk_world import BULK, DEFAULT, ROSTER, body
from tests.functions.ward_bulk_world import call as call
from tests.functions.ward_bulk_world import cast as cast
from tests.functions.ward_bulk_world import stored_ward as stored_ward
from tests.functions.ward_bulk_world import ward as ward
from tests.functions.ward_world import Call, WardCast

pytestmark = pytest.mark.db


def roster_names(db: Conn, ward: UUID) -> dict[str, tuple[str, str]]:
    rows = db.execute(
        "select user_hash, first_name, last_name from public.ward_members"
        " where ward_branch_id = %s",
        [ward],
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_roster_sync_adds_updates_and_removes(db: Conn, cast: WardCast, call: Call) -> None:
    path = f"/api/ward-members/roster/{cast.ward_a}"
    token = cast.tokens["a_admin"]
    answer = call("PUT", path, token=token, body=ROSTER)
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 6, "updated": 0, "removed": 0, "rejoined": 0}
    assert roster_names(db, cast.ward_a)["c2"] == ("Dana", "Cohen")

    renamed = {**ROSTER[0], "lastName": "Ben David"}
    answer = call("PUT", path, token=token, body=[renamed, *ROSTER[1:3], *ROSTER[4:]])
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 0, "updated": 1, "removed": 1, "rejoined": 0}
    names = roster_names(db, cast.ward_a)
    assert set(names) == {"b1", "c1", "c2", "m1", "m2"}
    assert names["b1"] == ("Noa", "Ben David")


def test_a_sync_that_joins_a_household_keeps_it_in_one_group(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    audited = len(audit_rows(db, ward=stored_ward))
    # Moshe (Levi, group C) marries into the Cohens at 1 Herzl St (group B, two of them).
    joined = {**ROSTER[3], "lastName": "Cohen", "address": "1 Herzl St"}
    roster = [*ROSTER[:3], joined, *ROSTER[4:]]
    path = f"/api/ward-members/roster/{stored_ward}"
    answer = call("PUT", path, token=cast.tokens["a_leader"], body=roster)
    assert answer.status == 200, answer.text
    assert answer.json() == {"added": 0, "updated": 1, "removed": 0, "rejoined": 1}
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, "l1": "B"}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    moved = [r for r in new_rows if r.old_group != r.new_group]
    assert [(r.user_hash, r.old_group, r.new_group, r.actor_id) for r in moved] == [
        ("l1", "C", "B", cast.user_ids["a_leader"])
    ]
    # Every stored member now carries the household key the roster gives them (the
    # fixture stored none), in the same audited batch: Moshe's is the Cohens'.
    assert len({r.batch_id for r in new_rows}) == 1
    keys: dict[str, str] = dict(
        db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [stored_ward],
        ).fetchall()
    )
    assert keys["l1"] == keys["c1"] == keys["c2"]
    assert keys["m1"] == keys["m2"] == "H-mizrahi"
    assert len(set(keys.values())) == 3  # Ben-David, Cohen (with Moshe), Mizrahi


def test_first_bulk_update_stores_the_default_plus_the_changes(
    db: Conn, ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=ward)
    answer = call("POST", BULK, token=cast.tokens["a_admin"], body=body(ward, version, l1="D"))
    assert answer.status == 200, answer.text
    new_version = assignment_version(db, ward=ward)
    assert new_version > version
    assert answer.json() == {
        "wardBranchId": str(ward),
        "version": new_version,
        "requested": 1,
        "changed": 1,
        "written": 6,
    }
    assert stored_groups(db, ward=ward) == {**DEFAULT, "l1": "D"}
    audit = audit_rows(db, ward=ward)
    assert {(row.user_hash, row.action, row.old_group, row.new_group) for row in audit} == {
        (h, "insert", None, g) for h, g in {**DEFAULT, "l1": "D"}.items()
    }
    assert {row.actor_id for row in audit} == {cast.user_ids["a_admin"]}
    households: dict[str, str] = dict(
        db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [ward],
        ).fetchall()
    )
    assert households["m1"] == households["m2"] == "H-mizrahi"
    assert households["c1"] == households["c2"] != households["l1"]


def test_a_later_bulk_update_writes_only_what_changes(
    db: Conn, stored_ward: UUID, cast: WardCast, call: Call
) -> None:
    version = assignment_version(db, ward=stored_ward)
    audited = len(audit_rows(db, ward=stored_ward))
    moves = body(stored_ward, version, m1="C", m2="C", b1="A")  # b1 stays in A
    answer = call("POST", BULK, token=cast.tokens["a_leader"], body=moves)
    assert answer.status == 200, answer.text
    assert answer.json()["requested"] == 3
    assert answer.json()["changed"] == 2
    assert answer.json()["version"] == assignment_version(db, ward=stored_ward)
    assert stored_groups(db, ward=stored_ward) == {**DEFAULT, "m1": "C", "m2": "C"}
    new_rows = audit_rows(db, ward=stored_ward)[audited:]
    assert [(r.user_hash, r.old_group, r.new_group) for r in new_rows] == [
        ("m1", "D", "C"),
        ("m2", "D", "C"),
    ]
