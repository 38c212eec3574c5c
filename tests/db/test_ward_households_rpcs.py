"""Households never split through the ward RPCs either, whatever a client sends them:
bulk_update, ward_sync_roster and restore are held to the roster's households, and a
member with no stored group follows theirs. The migration that made households the
database's mends stored household ids and leaves a split standing only until the next
sync.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from infra.local.migrate import MIGRATIONS_DIR, migrate
from tests.db import ward_fixtures as wf
from tests.db.actors import act_as
from tests.db.ward_households_world import (
    COHENS,
    INSERT,
    ROSTER,
    STORED,
    Ward,
    add_roster,
    last_audit_id,
    sync,
)
from tests.db.ward_households_world import stored as stored
from tests.db.ward_households_world import ward as ward


def test_a_bulk_update_naming_another_household_cannot_split_this_one(
    db: wf.Conn, stored: Ward
) -> None:
    # c1 claims Levi's household (group B); c2, the other Cohen, stays in A.
    request = [{"userHash": "c1", "newGroup": "B", "householdId": "auto:levi|address:2 jaffa rd"}]
    with act_as(db, stored.leader, commit=True), wf.refused(db, "WB003") as info:
        wf.bulk_update(db, ward=stored.id, assignments=request, expected_version=1)
    assert wf.refusal_detail(info) == {"household_id": COHENS}
    assert wf.stored_groups(db, ward=stored.id) == STORED


def test_a_sync_with_no_moves_still_keeps_the_household_it_joins_whole(
    db: wf.Conn, stored: Ward
) -> None:
    # Levi (B) marries into the Cohens (both A): the sync itself moves Levi to A.
    joined = {**ROSTER[2], "lastName": "Cohen", "address": "1 Herzl St"}
    with act_as(db, stored.leader, commit=True):
        outcome = sync(db, stored.id, [*ROSTER[:2], joined, *ROSTER[3:]])
    assert outcome == {"added": 0, "updated": 1, "removed": 0, "rejoined": 1}
    assert wf.stored_groups(db, ward=stored.id) == {**STORED, "l1": "A"}


def test_a_restore_with_no_households_is_still_checked_against_todays(
    db: wf.Conn, stored: Ward
) -> None:
    with act_as(db, stored.leader, commit=True):
        version = wf.bulk_update(
            db, ward=stored.id, assignments=wf.moves(l1="C"), expected_version=1
        )
    moved_to_c = last_audit_id(db, stored.id)
    joined = {**ROSTER[2], "lastName": "Cohen", "address": "1 Herzl St"}
    with act_as(db, stored.leader, commit=True):
        sync(db, stored.id, [*ROSTER[:2], joined, *ROSTER[3:]])  # Levi follows the Cohens to A
    version = wf.assignment_version(db, ward=stored.id)
    # Before the move Levi was in B: putting that back would split the Cohens.
    with act_as(db, stored.leader, commit=True), wf.refused(db, "WB003") as info:
        wf.restore_assignments(db, ward=stored.id, audit_id=moved_to_c, expected_version=version)
    assert wf.refusal_detail(info) == {"household_id": COHENS}
    assert wf.stored_groups(db, ward=stored.id) == {**STORED, "l1": "A"}


def test_a_member_with_no_stored_group_follows_their_household(db: wf.Conn, stored: Ward) -> None:
    # A newcomer to the Mizrahis, stored nowhere: neither a bulk update of someone else nor a
    # restore counts them as a group of their own.
    with act_as(db, stored.leader, commit=True):
        newcomer = {
            "userHash": "m3",
            "firstName": "Gil",
            "lastName": "M",
            "householdId": "H-mizrahi",
        }
        sync(db, stored.id, [*ROSTER, newcomer])
        version = wf.bulk_update(
            db, ward=stored.id, assignments=wf.moves(l1="C"), expected_version=1
        )
    moved = last_audit_id(db, stored.id)
    with act_as(db, stored.leader, commit=True):
        version = wf.restore_assignments(
            db, ward=stored.id, audit_id=moved, expected_version=version
        )
    assert wf.stored_groups(db, ward=stored.id) == STORED


def test_the_migration_mends_stored_household_ids_and_leaves_a_split_to_the_next_sync(
    tmp_path: Path, empty_database_url: str
) -> None:
    before = tmp_path / "before"
    before.mkdir()
    (households,) = MIGRATIONS_DIR.glob("*_households_in_the_database.sql")
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < households.name:
            shutil.copy(path, before)
    migrate(empty_database_url, migrations_dir=before, with_local_shim=True)
    with psycopg.connect(empty_database_url, autocommit=True) as db:
        ward = wf.create_ward(db, name="Old ward")
        add_roster(db, ward, ROSTER)
        # Written before households were the database's: forged ids, and the Cohens split.
        db.execute(
            INSERT + "(%(ward)s, 'c1', 'A', 'forged'), (%(ward)s, 'c2', 'B', null),"
            " (%(ward)s, 'm1', 'D', 'H-mizrahi')",
            {"ward": ward},
        )
        migrate(empty_database_url, with_local_shim=True)
        rows = db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [ward],
        ).fetchall()
        assert dict(rows) == {"c1": COHENS, "c2": COHENS, "m1": "H-mizrahi"}
        # Until a sync mends it, no write may leave the split standing...
        with pytest.raises(psycopg.Error) as info, db.transaction():
            db.execute(INSERT + "(%(ward)s, 'l1', 'C', null)", {"ward": ward})
        assert info.value.sqlstate == "WB003"
        # ...and the sync does: the Cohens go where the first of them is (a tie, 1 to 1).
        leader = wf.ward_user(db, name="leader", ward=ward, role="leader")
        with act_as(db, leader, commit=True):
            assert sync(db, ward, ROSTER)["rejoined"] == 1
        assert wf.stored_groups(db, ward=ward) == {"c1": "A", "c2": "A", "m1": "D"}
