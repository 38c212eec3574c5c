"""The database's households are the engine's: the same normalisation on every code point of
the Basic Multilingual Plane, the same household key on random rosters (through the generated
column ward_members.household_key), and the same rejoining of split households."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.wards import (
    GROUP_LABELS,
    GroupLabel,
    WardMember,
    detect_households,
    household_key,
    name_sort_key,
    normalise_address,
    normalise_name,
    normalise_phone,
    rejoined_groups,
)
from engine.wards.folding import CASE_FOLDING
from tests.db.ward_fixtures import Conn, create_ward, stored_groups
from tests.db.ward_rosters import rosters

# Every code point of the BMP PostgreSQL text can hold (no NUL, no surrogates), and the
# letters of the case folding table beyond it.
CODE_POINTS = [chr(c) for c in range(1, 0x10000) if not 0xD800 <= c <= 0xDFFF]
CODE_POINTS += sorted({c for pair in CASE_FOLDING for c in "".join(pair) if ord(c) > 0xFFFF})
NORMALISERS: dict[str, Callable[[str], str]] = {
    "ward_normalise_name": normalise_name,
    "ward_normalise_address": normalise_address,
    "ward_normalise_phone": normalise_phone,
    "ward_name_order": lambda text: name_sort_key(text)[0],
}
slow_ok = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("function", NORMALISERS)
def test_the_database_normalises_every_code_point_as_the_engine_does(
    db: Conn, function: str
) -> None:
    row = db.execute(
        f"select array_agg(private.{function}(c) order by n)"
        " from unnest(%s::text[]) with ordinality as u(c, n)",
        [CODE_POINTS],
    ).fetchone()
    assert row is not None
    engine = NORMALISERS[function]
    different = [
        (f"U+{ord(c):04X}", engine(c), sql) for c, sql in zip(CODE_POINTS, row[0], strict=True)
        if engine(c) != sql
    ]  # fmt: skip
    assert different == []


@contextmanager
def ward_with(db: Conn, roster: list[WardMember]) -> Iterator[UUID]:
    """A ward holding `roster`, inside a transaction that is rolled back."""
    with db.transaction(force_rollback=True):
        ward = create_ward(db, name="Keys ward")
        db.execute(
            "insert into public.ward_members (ward_branch_id, user_hash, first_name, last_name,"
            " address, phone, household_id)"
            " select %s, * from unnest(%s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::text[], %s::text[])",
            [
                ward,
                *(
                    [getattr(m, column) for m in roster]
                    for column in (
                        "user_hash", "first_name", "last_name", "address", "phone", "household_id"
                    )
                ),
            ],
        )  # fmt: skip
        yield ward


@slow_ok
@given(roster=rosters())
def test_the_generated_household_key_is_the_engines(db: Conn, roster: list[WardMember]) -> None:
    with ward_with(db, roster) as ward:
        rows = db.execute(
            "select user_hash, household_key from public.ward_members where ward_branch_id = %s",
            [ward],
        ).fetchall()
    assert dict(rows) == {member.user_hash: household_key(member) for member in roster}


@slow_ok
@given(roster=rosters(), data=st.data())
def test_the_database_rejoins_split_households_as_the_engine_does(
    db: Conn, roster: list[WardMember], data: st.DataObject
) -> None:
    hashes = [member.user_hash for member in roster]
    stored: dict[str, GroupLabel] = data.draw(
        st.dictionaries(st.sampled_from(hashes), st.sampled_from(GROUP_LABELS))
    )
    households = detect_households(roster)
    expected = {**stored, **rejoined_groups(households, stored)}
    with ward_with(db, roster) as ward:
        db.execute(
            "insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)"
            " select %s, * from unnest(%s::text[], %s::text[])",
            [ward, list(stored), list(stored.values())],
        )
        row = db.execute("select private.ward_rejoin_households(%s)", [ward]).fetchone()
        after = stored_groups(db, ward=ward)
    assert after == expected
    assert row == (sum(1 for h in stored if stored[h] != expected[h]),)
