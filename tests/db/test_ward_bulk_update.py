"""ward_bulk_update's writes: all or nothing, optimistic version, audit per change.

Its refusals (households, bad requests, callers) are in test_ward_bulk_update_refusals.py.
"""

from __future__ import annotations

import threading
from uuid import UUID

import psycopg

from tests.db import ward_fixtures as wf
from tests.db.actors import act_as
from tests.db.ward_bulk_case import ROSTER, STORED, WardCase
from tests.db.ward_bulk_case import case as case


def test_a_ward_starts_at_version_zero_and_one_statement_moves_it_once(db: wf.Conn) -> None:
    ward = wf.create_ward(db, name="Fresh", roster=ROSTER[:2])
    assert wf.assignment_version(db, ward=ward) == 0
    db.execute(
        "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
        " values (%s, 'cohen-1', 'A'), (%s, 'cohen-2', 'A')",
        [ward, ward],
    )
    assert wf.assignment_version(db, ward=ward) == 1


def test_moving_households_writes_groups_stamps_the_actor_and_bumps_the_version(
    db: wf.Conn, case: WardCase
) -> None:
    request = wf.moves(**{"levi-1": "C", "levi-2": "C", "cohen-1": "A", "cohen-2": "A"})
    with act_as(db, case.admin, commit=True):
        new_version = wf.bulk_update(
            db, ward=case.ward, assignments=request, expected_version=case.version
        )
    assert new_version == case.version + 1
    assert wf.assignment_version(db, ward=case.ward) == new_version
    assert wf.stored_groups(db, ward=case.ward) == {**STORED, "levi-1": "C", "levi-2": "C"}
    assigned_by: dict[str, UUID | None] = dict(
        db.execute(
            "select user_hash, assigned_by from public.ward_member_groups"
            " where ward_branch_id = %s",
            [case.ward],
        ).fetchall()
    )
    assert assigned_by["levi-1"] == assigned_by["levi-2"] == case.admin.user_id
    # unchanged members keep the owner's original stamp (no caller then)
    assert assigned_by["cohen-1"] is None


def test_each_changed_member_gets_exactly_one_audit_row_with_the_actor(
    db: wf.Conn, case: WardCase
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    request = wf.moves(**{"levi-1": "C", "levi-2": "C", "peretz-1": "D", "mizrahi-1": "A"})
    with act_as(db, case.leader, commit=True):
        wf.bulk_update(db, ward=case.ward, assignments=request, expected_version=case.version)
    new_rows = wf.audit_rows(db, ward=case.ward)[before:]
    changed = {(row.user_hash, row.old_group, row.new_group) for row in new_rows}
    # peretz-1 was already in D: named in the request but not changed, so not audited
    assert changed == {("levi-1", "B", "C"), ("levi-2", "B", "C"), ("mizrahi-1", "C", "A")}
    assert len(new_rows) == 3
    assert {row.action for row in new_rows} == {"update"}
    assert {row.actor_id for row in new_rows} == {case.leader.user_id}
    assert len({row.batch_id for row in new_rows}) == 1


def test_a_request_that_changes_nothing_keeps_the_version_and_writes_no_audit(
    db: wf.Conn, case: WardCase
) -> None:
    before = len(wf.audit_rows(db, ward=case.ward))
    with act_as(db, case.admin, commit=True):
        version = wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"peretz-1": "D"}),
            expected_version=case.version,
        )
    assert version == case.version
    assert len(wf.audit_rows(db, ward=case.ward)) == before


def test_a_stale_version_is_a_conflict_and_nothing_changes(db: wf.Conn, case: WardCase) -> None:
    with act_as(db, case.admin, commit=True):
        current = wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"peretz-1": "A"}),
            expected_version=case.version,
        )
    snapshot = wf.stored_groups(db, ward=case.ward)
    audit_count = len(wf.audit_rows(db, ward=case.ward))
    # the leader still holds the version read before the admin's change
    with act_as(db, case.leader, commit=True), wf.refused(db, "WB004") as info:
        wf.bulk_update(
            db,
            ward=case.ward,
            assignments=wf.moves(**{"mizrahi-1": "B"}),
            expected_version=case.version,
        )
    assert wf.refusal_detail(info) == {"current_version": current}
    assert wf.stored_groups(db, ward=case.ward) == snapshot
    assert wf.assignment_version(db, ward=case.ward) == current
    assert len(wf.audit_rows(db, ward=case.ward)) == audit_count


def test_concurrent_updates_from_one_version_let_exactly_one_through(
    db: wf.Conn, database_url: str, case: WardCase
) -> None:
    outcome: dict[str, str] = {}
    with psycopg.connect(database_url) as first, psycopg.connect(database_url) as second:
        with act_as(first, case.admin, commit=True):
            wf.bulk_update(
                first,
                ward=case.ward,
                assignments=wf.moves(**{"mizrahi-1": "A"}),
                expected_version=case.version,
            )

            def race() -> None:
                # blocks on the ward's version lock until `first` commits, then sees it moved
                try:
                    with act_as(second, case.leader, commit=True):
                        wf.bulk_update(
                            second,
                            ward=case.ward,
                            assignments=wf.moves(**{"mizrahi-1": "B"}),
                            expected_version=case.version,
                        )
                    outcome["second"] = "written"
                except psycopg.Error as error:
                    outcome["second"] = str(error.sqlstate)

            racer = threading.Thread(target=race)
            racer.start()
            racer.join(timeout=0.5)
            assert racer.is_alive(), "the second update should wait for the first"
        racer.join(timeout=10)
    assert outcome == {"second": "WB004"}
    assert wf.stored_groups(db, ward=case.ward)["mizrahi-1"] == "A"
    assert wf.assignment_version(db, ward=case.ward) == case.version + 1
