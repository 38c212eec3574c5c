"""The ward the ward_bulk_update tests write to: its roster, stored groups and people.

Shared by the tests of what an update writes (test_ward_bulk_update.py) and of what it
refuses (test_ward_bulk_update_refusals.py), so both start from the same six members,
three households and one version.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from tests.db import ward_fixtures as wf
from tests.db.actors import Actor

ROSTER = (
    wf.RosterEntry("cohen-1", "H-cohen"),
    wf.RosterEntry("cohen-2", "H-cohen"),
    wf.RosterEntry("levi-1", "H-levi"),
    wf.RosterEntry("levi-2", "H-levi"),
    wf.RosterEntry("mizrahi-1"),
    wf.RosterEntry("peretz-1", "H-peretz"),
)
STORED = {
    "cohen-1": "A",
    "cohen-2": "A",
    "levi-1": "B",
    "levi-2": "B",
    "mizrahi-1": "C",
    "peretz-1": "D",
}


@dataclass(frozen=True)
class WardCase:
    ward: UUID
    admin: Actor
    leader: Actor
    member: Actor
    other_ward_admin: Actor
    version: int


@pytest.fixture
def case(db: wf.Conn) -> WardCase:
    ward = wf.create_ward(db, name="Bulk ward", roster=ROSTER)
    other_ward = wf.create_ward(db, name="Other ward", roster=[wf.RosterEntry("stranger-1")])
    wf.store_groups(db, ward=ward, groups=STORED)
    return WardCase(
        ward=ward,
        admin=wf.ward_user(db, name="ward admin", ward=ward, role="admin"),
        leader=wf.ward_user(db, name="ward leader", ward=ward, role="leader"),
        member=wf.ward_user(
            db, name="ward member", ward=ward, role="member", user_hash="mizrahi-1"
        ),
        other_ward_admin=wf.ward_user(db, name="other admin", ward=other_ward, role="admin"),
        # all six stored by one statement: one version step from 0
        version=wf.assignment_version(db, ward=ward),
    )


def assert_nothing_changed(db: wf.Conn, case: WardCase, audit_count: int) -> None:
    assert wf.stored_groups(db, ward=case.ward) == STORED
    assert wf.assignment_version(db, ward=case.ward) == case.version
    assert len(wf.audit_rows(db, ward=case.ward)) == audit_count
