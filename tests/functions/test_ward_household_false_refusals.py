"""No false refusals: what would split nothing goes through the functions (spec/wards.md).

A member with no stored group follows their household. The database's split check once
counted such a member as a group of their own: a roster sync that added a member to an
explicit household and changed another member's household was refused as a split, and so was
a restore across such a sync. Then a soak: random roster syncs, bulk updates of whole
households and restores the engine judges whole, counting refusals (there must be none).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from engine.wards import GROUP_LABELS, detect_households
from tests.db.ward_fixtures import Conn, assignment_version, stored_groups
from tests.functions.tokens import SigningKey
from tests.functions.ward_household_world import (
    Call,
    assert_households_whole,
    bulk_body,
    caller,
    roster_members,
    roster_of,
    seed_ward,
)
from tests.functions.ward_household_world import wired as wired

pytestmark = pytest.mark.db


def groups(call: Call, ward: UUID) -> dict[str, Any]:
    answer = call(bulk=False, method="GET", path=f"/{ward}")
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def sync(call: Call, ward: UUID, roster: list[dict[str, Any]]) -> dict[str, Any]:
    answer = call(bulk=True, method="PUT", path=f"/api/ward-members/roster/{ward}", body=roster)
    assert answer.status == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def last_audit_id(db: Conn, ward: UUID) -> int:
    row = db.execute(
        "select max(id) from public.audit_log where ward_branch_id = %s", [ward]
    ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def stored_ward(db: Conn, rsa_signer: SigningKey, wired: None) -> Iterator[tuple[UUID, Call]]:
    """Three households of two, stored by a first (empty) bulk update; the third explicit."""
    ward, _ = seed_ward(db, [2, 2, 2])
    db.execute(
        "update public.ward_members set household_id = 'H-2' where ward_branch_id = %s"
        " and user_hash like 'u2-%%'",
        [ward],
    )
    call, admin_id = caller(db, ward, rsa_signer)
    answer = call(bulk=True, body=bulk_body(ward, 0, []))
    assert answer.status == 200, answer.text
    yield ward, call
    db.execute("delete from public.ward_branches where id = %s", [ward])
    db.execute("delete from auth.users where id = %s", [admin_id])


def test_a_sync_adding_to_an_explicit_household_while_another_moves_house_goes_through(
    db: Conn, stored_ward: tuple[UUID, Call]
) -> None:
    ward, call = stored_ward
    before = stored_groups(db, ward=ward)
    roster = roster_of(db, ward)
    roster[0]["address"] = "7 New St"  # u0-0 moves house: a household of their own now
    newcomer = {"userHash": "new-1", "firstName": "Noa", "lastName": "Other", "householdId": "H-2"}
    assert sync(call, ward, [*roster, newcomer])["rejoined"] == 0
    assert stored_groups(db, ward=ward) == before  # the newcomer follows H-2, stored nowhere
    body = groups(call, ward)
    assert_households_whole(db, ward, body)
    lines = {line["householdId"]: line for line in body["households"]}
    assert "new-1" in lines["H-2"]["members"]


def test_a_restore_across_a_newcomer_to_a_household_goes_through(
    db: Conn, stored_ward: tuple[UUID, Call]
) -> None:
    ward, call = stored_ward
    before = stored_groups(db, ward=ward)
    moved = call(
        bulk=True,
        body=bulk_body(
            ward,
            assignment_version(db, ward=ward),
            [{"userHash": "u0-0", "newGroup": "D"}, {"userHash": "u0-1", "newGroup": "D"}],
        ),
    )
    assert moved.status == 200, moved.text
    entry = last_audit_id(db, ward)
    newcomer = {"userHash": "new-1", "firstName": "Noa", "lastName": "Other", "householdId": "H-2"}
    sync(call, ward, [*roster_of(db, ward), newcomer])
    restore = {"auditId": entry, "expectedVersion": assignment_version(db, ward=ward)}
    answer = call(bulk=False, path=f"/{ward}/restore", body=restore)
    assert answer.status == 200, answer.text
    assert stored_groups(db, ward=ward) == before
    assert_households_whole(db, ward, groups(call, ward))


class Soak:
    """Random operations that split nothing, through the functions, and what became of them."""

    def __init__(self, db: Conn, ward: UUID, call: Call, rng: random.Random) -> None:
        self.db, self.ward, self.call, self.rng = db, ward, call, rng
        self.done: Counter[str] = Counter()
        self.refused: list[tuple[str, int, str]] = []
        self.newcomers = 0

    def step(self) -> None:
        kind = self.rng.choice(["bulk", "bulk", "sync", "sync", "restore"])
        answer_status, text = getattr(self, kind)()
        self.done[kind] += 1
        if answer_status != 200:
            self.refused.append((kind, answer_status, text))
        assert_households_whole(self.db, self.ward, groups(self.call, self.ward))

    def bulk(self) -> tuple[int, str]:
        """Whole households (as GET groups lists them) to random groups."""
        body = groups(self.call, self.ward)
        chosen = self.rng.sample(body["households"], k=min(3, len(body["households"])))
        moves = []
        for household in chosen:
            new_group = self.rng.choice(GROUP_LABELS)
            moves += [{"userHash": h, "newGroup": new_group} for h in household["members"]]
        answer = self.call(bulk=True, body=bulk_body(self.ward, body["version"], moves))
        return answer.status, answer.text

    def sync(self) -> tuple[int, str]:
        """The roster with a member rehoused, a newcomer, a departure or an explicit household."""
        roster = roster_of(self.db, self.ward)
        for _ in range(self.rng.randint(1, 3)):
            change = self.rng.choice(["rehouse", "explicit", "newcomer", "leave", "move out"])
            member, host = self.rng.choice(roster), self.rng.choice(roster)
            if change == "rehouse":
                member |= {k: host[k] for k in ("lastName", "address", "phone", "householdId")}
            elif change == "explicit":
                member["householdId"] = host["householdId"] or f"H-{host['userHash']}"
                host["householdId"] = member["householdId"]
            elif change == "newcomer":
                self.newcomers += 1
                roster.append({**host, "userHash": f"new-{self.newcomers}", "firstName": "New"})
            elif change == "leave" and len(roster) > 2:
                roster.remove(member)
            else:
                member |= {"address": f"{self.rng.randint(100, 999)} Far Rd", "householdId": None}
        answer = self.call(
            bulk=True, method="PUT", path=f"/api/ward-members/roster/{self.ward}", body=roster
        )
        return answer.status, answer.text

    def restore(self) -> tuple[int, str]:
        """To before a random audit entry whose earlier state the engine judges whole."""
        rows = self.db.execute(
            "select id, batch_id, user_hash, old_group from public.audit_log"
            " where ward_branch_id = %s order by id",
            [self.ward],
        ).fetchall()
        candidates = [row[0] for row in rows]
        self.rng.shuffle(candidates)
        for entry in candidates[:5]:
            if self.restore_is_whole(rows, entry):
                version = assignment_version(self.db, ward=self.ward)
                answer = self.call(
                    bulk=False,
                    path=f"/{self.ward}/restore",
                    body={"auditId": entry, "expectedVersion": version},
                )
                return answer.status, answer.text
        return 200, "no restore found that splits nothing"

    def restore_is_whole(self, rows: list[tuple[Any, ...]], entry: int) -> bool:
        """Whether restoring to before `entry`'s batch keeps today's households whole."""
        batch = next(row[1] for row in rows if row[0] == entry)
        first = min(row[0] for row in rows if row[1] == batch)
        roster = roster_members(self.db, self.ward)
        on_roster = {m.user_hash for m in roster}
        restored = dict(stored_groups(self.db, ward=self.ward))
        seen: set[str] = set()
        for _, _, user_hash, old_group in (row for row in rows if row[0] >= first):
            if user_hash in seen or user_hash not in on_roster:
                continue
            seen.add(user_hash)
            if old_group is None:
                restored.pop(user_hash, None)
            else:
                restored[user_hash] = old_group
        return all(
            len({restored[h] for h in household.members if h in restored}) <= 1
            for household in detect_households(roster)
        )


def soak(db: Conn, rsa_signer: SigningKey, seconds: float) -> Soak:
    seed = int(os.environ.get("WARD_SOAK_SEED", "7"))
    rng = random.Random(seed)
    ward, _ = seed_ward(db, [rng.randint(1, 4) for _ in range(10)])
    call, admin_id = caller(db, ward, rsa_signer)
    run = Soak(db, ward, call, rng)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            run.step()
    finally:
        db.execute("delete from public.ward_branches where id = %s", [ward])
        db.execute("delete from auth.users where id = %s", [admin_id])
    print(f"soak, seed {seed}, {seconds:.0f} s: {dict(run.done)}, refused {len(run.refused)}")
    return run


def test_a_short_soak_refuses_nothing_that_splits_nothing(
    db: Conn, rsa_signer: SigningKey, wired: None
) -> None:
    run = soak(db, rsa_signer, seconds=2)
    assert run.refused == []
    assert sum(run.done.values()) > 0


@pytest.mark.slow
def test_a_thirty_second_soak_refuses_nothing_that_splits_nothing(
    db: Conn, rsa_signer: SigningKey, wired: None
) -> None:
    run = soak(db, rsa_signer, seconds=30)
    assert run.refused == []
