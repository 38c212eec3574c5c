"""WardCache against a fake ward store: what it reads again, and when, and what it keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

from engine.wards import GroupLabel, WardMember
from functions.wards.cache import WardCache
from functions.wards.schemas import RosterSnapshot, StoredAssignment, WardVersions
from functions.web.errors import ForbiddenError


def member(user_hash: str, last_name: str) -> WardMember:
    return WardMember(user_hash=user_hash, first_name=user_hash, last_name=last_name)


@dataclass
class FakeWardStore:
    """One ward's roster, stored groups and versions; records every read."""

    roster: list[WardMember] = field(
        default_factory=lambda: [member(h, h.title()) for h in ("adler", "baker", "cohen", "dahan")]
    )
    stored: dict[str, GroupLabel] = field(default_factory=dict)
    assignment_version: int = 0
    roster_version: int = 0
    visible: bool = True
    # Moves the roster version once, after the next roster read (another writer lands).
    write_during_roster_read: bool = False
    reads: list[str] = field(default_factory=list)

    def versions(self, *, ward_id: UUID) -> WardVersions:
        self.reads.append("versions")
        if not self.visible:
            raise ForbiddenError()
        return WardVersions(assignments=self.assignment_version, roster=self.roster_version)

    def get_roster(self, *, ward_id: UUID) -> RosterSnapshot:
        self.reads.append("roster")
        if self.write_during_roster_read:
            self.write_during_roster_read = False
            self.roster_version += 1
        return RosterSnapshot(members=list(self.roster), version=self.roster_version)

    def get_assignments(self, *, ward_id: UUID) -> tuple[list[StoredAssignment], int]:
        self.reads.append("assignments")
        rows = [StoredAssignment(user_hash=h, assigned_group=g) for h, g in self.stored.items()]
        return rows, self.assignment_version

    def change_roster(self, roster: list[WardMember]) -> None:
        self.roster, self.roster_version = roster, self.roster_version + 1

    def change_groups(self, stored: dict[str, GroupLabel]) -> None:
        self.stored, self.assignment_version = stored, self.assignment_version + 1


WARD = uuid4()


@pytest.fixture
def store() -> FakeWardStore:
    return FakeWardStore()


def test_unchanged_versions_cost_one_read(store: FakeWardStore) -> None:
    cache = WardCache()
    first = cache.state(store, WARD)
    assert store.reads == ["versions", "roster", "assignments"]
    assert (first.uses_default, first.boundaries) == (True, (1, 2, 3))
    store.reads.clear()
    assert cache.state(store, WARD) is first
    assert store.reads == ["versions"]


def test_a_moved_roster_version_reads_the_roster_and_the_groups_again(
    store: FakeWardStore,
) -> None:
    cache = WardCache()
    cache.state(store, WARD)
    store.change_roster([*store.roster, member("eden", "Eden")])
    store.reads.clear()
    state = cache.state(store, WARD)
    assert store.reads == ["versions", "roster", "assignments"]
    assert [h.members for h in state.households][-1] == ["eden"]
    assert state.effective["eden"] == "D"


def test_a_moved_assignment_version_reads_only_the_groups_again(store: FakeWardStore) -> None:
    cache = WardCache()
    before = cache.state(store, WARD)
    store.change_groups({"adler": "D"})
    store.reads.clear()
    after = cache.state(store, WARD)
    assert store.reads == ["versions", "assignments"]
    assert after.households is before.households
    assert (after.version, after.uses_default, after.effective["adler"]) == (1, False, "D")
    # Adler in D before the others in A-C: not a contiguous cut.
    assert after.boundaries is None


def test_a_write_during_the_read_is_kept_at_the_version_the_read_saw(
    store: FakeWardStore,
) -> None:
    cache = WardCache()
    store.write_during_roster_read = True
    answered = cache.state(store, WARD)
    assert answered.roster_version == 1
    store.reads.clear()
    assert cache.state(store, WARD) is answered
    assert store.reads == ["versions"]


def test_a_ward_the_caller_may_not_see_is_forbidden_before_anything_is_read(
    store: FakeWardStore,
) -> None:
    cache = WardCache()
    cache.state(store, WARD)
    store.visible = False
    store.reads.clear()
    with pytest.raises(ForbiddenError):
        cache.state(store, WARD)
    assert store.reads == ["versions"]


def test_the_least_recently_used_wards_leave_first(store: FakeWardStore) -> None:
    cache = WardCache(max_entries=4)  # two wards: households and state each
    first, second, third = uuid4(), uuid4(), uuid4()
    for ward in (first, second, first, third):
        cache.state(store, ward)
    store.reads.clear()
    cache.state(store, first)
    assert store.reads == ["versions"]
    cache.state(store, second)
    assert store.reads == ["versions", "versions", "roster", "assignments"]
