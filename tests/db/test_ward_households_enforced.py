"""Households never split, whoever writes and however: the database refuses, at commit, any
ward whose households (by the roster's household_key) have stored members in different groups.

Each case writes as a ward leader exactly as PostgREST does (tests/db/actors.py act_as), and
commits: here direct writes to ward_member_groups and ward_members; the ward RPCs called
with whatever a client may send are in test_ward_households_rpcs.py. Members without a
stored group do not count: they follow their household, as the API says, so leaving one
unstored is never a split.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.db import ward_fixtures as wf
from tests.db.actors import SERVICE_ROLE, Actor, act_as
from tests.db.ward_households_world import COHENS, INSERT, STORED, Ward
from tests.db.ward_households_world import stored as stored
from tests.db.ward_households_world import ward as ward


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
