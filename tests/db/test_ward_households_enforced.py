"""Households never split, whoever writes and however: the database refuses, at commit, any
ward whose households (by the roster's household_key) have stored members in different groups.

Each case writes as a ward leader exactly as PostgREST does (tests/db/actors.py act_as), and
commits: direct writes to ward_member_groups and ward_members, and the ward RPCs called with
whatever a client may send. Members without a stored group do not count: they follow their
household, as the API says, so leaving one unstored is never a split.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from infra.local.migrate import MIGRATIONS_DIR, migrate
from tests.db import ward_fixtures as wf
from tests.db.actors import SERVICE_ROLE, Actor, act_as

COHENS = "auto:cohen|address:1 herzl st"
# Two Cohens at one address, Levi alone, two Mizrahis by explicit household id.
ROSTER: list[dict[str, Any]] = [
    {"userHash": "c1", "firstName": "Avi", "lastName": "Cohen", "address": "1 Herzl St"},
    {"userHash": "c2", "firstName": "Dana", "lastName": "COHEN", "address": "1 Herzl St."},
    {"userHash": "l1", "firstName": "Moshe", "lastName": "Levi", "address": "2 Jaffa Rd"},
    {"userHash": "m1", "firstName": "Rut", "lastName": "Mizrahi", "householdId": "H-mizrahi"},
    {"userHash": "m2", "firstName": "Tal", "lastName": "Mizrahi", "householdId": " H-mizrahi "},
]
STORED = {"c1": "A", "c2": "A", "l1": "B", "m1": "D", "m2": "D"}


@dataclass(frozen=True)
class Ward:
    id: UUID
    leader: Actor


def add_roster(db: wf.Conn, ward: UUID, roster: list[dict[str, Any]]) -> None:
    for entry in roster:
        wf.add_member(
            db,
            ward=ward,
            user_hash=entry["userHash"],
            first_name=entry["firstName"],
            last_name=entry["lastName"],
            address=entry.get("address"),
            phone=entry.get("phone"),
            household_id=entry.get("householdId"),
        )


@pytest.fixture
def ward(db: wf.Conn) -> Ward:
    ward = wf.create_ward(db, name="Households ward")
    add_roster(db, ward, ROSTER)
    return Ward(ward, wf.ward_user(db, name="leader", ward=ward, role="leader"))


@pytest.fixture
def stored(db: wf.Conn, ward: Ward) -> Ward:
    wf.store_groups(db, ward=ward.id, groups=STORED)
    return ward


def roster_rows(db: wf.Conn, ward: UUID) -> list[tuple[Any, ...]]:
    return db.execute(
        "select user_hash, last_name, address, household_id from public.ward_members"
        " where ward_branch_id = %s order by user_hash",
        [ward],
    ).fetchall()


def refused_at_commit(
    db: wf.Conn, actor: Actor, statements: list[str], ward: UUID
) -> pytest.ExceptionInfo[psycopg.Error]:
    with pytest.raises(psycopg.Error) as info, act_as(db, actor, commit=True):
        for statement in statements:
            db.execute(statement, {"ward": ward})
    return info


def sync(db: wf.Conn, ward: UUID, roster: list[dict[str, Any]]) -> dict[str, int]:
    """ward_sync_roster as a client may call it: the ward and the roster, nothing else."""
    row = db.execute(
        "select public.ward_sync_roster(%s, %s::jsonb)", [ward, json.dumps(roster)]
    ).fetchone()
    assert row is not None
    outcome: dict[str, int] = row[0]
    return outcome


def last_audit_id(db: wf.Conn, ward: UUID) -> int:
    row = db.execute(
        "select max(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


INSERT = (
    "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group,"
    " household_id) values "
)
# (stored before, statements a leader sends in one transaction, the household they split)
SPLITTING_WRITES = {
    "two members of one household into two groups": (
        {},
        [INSERT + "(%(ward)s, 'm1', 'A', 'H-mizrahi'), (%(ward)s, 'm2', 'B', 'H-mizrahi')"],
        "H-mizrahi",
    ),
    "one statement at a time": (
        {},
        [INSERT + "(%(ward)s, 'm1', 'A', null)", INSERT + "(%(ward)s, 'm2', 'B', null)"],
        "H-mizrahi",
    ),
    "a household id of one's own, forged": (
        {},
        [INSERT + "(%(ward)s, 'c1', 'A', 'alone-1'), (%(ward)s, 'c2', 'B', 'alone-2')"],
        COHENS,
    ),
    "half of a stored household moved": (
        STORED,
        [
            "update public.ward_member_groups set assigned_group = 'C'"
            " where ward_branch_id = %(ward)s and user_hash = 'm2'"
        ],
        "H-mizrahi",
    ),
    "the roster joins members stored apart": (
        STORED,
        [
            "update public.ward_members set last_name = 'Cohen', address = '1 herzl st'"
            " where ward_branch_id = %(ward)s and user_hash = 'l1'"
        ],
        COHENS,
    ),
    "an explicit household id joins members stored apart": (
        STORED,
        [
            "update public.ward_members set household_id = 'H-mizrahi'"
            " where ward_branch_id = %(ward)s and user_hash = 'l1'"
        ],
        "H-mizrahi",
    ),
    "a newcomer to a stored household, stored elsewhere": (
        STORED,
        [
            "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name,"
            " household_id) values (%(ward)s, 'm3', 'Gil', 'Mizrahi', 'H-mizrahi')",
            INSERT + "(%(ward)s, 'm3', 'A', 'H-m3')",
        ],
        "H-mizrahi",
    ),
}


@pytest.mark.parametrize(
    ("before", "statements", "household"), SPLITTING_WRITES.values(), ids=SPLITTING_WRITES
)
def test_a_leaders_direct_writes_cannot_split_a_household(
    db: wf.Conn, ward: Ward, before: dict[str, str], statements: list[str], household: str
) -> None:
    wf.store_groups(db, ward=ward.id, groups=before)
    roster = roster_rows(db, ward.id)
    info = refused_at_commit(db, ward.leader, statements, ward.id)
    assert info.value.sqlstate == "WB003"
    assert json.loads(info.value.diag.message_detail or "") == {"household_id": household}
    assert wf.stored_groups(db, ward=ward.id) == before
    assert roster_rows(db, ward.id) == roster


def test_the_service_role_and_the_owner_are_held_to_it_too(db: wf.Conn, stored: Ward) -> None:
    move_half = (
        "update public.ward_member_groups set assigned_group = 'C'"
        " where ward_branch_id = %(ward)s and user_hash = 'c2'"
    )
    info = refused_at_commit(db, SERVICE_ROLE, [move_half], stored.id)
    assert info.value.sqlstate == "WB003"
    with pytest.raises(psycopg.Error) as owner, db.transaction():
        db.execute(move_half, {"ward": stored.id})
    assert owner.value.sqlstate == "WB003"
    assert wf.stored_groups(db, ward=stored.id) == STORED


def test_a_transaction_may_pass_through_a_split_but_not_commit_one(
    db: wf.Conn, stored: Ward
) -> None:
    with act_as(db, stored.leader, commit=True):
        for user_hash in ("c1", "c2"):  # the Cohens move one at a time
            db.execute(
                "update public.ward_member_groups set assigned_group = 'C'"
                " where ward_branch_id = %s and user_hash = %s",
                [stored.id, user_hash],
            )
    assert wf.stored_groups(db, ward=stored.id) == {**STORED, "c1": "C", "c2": "C"}


def test_a_split_undone_by_a_rolled_back_savepoint_commits_and_a_kept_one_does_not(
    db: wf.Conn, stored: Ward
) -> None:
    half = (
        "update public.ward_member_groups set assigned_group = 'B'"
        " where ward_branch_id = %(ward)s and user_hash = 'm1'"
    )
    with act_as(db, stored.leader, commit=True):
        with db.transaction(force_rollback=True):  # a savepoint, rolled back
            db.execute(half, {"ward": stored.id})
        db.execute(
            "update public.ward_member_groups set assigned_group = 'B'"
            " where ward_branch_id = %s and user_hash = 'l1'",
            [stored.id],
        )
    assert wf.stored_groups(db, ward=stored.id) == {**STORED, "l1": "B"}
    # A released savepoint keeps its changes, and so their check.
    with (
        pytest.raises(psycopg.Error) as info,
        act_as(db, stored.leader, commit=True),
        db.transaction(),
    ):
        db.execute(half, {"ward": stored.id})
    assert info.value.sqlstate == "WB003"


def test_checking_early_does_not_excuse_later_writes(db: wf.Conn, stored: Ward) -> None:
    with pytest.raises(psycopg.Error) as info, act_as(db, stored.leader, commit=True):
        db.execute("set constraints all immediate")
        db.execute(
            "update public.ward_member_groups set assigned_group = 'B'"
            " where ward_branch_id = %s and user_hash = 'l1'",
            [stored.id],
        )
        db.execute("set constraints all deferred")
        db.execute(
            "update public.ward_member_groups set assigned_group = 'C'"
            " where ward_branch_id = %s and user_hash = 'm1'",
            [stored.id],
        )
    assert info.value.sqlstate == "WB003"
    assert wf.stored_groups(db, ward=stored.id) == STORED


def test_stored_household_ids_are_the_rosters_whatever_a_writer_sends(
    db: wf.Conn, ward: Ward
) -> None:
    with act_as(db, ward.leader, commit=True):
        db.execute(
            INSERT + "(%(ward)s, 'c1', 'A', 'forged'), (%(ward)s, 'l1', 'B', 'H-mizrahi')",
            {"ward": ward.id},
        )

    def household_ids() -> dict[str, str]:
        rows = db.execute(
            "select user_hash, household_id from public.ward_member_groups"
            " where ward_branch_id = %s",
            [ward.id],
        ).fetchall()
        return dict(rows)

    assert household_ids() == {"c1": COHENS, "l1": "auto:levi|address:2 jaffa rd"}
    with act_as(db, ward.leader, commit=True):
        db.execute(
            "update public.ward_members set address = '3 Jaffa Rd'"
            " where ward_branch_id = %s and user_hash = 'l1'",
            [ward.id],
        )
    assert household_ids()["l1"] == "auto:levi|address:3 jaffa rd"


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
