"""Property: whatever a ward leader sends, straight to the tables or through the ward RPCs,
no committed state splits a household.

Each example is a fresh ward whose members often share a name, an address, a phone or an
explicit household, and a random sequence of what a leader can do through PostgREST (acting
exactly as it does: tests/db/actors.py act_as, committing each step): insert, update and
delete rows of ward_member_groups and ward_members, several of them in one transaction,
ward_bulk_update with forged household ids, ward_sync_roster with rehoused, new and departed
members, and ward_restore_assignments to before any audit entry. After every step the
households the ENGINE detects on the stored roster each have at most one stored group; a
refused step changes nothing.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import psycopg
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.wards import GROUP_LABELS, WardMember, detect_households
from tests.db import ward_fixtures as wf
from tests.db.actors import Actor, act_as

# What a refused step may be refused for: a split, an unknown member or group, a stale or
# malformed request, a member already stored, or an unknown audit entry.
REFUSALS = {"WB001", "WB002", "WB003", "WB004", "WB005", "23505", "P0002"}
LAST_NAMES = ["Cohen", "COHEN", "כֹּהֵן", "כהן", "Levi", "Lévi"]
ADDRESSES = [None, "1 Herzl St", "1 herzl st.", "רחוב הרצל 1", ""]
# the second phone in full-width digits: the same digits after NFKD
PHONES = [None, "050-1234567", "".join(chr(0xFF10 + int(d)) for d in "0501234567"), "n/a"]
HOUSEHOLDS = [None, None, None, "H-1", " H-1 ", "H-2"]

index = st.integers(0, 40)
group = st.sampled_from(GROUP_LABELS)
household_fields = st.fixed_dictionaries(
    {
        "lastName": st.sampled_from(LAST_NAMES),
        "address": st.sampled_from(ADDRESSES),
        "phone": st.sampled_from(PHONES),
        "householdId": st.sampled_from(HOUSEHOLDS),
    }
)
steps = st.one_of(
    st.tuples(st.just("insert"), st.lists(st.tuples(index, group), min_size=1, max_size=3)),
    st.tuples(st.just("update"), st.lists(st.tuples(index, group), min_size=1, max_size=3)),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("rehouse"), index, index),
    st.tuples(st.just("edit"), index, household_fields),
    st.tuples(st.just("newcomer"), household_fields, st.none() | group),
    st.tuples(st.just("leave"), index),
    st.tuples(st.just("bulk"), st.lists(st.tuples(index, group, st.none() | index), max_size=5)),
    st.tuples(
        st.just("sync"),
        st.lists(st.tuples(st.sampled_from(["rehouse", "edit", "drop", "add"]), index, index)),
        household_fields,
    ),
    st.tuples(st.just("restore"), st.integers(0, 1_000)),
)
villages = st.lists(household_fields, min_size=1, max_size=8)


ROSTER_COLUMNS = ("userHash", "firstName", "lastName", "address", "phone", "householdId")


def roster_of(db: wf.Conn, ward: UUID) -> list[dict[str, Any]]:
    rows = db.execute(
        "select user_hash, first_name, last_name, address, phone, household_id"
        " from public.ward_members where ward_branch_id = %s order by user_hash",
        [ward],
    ).fetchall()
    return [dict(zip(ROSTER_COLUMNS, row, strict=True)) for row in rows]


def snapshot(db: wf.Conn, ward: UUID) -> tuple[object, ...]:
    return (roster_of(db, ward), wf.stored_groups(db, ward=ward))


def assert_no_household_split(db: wf.Conn, ward: UUID) -> None:
    households = detect_households(
        WardMember(
            user_hash=m["userHash"],
            first_name=m["firstName"],
            last_name=m["lastName"],
            address=m["address"],
            phone=m["phone"],
            household_id=m["householdId"],
        )
        for m in roster_of(db, ward)
    )
    stored = wf.stored_groups(db, ward=ward)
    for household in households:
        assert len({stored[h] for h in household.members if h in stored}) <= 1, household


class Leader:
    """Runs steps as the ward's leader, each in its own committed transaction."""

    def __init__(self, db: wf.Conn, ward: UUID, actor: Actor) -> None:
        self.db, self.ward, self.actor = db, ward, actor
        self.newcomers = 0

    def member(self, at: int) -> dict[str, Any] | None:
        roster = roster_of(self.db, self.ward)
        return roster[at % len(roster)] if roster else None

    def hashes(self, picks: list[tuple[Any, ...]]) -> list[tuple[str, Any]]:
        roster = roster_of(self.db, self.ward)
        return [(roster[p[0] % len(roster)]["userHash"], p[1]) for p in picks] if roster else []

    def newcomer(self, fields: dict[str, Any]) -> dict[str, Any]:
        self.newcomers += 1
        return {"userHash": f"new-{self.newcomers}", "firstName": "New", **fields}

    def run(self, step: tuple[Any, ...]) -> None:
        """The step's statements, computed as the owner, then sent as the leader."""
        statements = self.statements(step)
        with act_as(self.db, self.actor, commit=True):
            for statement, params in statements:
                self.db.execute(statement, params)

    def statements(self, step: tuple[Any, ...]) -> list[tuple[str, list[Any]]]:  # noqa: C901
        kind, ward = step[0], self.ward
        where = " where ward_branch_id = %s and user_hash = %s"
        if kind == "insert":
            return [
                (
                    "insert into public.ward_member_groups (ward_branch_id, user_hash,"
                    " assigned_group, household_id) values (%s, %s, %s, 'forged')",
                    [ward, h, g],
                )
                for h, g in self.hashes(step[1])
            ]
        if kind == "update":
            return [
                ("update public.ward_member_groups set assigned_group = %s" + where, [g, ward, h])
                for h, g in self.hashes(step[1])
            ]
        member = self.member(step[1]) if isinstance(step[1], int) else None
        if kind == "delete" and member:
            return [("delete from public.ward_member_groups" + where, [ward, member["userHash"]])]
        if kind == "leave" and member:
            return [("delete from public.ward_members" + where, [ward, member["userHash"]])]
        if kind in ("rehouse", "edit") and member:
            host = self.member(step[2]) if kind == "rehouse" else step[2]
            assert host is not None
            return [
                (
                    "update public.ward_members set last_name = %s, address = %s, phone = %s,"
                    " household_id = %s" + where,
                    [
                        host["lastName"],
                        host["address"],
                        host["phone"],
                        host["householdId"],
                        ward,
                        member["userHash"],
                    ],
                )
            ]
        if kind == "newcomer":
            new = self.newcomer(step[1])
            statements = [
                (
                    "insert into public.ward_members (ward_branch_id, user_hash, first_name,"
                    " last_name, address, phone, household_id)"
                    " values (%s, %s, %s, %s, %s, %s, %s)",
                    [ward, *(new[key] for key in ROSTER_COLUMNS)],
                )
            ]
            if step[2] is not None:
                statements.append(
                    (
                        "insert into public.ward_member_groups (ward_branch_id, user_hash,"
                        " assigned_group) values (%s, %s, %s)",
                        [ward, new["userHash"], step[2]],
                    )
                )
            return statements
        if kind == "bulk":
            return [self.bulk(step[1])]
        if kind == "sync":
            return [self.sync(step[1], step[2])]
        if kind == "restore":
            return self.restore(step[1])
        return []

    def bulk(self, picks: list[tuple[int, str, int | None]]) -> tuple[str, list[Any]]:
        roster = roster_of(self.db, self.ward)
        entries = {}
        for at, new_group, claimed in picks:
            if roster:
                household = None if claimed is None else f"auto:claimed-{claimed}"
                entries[roster[at % len(roster)]["userHash"]] = {
                    "newGroup": new_group,
                    "householdId": household,
                }
        request = [{"userHash": h, **entry} for h, entry in entries.items()]
        version = wf.assignment_version(self.db, ward=self.ward)
        return (
            "select public.ward_bulk_update(%s, %s::jsonb, %s)",
            [self.ward, json.dumps(request), version],
        )

    def sync(
        self, changes: list[tuple[str, int, int]], fields: dict[str, Any]
    ) -> tuple[str, list[Any]]:
        roster = roster_of(self.db, self.ward)
        for change, at, other in changes:
            if change == "add" or not roster:
                roster.append(self.newcomer(fields))
            elif change == "drop":
                roster.pop(at % len(roster))
            else:
                host = roster[other % len(roster)] if change == "rehouse" else fields
                roster[at % len(roster)] |= {key: host[key] for key in fields}
        return ("select public.ward_sync_roster(%s, %s::jsonb)", [self.ward, json.dumps(roster)])

    def restore(self, pick: int) -> list[tuple[str, list[Any]]]:
        ids = [
            row[0]
            for row in self.db.execute(
                "select id from public.audit_log where ward_branch_id = %s order by id",
                [self.ward],
            ).fetchall()
        ]
        if not ids:
            return []
        version = wf.assignment_version(self.db, ward=self.ward)
        return [
            (
                "select public.ward_restore_assignments(%s, %s, %s)",
                [self.ward, ids[pick % len(ids)], version],
            )
        ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(village=villages, sequence=st.lists(steps, min_size=1, max_size=12))
def test_no_sequence_of_a_leaders_writes_splits_a_household(
    db: wf.Conn, village: list[dict[str, Any]], sequence: list[tuple[Any, ...]]
) -> None:
    ward = wf.create_ward(db, name="Property ward")
    leader = Leader(db, ward, wf.ward_user(db, name="leader", ward=ward, role="leader"))
    try:
        for number, fields in enumerate(village):
            wf.add_member(
                db,
                ward=ward,
                user_hash=f"m{number}",
                last_name=fields["lastName"],
                address=fields["address"],
                phone=fields["phone"],
                household_id=fields["householdId"],
            )
        for step in sequence:
            before = snapshot(db, ward)
            try:
                leader.run(step)
            except psycopg.Error as refusal:
                assert refusal.sqlstate in REFUSALS, refusal
                event(f"{step[0]} refused: {refusal.sqlstate}")
                assert snapshot(db, ward) == before
            else:
                event(f"{step[0]} committed")
            assert_no_household_split(db, ward)
    finally:
        db.execute("delete from public.ward_branches where id = %s", [ward])
        if leader.actor.user_id is not None:
            db.execute("delete from auth.users where id = %s", [leader.actor.user_id])
