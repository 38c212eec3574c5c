"""A ward seeded household by household, the ward group and bulk-update functions wired to the
test's settings, and the judge of every household test through the functions: the households
the ENGINE detects on the roster in the database each sit in one stored group, and GET groups
says the same of the effective ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest

from engine.wards import detect_households, effective_assignment, split_household
from engine.wards.models import WardMember
from functions.auth.verifier import TokenVerifier
from functions.bulk_update import handler as bulk_handler
from functions.ward_groups import handler as groups_handler
from tests.db.ward_fixtures import Conn, create_ward, stored_groups, ward_user
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, LambdaHandler, send
from tests.functions.tokens import SigningKey, user_claims
from tests.functions.ward_world import add_member

GROUPS = "/api/ward-members/groups"
Call = Callable[..., Answer]


@pytest.fixture
def wired(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[None]:
    # Room for a whole roster in a sync (the test settings take 2,000 bytes).
    roomy = api_world.settings.model_copy(update={"max_body_bytes": 100_000})
    undo_groups = wire(groups_handler.app, roomy, verifier)
    undo_bulk = wire(bulk_handler.app, roomy, verifier)
    yield
    undo_groups()
    undo_bulk()


def seed_ward(db: Conn, sizes: list[int]) -> tuple[UUID, list[str]]:
    """A ward of households of `sizes`; a household's members share a last name and address."""
    ward = create_ward(db, name="Integrity ward")
    members = []
    for household, size in enumerate(sizes):
        for index in range(size):
            user_hash = f"u{household}-{index}"
            members.append(user_hash)
            add_member(
                db,
                ward,
                user_hash=user_hash,
                first_name=f"Member {index}",
                last_name=f"Family {household:02d}",
                address=f"{household} Main St",
            )
    return ward, members


def caller(db: Conn, ward: UUID, signer: SigningKey) -> tuple[Call, UUID]:
    """Calls of the ward's admin (a new account) to either function, and the admin's id."""
    admin = ward_user(db, name="admin", ward=ward, role="admin")
    assert admin.user_id is not None
    token = signer.sign(user_claims(user_id=admin.user_id))

    def call(*, bulk: bool, method: str = "POST", path: str = "", body: Any = None) -> Answer:
        handler: LambdaHandler = bulk_handler.handler if bulk else groups_handler.handler
        full = path if path.startswith("/api/") else GROUPS + ("/bulk-update" if bulk else path)
        return send(handler, method, full, token=token, body=body)

    return call, admin.user_id


def roster_members(db: Conn, ward: UUID) -> list[WardMember]:
    rows = db.execute(
        "select user_hash, first_name, last_name, address, phone, household_id"
        " from public.ward_members where ward_branch_id = %s order by user_hash",
        [ward],
    ).fetchall()
    columns = ("user_hash", "first_name", "last_name", "address", "phone", "household_id")
    return [WardMember(**dict(zip(columns, row, strict=True))) for row in rows]


def roster_of(db: Conn, ward: UUID) -> list[dict[str, Any]]:
    """The roster in the database as the client sends it."""
    return [
        {
            "userHash": m.user_hash,
            "firstName": m.first_name,
            "lastName": m.last_name,
            "address": m.address,
            "phone": m.phone,
            "householdId": m.household_id,
        }
        for m in roster_members(db, ward)
    ]


def assert_households_whole(db: Conn, ward: UUID, groups_body: dict[str, Any]) -> None:
    households = detect_households(roster_members(db, ward))
    stored = stored_groups(db, ward=ward)
    # Stored groups themselves keep households whole, not only the effective ones.
    for household in households:
        assert len({stored[h] for h in household.members if h in stored}) <= 1, household
    effective = effective_assignment(households, stored)  # type: ignore[arg-type]
    assert split_household(households, effective) is None
    answered = {h["householdId"]: h["assignedGroup"] for h in groups_body["households"]}
    assert answered == {h.key: effective[h.members[0]] for h in households}


def bulk_body(ward: UUID, version: int, moves: list[dict[str, str]]) -> dict[str, Any]:
    return {"wardBranchId": str(ward), "expectedVersion": version, "assignments": moves}
