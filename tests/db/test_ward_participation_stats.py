"""member_participation_stats against figures worked out by hand (spec/wards.md)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from tests.db.actors import act_as
from tests.db.ward_fixtures import Conn, RosterEntry, create_ward, store_groups, ward_user

GROUPS = {"m1": "A", "m2": "A", "m3": "B", "m5": "C", "m6": "B"}  # m4 and m7: nothing stored
# Each member a household of their own, so the stored groups keep households whole.
ROSTER = [RosterEntry(h, f"H-{h}") for h in ("m1", "m2", "m3", "m4", "m5", "m6", "m7")]


def add_schedule(conn: Conn, *, ward: UUID, group: str, session_days: list[int]) -> list[UUID]:
    """A schedule for `group` with one session per day of June 2025; returns the session ids."""
    row = conn.execute(
        "insert into public.cleaning_schedules (ward_branch_id, assigned_group, schedule_date)"
        " values (%s, %s, '2025-06-01') returning id",
        [ward, group],
    ).fetchone()
    assert row is not None
    sessions = []
    for day in session_days:
        session = conn.execute(
            "insert into public.cleaning_sessions (schedule_id, ward_branch_id, session_date)"
            " values (%s, %s, make_date(2025, 6, %s)) returning id",
            [row[0], ward, day],
        ).fetchone()
        assert session is not None
        sessions.append(session[0])
    return sessions


def attend(conn: Conn, *, ward: UUID, session: UUID, who: str, attended: bool = True) -> None:
    conn.execute(
        "insert into public.session_participants (session_id, ward_branch_id, user_hash, attended)"
        " values (%s, %s, %s, %s)",
        [session, ward, who, attended],
    )


def build_fixture(db: Conn) -> tuple[UUID, UUID]:
    ward = create_ward(db, name="Stats ward", roster=ROSTER)
    store_groups(db, ward=ward, groups=GROUPS)
    x1, _x2 = add_schedule(db, ward=ward, group="A", session_days=[1, 8])  # X2: nobody came
    (y1,) = add_schedule(db, ward=ward, group="B", session_days=[2])
    z1, z2, z3 = add_schedule(db, ward=ward, group="All", session_days=[3, 10, 17])
    add_schedule(db, ward=ward, group="A", session_days=[])  # a schedule without sessions
    add_schedule(db, ward=ward, group="All", session_days=[])  # and an 'All' one
    (d1,) = add_schedule(db, ward=ward, group="D", session_days=[4])  # nobody is in D
    for session, who in [
        (x1, "m1"), (x1, "m3"),  # m3 helped group A: not one of m3's sessions
        (y1, "m3"), (y1, "m6"),
        (z1, "m1"), (z1, "m3"), (z1, "m4"), (z1, "m7"),
        (z2, "m1"), (z2, "m6"),
        (z3, "m6"), (z3, "m7"),
        (d1, "m5"),  # m5 is in C: D's session is not theirs
    ]:  # fmt: skip
        attend(db, ward=ward, session=session, who=who)
    attend(db, ward=ward, session=x1, who="m2", attended=False)  # signed up, did not come

    # Another ward with a member of the same hash: nothing of it may leak into "Stats ward".
    elsewhere = create_ward(db, name="Elsewhere", roster=[RosterEntry("m1")])
    (w1,) = add_schedule(db, ward=elsewhere, group="All", session_days=[5])
    attend(db, ward=elsewhere, session=w1, who="m1")
    return ward, elsewhere


# Worked out by hand from build_fixture. Sessions: A = {X1, X2}, B = {Y1},
# All = {Z1, Z2, Z3}, D = {D1}; the two schedules without sessions add nothing.
#   m1 (A):    assigned X1 X2 Z1 Z2 Z3 = 5; attended X1 Z1 Z2 = 3      -> 60.0
#   m2 (A):    assigned 5; X1 row has attended = false = 0            ->  0.0
#   m3 (B):    assigned Y1 Z1 Z2 Z3 = 4; attended Y1 Z1 = 2 (X1 not B)   -> 50.0
#   m4 (none): assigned All only = 3; attended Z1 = 1 -> 33.33...       -> 33.3
#   m5 (C):    no C schedule, assigned All = 3; D1 is not C = 0          ->  0.0
#   m6 (B):    assigned 4; attended Y1 Z2 Z3 = 3                        -> 75.0
#   m7 (none): assigned 3; attended Z1 Z3 = 2 -> 66.66...               -> 66.7
#   elsewhere m1 (none): assigned W1 = 1; attended W1 = 1               -> 100.0
EXPECTED = {
    "m1": ("A", 5, 3, Decimal("60.0")),
    "m2": ("A", 5, 0, Decimal("0.0")),
    "m3": ("B", 4, 2, Decimal("50.0")),
    "m4": (None, 3, 1, Decimal("33.3")),
    "m5": ("C", 3, 0, Decimal("0.0")),
    "m6": ("B", 4, 3, Decimal("75.0")),
    "m7": (None, 3, 2, Decimal("66.7")),
}


def stats_of(conn: Conn, ward: UUID) -> dict[str, tuple[object, ...]]:
    rows = conn.execute(
        "select user_hash, assigned_group, total_assigned_sessions, total_participations,"
        " participation_percentage from public.member_participation_stats"
        " where ward_branch_id = %s",
        [ward],
    ).fetchall()
    return {str(row[0]): tuple(row[1:]) for row in rows}


def test_statistics_match_the_counts_worked_out_by_hand(db: Conn) -> None:
    ward, elsewhere = build_fixture(db)
    assert stats_of(db, ward) == EXPECTED
    assert stats_of(db, elsewhere) == {"m1": (None, 1, 1, Decimal("100.0"))}


def test_a_member_with_nothing_assigned_has_zero_percent(db: Conn) -> None:
    ward = create_ward(db, name="No sessions", roster=[RosterEntry("solo")])
    add_schedule(db, ward=ward, group="All", session_days=[])
    assert stats_of(db, ward) == {"solo": (None, 0, 0, Decimal("0.0"))}


def test_admins_see_every_line_and_a_member_only_their_own(db: Conn) -> None:
    ward, _ = build_fixture(db)
    leader = ward_user(db, name="leader", ward=ward, role="leader")
    member = ward_user(db, name="m6 herself", ward=ward, role="member", user_hash="m6")
    with act_as(db, leader):
        assert stats_of(db, ward) == EXPECTED
    with act_as(db, member):
        assert stats_of(db, ward) == {"m6": EXPECTED["m6"]}
