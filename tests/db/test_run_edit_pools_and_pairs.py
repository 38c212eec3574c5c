"""The rules of a run's groups the database judges for every writer (migration 0030): a
group keeps its kosher pool and age band in a run that has them, people move only within
their pool, and an event's apart pair never ends up in one group.

Each run here is saved by the service role with the options it names; the edits are made
as a signed-in admin through edit_run_groups (what Lovable could call from a browser,
past the API's checks), and directly as the service role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
import pytest

from tests.db.actors import act_as, make_user
from tests.db.events_world import insert_event
from tests.db.grouping_world import (
    grouping_actors,
    insert_participant,
    insert_policy,
    result_payload,
    scalar,
)
from tests.db.run_edits_world import Connection, EditWorld, edit_groups, group, save_run

KOSHER_BANDED = {
    "min_group_size": 3,
    "target_group_size": 5,
    "kosher_only": True,
    "age_policy": "banded",
}
LOOSE = {"min_group_size": 3, "target_group_size": 5, "kosher_only": False, "age_policy": "loose"}


@dataclass(frozen=True)
class PoolRun:
    world: EditWorld
    event: UUID


def _save(db: Connection, options: dict[str, Any], bands: tuple[str, str]) -> PoolRun:
    """Two groups of four: group 1 not kosher, group 2 kosher (as result_payload saves
    them), in the age bands `bands`, for an event."""
    people = [insert_participant(db, full_name=f"Person {n}") for n in range(8)]
    policy = insert_policy(db, name="pools", active=True)
    event = insert_event(db)
    payload = result_payload([people[:4], people[4:]])
    for saved, band in zip(payload["groups"], bands, strict=True):
        saved["age_band"] = band
    run = save_run(db, policy, options, payload, event)
    actors = grouping_actors(db, make_user(db))
    return PoolRun(EditWorld(run, (people[:4], people[4:]), people[0], actors), event)


@pytest.fixture
def kosher_run(db: Connection) -> Iterator[PoolRun]:
    with db.transaction(force_rollback=True):
        yield _save(db, KOSHER_BANDED, ("25-29", "25-29"))


@pytest.fixture
def banded_run(db: Connection) -> Iterator[PoolRun]:
    with db.transaction(force_rollback=True):
        yield _save(db, {**KOSHER_BANDED, "kosher_only": False}, ("25-29", "30-34"))


@pytest.fixture
def loose_run(db: Connection) -> Iterator[PoolRun]:
    with db.transaction(force_rollback=True):
        yield _save(db, LOOSE, ("25-29", "30-34"))


def _as_saved(number: int, members: list[UUID], *, kosher: bool, band: str) -> dict[str, Any]:
    return {**group(number, members), "kosher": kosher, "age_band": band}


def _move_first_into_second(run: PoolRun, bands: tuple[str, str]) -> list[dict[str, Any]]:
    first, second = run.world.groups
    return [
        _as_saved(1, first[1:], kosher=False, band=bands[0]),
        _as_saved(2, [*second, first[0]], kosher=True, band=bands[1]),
    ]


def _refused(db: Connection, run: PoolRun, groups: list[dict[str, Any]]) -> str | None:
    with (
        pytest.raises(psycopg.Error) as error,
        act_as(db, run.world.actors["admin"]) as conn,
    ):
        edit_groups(conn, run.world, groups)
    return error.value.sqlstate


def _group_of(db: Connection, run: PoolRun, person: UUID) -> int:
    query = (
        "select g.group_number from public.group_members as m join public.groups as g"
        " on g.id = m.group_id where m.run_id = %s and m.participant_id = %s"
    )
    number: int = scalar(db, query, [run.world.run, person])
    return number


def test_a_move_across_kosher_pools_is_refused_through_the_rpc(
    db: Connection, kosher_run: PoolRun
) -> None:
    groups = _move_first_into_second(kosher_run, ("25-29", "25-29"))
    assert _refused(db, kosher_run, groups) == "GR014"
    assert _group_of(db, kosher_run, kosher_run.world.groups[0][0]) == 1


def test_relabelling_a_groups_kosher_pool_is_refused(db: Connection, kosher_run: PoolRun) -> None:
    # The same move, with the receiving group called not kosher, as a caller could send.
    groups = _move_first_into_second(kosher_run, ("25-29", "25-29"))
    groups[1]["kosher"] = False
    assert _refused(db, kosher_run, groups) == "GR014"


def test_a_move_across_age_bands_is_refused(db: Connection, banded_run: PoolRun) -> None:
    groups = _move_first_into_second(banded_run, ("25-29", "30-34"))
    groups[1]["kosher"] = True
    assert _refused(db, banded_run, groups) == "GR014"


def test_the_service_role_cannot_move_across_pools_or_relabel_directly(
    db: Connection, kosher_run: PoolRun
) -> None:
    world = kosher_run.world
    writes = [
        (
            "update public.groups set kosher = not kosher where run_id = %s and group_number = 2",
            [world.run],
        ),
        (
            # A swap across the pools (sizes kept, so only the pools refuse it).
            "update public.group_members as m set group_id = (select g.id from public.groups"
            " as g where g.run_id = m.run_id and g.id <> m.group_id)"
            " where m.run_id = %s and m.participant_id in (%s, %s)",
            [world.run, world.groups[0][0], world.groups[1][0]],
        ),
    ]
    for sql, params in writes:
        with db.transaction(force_rollback=True):
            db.execute("set local role service_role")
            with pytest.raises(psycopg.Error) as error:
                db.execute(sql.encode(), params)
            assert error.value.sqlstate == "GR014"


def test_a_loose_run_without_kosher_pools_takes_the_same_move(
    db: Connection, loose_run: PoolRun
) -> None:
    groups = _move_first_into_second(loose_run, ("25-29", "30-34"))
    with act_as(db, loose_run.world.actors["admin"]) as conn:
        assert edit_groups(conn, loose_run.world, groups) == 1
        assert _group_of(conn, loose_run, loose_run.world.groups[0][0]) == 2


def test_a_move_seating_an_apart_pair_together_is_refused(
    db: Connection, loose_run: PoolRun
) -> None:
    moving, other = loose_run.world.groups[0][0], loose_run.world.groups[1][2]
    low, high = sorted([moving, other])  # the table keeps a pair in id order
    db.execute(
        "insert into public.event_apart_pairs (event_id, first_participant_id,"
        " second_participant_id) values (%s, %s, %s)",
        [loose_run.event, low, high],
    )
    groups = _move_first_into_second(loose_run, ("25-29", "30-34"))
    assert _refused(db, loose_run, groups) == "GR014"
    assert _group_of(db, loose_run, moving) == 1


def test_a_pair_apart_elsewhere_does_not_block_the_move(db: Connection, loose_run: PoolRun) -> None:
    first = loose_run.world.groups[0]
    # A pair inside group 1, which the move leaves apart (one stays, one leaves).
    low, high = sorted([first[0], first[1]])
    db.execute(
        "insert into public.event_apart_pairs (event_id, first_participant_id,"
        " second_participant_id) values (%s, %s, %s)",
        [loose_run.event, low, high],
    )
    groups = _move_first_into_second(loose_run, ("25-29", "30-34"))
    with act_as(db, loose_run.world.actors["admin"]) as conn:
        assert edit_groups(conn, loose_run.world, groups) == 1
