"""Building blocks of the grouping database tests: a small world of policies,
participants and one saved run, the actors that look at it, and result payloads
shaped like the engine's `GroupingResult`.

Setup writes as the database owner; tests switch to an actor with `act_as`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from engine.grouping.models import (
    AgeDiagnostics,
    AgeRange,
    AllergyDiagnostics,
    AllergySummary,
    CountDiagnostics,
    Diagnostics,
    EngineDiagnostics,
    Group,
    GroupingResult,
    KosherDiagnostics,
    ScoreDiagnostics,
    UnassignedParticipant,
    UnassignedReason,
)
from tests.db.actors import ANON, SERVICE_ROLE, Actor, make_user, user_actor
from tests.db.health_seed import insert_people

Connection = psycopg.Connection[TupleRow]

# Everyone who is not a grouping admin: for grouping data the ward roles are
# plain signed-in users, and so is someone who calls themself admin in the
# user-editable user_metadata.
OUTSIDER_NAMES = (
    "user",
    "self_declared_admin",
    "ward_a_admin",
    "ward_a_leader",
    "ward_a_member",
    "ward_b_admin",
)
ACTOR_NAMES = ("admin", "service_role", "participant", "anon", *OUTSIDER_NAMES)


def scalar(conn: Connection, query: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


# The triggers that keep a saved run's groups a grouping (sizes, members, no group added).
_RUN_GROUP_TRIGGERS = (
    ("groups", "groups_only_into_empty_runs"),
    ("groups", "groups_checked"),
    ("group_members", "group_members_checked_on_insert"),
    ("group_members", "group_members_checked_on_update"),
    ("group_members", "group_members_checked_on_delete"),
)


@contextmanager
def unchecked_run_groups(conn: Connection) -> Iterator[None]:
    """The block writes run shapes that are no grouping (a group of 4 holding one person, a
    group added to a saved run) as the owner, for tests of other rules that need them; the
    run-group triggers are off for the block only, inside the caller's transaction."""
    # Checks already queued run first: a table with pending trigger events cannot be altered.
    conn.execute("set constraints all immediate")
    for table, trigger in _RUN_GROUP_TRIGGERS:
        conn.execute(f"alter table public.{table} disable trigger {trigger}".encode())
    try:
        yield
    finally:
        for table, trigger in _RUN_GROUP_TRIGGERS:
            conn.execute(f"alter table public.{table} enable trigger {trigger}".encode())


def insert_policy(conn: Connection, *, name: str, active: bool = False) -> UUID:
    policy_id: UUID = scalar(
        conn,
        "insert into public.grouping_policies (name, is_active) values (%s, %s) returning id",
        [name, active],
    )
    return policy_id


def active_policies(conn: Connection) -> list[UUID]:
    """The ids of the active policies: one at most, whatever the writers did."""
    return [
        row[0] for row in conn.execute("select id from public.grouping_policies where is_active")
    ]


def insert_participant(
    conn: Connection,
    *,
    full_name: str,
    user_id: UUID | None = None,
    responses: dict[str, Any] | None = None,
) -> UUID:
    """A participant aged 30; the health part of `responses` is sealed, as imports store it."""
    row = {"full_name": full_name, "user_id": user_id, "age": 30, "responses": responses}
    participant_id: UUID = insert_people(conn, [row])[0]
    return participant_id


def result_payload(
    groups: Sequence[Sequence[UUID]],
    unassigned: Sequence[tuple[UUID, UnassignedReason]] = (),
) -> dict[str, Any]:
    """The engine's result for these groups and queue, as the JSON the store sends."""
    built = [
        Group(
            number=number,
            members=[str(member) for member in members],
            size=len(members),
            score=0.75,
            kosher=number % 2 == 0,
            age_band="25-29",
            age_range=AgeRange(min=25, max=29),
            diets={"omnivore": len(members)},
            allergy_summary=AllergySummary(
                allergens={"peanut": "severe"}, severe=["peanut"], members_with_allergies=1
            ),
        )
        for number, members in enumerate(groups, start=1)
    ]
    queue = [
        UnassignedParticipant(participant_id=str(pid), reason=reason, details={"pool": 1})
        for pid, reason in unassigned
    ]
    assigned = sum(len(members) for members in groups)
    diagnostics = Diagnostics(
        counts=CountDiagnostics(
            participants=assigned + len(queue),
            assigned=assigned,
            unassigned=len(queue),
            unassigned_by_reason={reason: 1 for _, reason in unassigned},
            groups=len(built),
            group_sizes={},
        ),
        scores=ScoreDiagnostics(mean=0.75, min=0.75, max=0.75, total=0.75 * assigned, histogram=[]),
        allergies=AllergyDiagnostics(
            unique_allergens=1, groups_with_allergies=1, mean_allergens_per_group=1, by_allergen={}
        ),
        ages=AgeDiagnostics(policy="banded", by_band={}, missing=0, mean_spread=2, max_spread=4),
        kosher=KosherDiagnostics(participants=0, groups=0),
        diets={"omnivore": assigned},
        engine=EngineDiagnostics(
            version="test",
            seed=0,
            effort=1,
            options={},
            elapsed_ms=1.0,
            upper_bound=assigned,
            stopped_early=False,
        ),
    )
    result = GroupingResult(groups=built, unassigned=queue, diagnostics=diagnostics)
    return result.model_dump(mode="json")


def save_run(
    conn: Connection,
    *,
    policy_id: UUID,
    result: dict[str, Any],
    key: str | None = None,
    run: dict[str, Any] | None = None,
) -> UUID:
    """Call save_grouping_run on `conn` as whoever it currently is."""
    run_id: UUID = scalar(
        conn,
        "select public.save_grouping_run(%s, %s, %s::jsonb, %s::jsonb)",
        [key, policy_id, json.dumps(run or {"trigger_source": "cli"}), json.dumps(result)],
    )
    return run_id


@dataclass(frozen=True)
class GroupingWorld:
    """Two policies, five participants and one run: the linked participant and a
    stranger in group 1, a third unassigned, two never placed."""

    active_policy: UUID
    spare_policy: UUID
    linked_participant: UUID
    grouped_stranger: UUID
    unassigned_participant: UUID
    free_participants: tuple[UUID, UUID]
    run: UUID
    group: UUID
    actors: dict[str, Actor]


def grouping_actors(conn: Connection, participant_user: UUID) -> dict[str, Actor]:
    actors = {
        "admin": user_actor("admin", make_user(conn, app_role="admin"), app_role="admin"),
        "service_role": SERVICE_ROLE,
        "participant": user_actor("participant", participant_user),
        "anon": ANON,
        "self_declared_admin": user_actor(
            "self_declared_admin",
            make_user(conn, user_metadata={"role": "admin"}),
            user_metadata={"role": "admin"},
        ),
    }
    for name in OUTSIDER_NAMES:
        actors.setdefault(name, user_actor(name, make_user(conn)))
    return actors


def build_grouping_world(conn: Connection) -> GroupingWorld:
    participant_user = make_user(conn)
    linked = insert_participant(
        conn, full_name="Dana Linked", user_id=participant_user, responses={"diet": "vegan"}
    )
    stranger = insert_participant(
        conn, full_name="Eli Stranger", responses={"dietary_restrictions": "severe peanut allergy"}
    )
    unassigned = insert_participant(conn, full_name="Gal Unassigned")
    free = (
        insert_participant(conn, full_name="Free One"),
        insert_participant(conn, full_name="Free Two"),
    )
    active = insert_policy(conn, name="active", active=True)
    spare = insert_policy(conn, name="spare")
    payload = result_payload([[linked, stranger]], [(unassigned, "missing-age")])
    conn.execute("set local role service_role")
    run = save_run(conn, policy_id=active, result=payload)
    conn.execute("reset role")
    group: UUID = scalar(conn, "select id from public.groups where run_id = %s", [run])
    return GroupingWorld(
        active_policy=active,
        spare_policy=spare,
        linked_participant=linked,
        grouped_stranger=stranger,
        unassigned_participant=unassigned,
        free_participants=free,
        run=run,
        group=group,
        actors=grouping_actors(conn, participant_user),
    )


def delete_grouping_world(conn: Connection, world: GroupingWorld) -> None:
    """Remove a committed world: its runs, policies, participants and accounts."""
    policies = [world.active_policy, world.spare_policy]
    participants = [
        world.linked_participant,
        world.grouped_stranger,
        world.unassigned_participant,
        *world.free_participants,
    ]
    users = [actor.user_id for actor in world.actors.values() if actor.user_id is not None]
    with conn.transaction():
        conn.execute("delete from public.runs where policy_id = any(%s)", [policies])
        conn.execute(
            "update public.grouping_policies set is_active = false where id = any(%s)", [policies]
        )
        conn.execute("delete from public.grouping_policies where id = any(%s)", [policies])
        conn.execute("delete from public.participants where id = any(%s)", [participants])
        conn.execute("delete from auth.users where id = any(%s)", [users])
