"""The audit trail and version of ward_member_groups: every writer, restores, ward removal."""

from __future__ import annotations

from uuid import UUID

import pytest
from psycopg import sql

from tests.db.actors import SERVICE_ROLE, Actor, act_as
from tests.db.ward_fixtures import (
    Conn,
    RosterEntry,
    assignment_version,
    audit_rows,
    bulk_update,
    create_ward,
    moves,
    refusal_detail,
    refused,
    restore_assignments,
    stored_groups,
    ward_user,
)

ROSTER = (
    RosterEntry("dana", "H-1"),
    RosterEntry("dov", "H-1"),
    RosterEntry("eli"),
    RosterEntry("gal"),
)


@pytest.fixture
def ward(db: Conn) -> UUID:
    return create_ward(db, name="Audited ward", roster=ROSTER)


@pytest.fixture
def admin(db: Conn, ward: UUID) -> Actor:
    return ward_user(db, name="ward admin", ward=ward, role="admin")


def first_audit_id_of_last_batch(db: Conn, *, ward: UUID) -> int:
    row = db.execute(
        "select min(id) from public.audit_log where ward_branch_id = %s and batch_id ="
        " (select batch_id from public.audit_log where ward_branch_id = %s"
        "  order by id desc limit 1)",
        [ward, ward],
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_direct_writes_through_the_api_are_versioned_and_audited(
    db: Conn, ward: UUID, admin: Actor
) -> None:
    with act_as(db, admin, commit=True):
        db.execute(
            "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
            " values (%s, 'eli', 'A'), (%s, 'gal', 'B')",
            [ward, ward],
        )
        db.execute(
            "update public.ward_member_groups set assigned_group = 'C'"
            " where ward_branch_id = %s and user_hash = 'eli'",
            [ward],
        )
        db.execute(
            "delete from public.ward_member_groups where ward_branch_id = %s and user_hash = 'gal'",
            [ward],
        )
    rows = audit_rows(db, ward=ward)
    assert [(r.user_hash, r.action, r.old_group, r.new_group) for r in rows] == [
        ("eli", "insert", None, "A"),
        ("gal", "insert", None, "B"),
        ("eli", "update", "A", "C"),
        ("gal", "delete", "B", None),
    ]
    assert {r.actor_id for r in rows} == {admin.user_id}
    # one batch per statement when no RPC names the batch
    assert len({r.batch_id for r in rows}) == 3
    assert assignment_version(db, ward=ward) == 3
    assigned_by = db.execute(
        "select assigned_by from public.ward_member_groups where ward_branch_id = %s", [ward]
    ).fetchall()
    assert assigned_by == [(admin.user_id,)]


def test_assigned_by_cannot_be_forged_by_the_caller(db: Conn, ward: UUID, admin: Actor) -> None:
    forged = ward_user(db, name="someone else", ward=ward, role="leader").user_id
    with act_as(db, admin, commit=True):
        db.execute(
            "insert into public.ward_member_groups"
            " (ward_branch_id, user_hash, assigned_group, assigned_by)"
            " values (%s, 'eli', 'A', %s)",
            [ward, forged],
        )
    row = db.execute(
        "select assigned_by from public.ward_member_groups where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row == (admin.user_id,)


def test_an_assignment_cannot_move_to_another_member(db: Conn, ward: UUID, admin: Actor) -> None:
    with act_as(db, admin, commit=True):
        bulk_update(db, ward=ward, assignments=moves(eli="A"), expected_version=0)
    with act_as(db, admin), refused(db, "WB006"):
        db.execute(
            "update public.ward_member_groups set user_hash = 'gal' where ward_branch_id = %s",
            [ward],
        )


def test_restore_puts_back_the_state_before_a_batch_and_is_itself_audited(
    db: Conn, ward: UUID, admin: Actor
) -> None:
    first = {"dana": "A", "dov": "A", "eli": "B"}
    with act_as(db, admin, commit=True):
        version = bulk_update(db, ward=ward, assignments=moves(**first), expected_version=0)
    with act_as(db, admin, commit=True):
        version = bulk_update(
            db, ward=ward, assignments=moves(dana="C", dov="C", gal="D"), expected_version=version
        )
    second_batch = first_audit_id_of_last_batch(db, ward=ward)
    with act_as(db, admin, commit=True):
        version = restore_assignments(
            db, ward=ward, audit_id=second_batch, expected_version=version
        )
    assert stored_groups(db, ward=ward) == first
    restore_rows = audit_rows(db, ward=ward)[-3:]
    assert {(r.user_hash, r.action, r.old_group, r.new_group) for r in restore_rows} == {
        ("dana", "update", "C", "A"),
        ("dov", "update", "C", "A"),
        ("gal", "delete", "D", None),
    }
    assert {r.restored_from for r in restore_rows} == {second_batch}
    assert {r.actor_id for r in restore_rows} == {admin.user_id}
    assert assignment_version(db, ward=ward) == version


def test_restoring_before_the_first_save_removes_every_assignment(
    db: Conn, ward: UUID, admin: Actor
) -> None:
    with act_as(db, admin, commit=True):
        version = bulk_update(
            db, ward=ward, assignments=moves(dana="A", dov="A", eli="B"), expected_version=0
        )
        version = bulk_update(db, ward=ward, assignments=moves(eli="C"), expected_version=version)
    very_first = audit_rows(db, ward=ward)
    first_id = db.execute(
        "select min(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert first_id is not None and len(very_first) == 4
    with act_as(db, admin, commit=True):
        restore_assignments(db, ward=ward, audit_id=int(first_id[0]), expected_version=version)
    assert stored_groups(db, ward=ward) == {}


def test_restore_refuses_a_stale_version_or_an_entry_of_another_ward(
    db: Conn, ward: UUID, admin: Actor
) -> None:
    with act_as(db, admin, commit=True):
        version = bulk_update(db, ward=ward, assignments=moves(eli="A"), expected_version=0)
    entry = first_audit_id_of_last_batch(db, ward=ward)
    other = create_ward(db, name="Elsewhere", roster=[RosterEntry("eli")])
    other_admin = ward_user(db, name="other admin", ward=other, role="admin")
    with act_as(db, other_admin, commit=True):
        bulk_update(db, ward=other, assignments=moves(eli="B"), expected_version=0)
    foreign_entry = first_audit_id_of_last_batch(db, ward=other)

    with act_as(db, admin), refused(db, "WB004") as stale:
        restore_assignments(db, ward=ward, audit_id=entry, expected_version=version - 1)
    assert refusal_detail(stale) == {"current_version": version}
    with act_as(db, admin), refused(db, "P0002"):
        restore_assignments(db, ward=ward, audit_id=foreign_entry, expected_version=version)
    with act_as(db, other_admin), refused(db, "42501"):
        restore_assignments(db, ward=ward, audit_id=entry, expected_version=version)
    assert stored_groups(db, ward=ward) == {"eli": "A"}
    assert stored_groups(db, ward=other) == {"eli": "B"}


def test_leaving_the_roster_removes_the_assignment_with_an_audit_row(
    db: Conn, ward: UUID, admin: Actor
) -> None:
    with act_as(db, admin, commit=True):
        version = bulk_update(db, ward=ward, assignments=moves(gal="D"), expected_version=0)
        db.execute(
            "delete from public.ward_members where ward_branch_id = %s and user_hash = 'gal'",
            [ward],
        )
    assert stored_groups(db, ward=ward) == {}
    last = audit_rows(db, ward=ward)[-1]
    assert (last.user_hash, last.action, last.old_group, last.actor_id) == (
        "gal",
        "delete",
        "D",
        admin.user_id,
    )
    assert assignment_version(db, ward=ward) == version + 1


def test_the_service_role_can_remove_a_whole_ward(db: Conn, ward: UUID, admin: Actor) -> None:
    with act_as(db, admin, commit=True):
        bulk_update(db, ward=ward, assignments=moves(eli="A"), expected_version=0)
    with act_as(db, SERVICE_ROLE, commit=True):
        db.execute("delete from public.ward_branches where id = %s", [ward])
    for table in ("ward_members", "ward_member_groups", "audit_log", "ward_assignment_versions"):
        query = sql.SQL("select count(*) from public.{} where ward_branch_id = %s")
        row = db.execute(query.format(sql.Identifier(table)), [ward]).fetchone()
        assert row == (0,), table
