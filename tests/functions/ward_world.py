"""Two wards and every kind of caller, with signed tokens, for the ward function tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import FastAPI

from functions.auth.verifier import TokenVerifier
from tests.db.ward_fixtures import Conn, create_ward, ward_user
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, LambdaHandler, send
from tests.functions.tokens import SigningKey, user_claims

MANAGERS = ("a_admin", "a_leader")
# Everyone who may not manage ward A: its plain member, ward B's admin, a signed-in user
# with no ward role, and the service's global admin, who holds no role in ward A either.
OUTSIDERS = ("a_member", "b_admin", "plain_user", "global_admin")
Call = Callable[..., Answer]


@dataclass(frozen=True)
class WardCast:
    ward_a: UUID
    ward_b: UUID
    tokens: dict[str, str]
    user_ids: dict[str, UUID]


def add_member(db: Conn, ward: UUID, **columns: Any) -> None:
    """A roster entry of `ward` from its columns (user_hash, first_name, ...), as the owner."""
    names = ["ward_branch_id", *columns]
    db.execute(
        f"insert into public.ward_members ({', '.join(names)})"
        f" values ({', '.join(['%s'] * len(names))})",
        [ward, *columns.values()],
    )


def make_cast(db: Conn, api_world: ApiWorld, signer: SigningKey, *, name: str) -> WardCast:
    ward_a = create_ward(db, name=f"{name} A")
    ward_b = create_ward(db, name=f"{name} B")
    actors = {
        "a_admin": ward_user(db, name="a_admin", ward=ward_a, role="admin"),
        "a_leader": ward_user(db, name="a_leader", ward=ward_a, role="leader"),
        "a_member": ward_user(db, name="a_member", ward=ward_a, role="member"),
        "b_admin": ward_user(db, name="b_admin", ward=ward_b, role="admin"),
    }
    user_ids = {role: actor.user_id for role, actor in actors.items() if actor.user_id}
    tokens = {role: signer.sign(user_claims(user_id=uid)) for role, uid in user_ids.items()}
    tokens["plain_user"] = api_world.member_token
    tokens["global_admin"] = api_world.admin_token
    return WardCast(ward_a=ward_a, ward_b=ward_b, tokens=tokens, user_ids=user_ids)


def caller_of(
    app: FastAPI, handler: LambdaHandler, api_world: ApiWorld, verifier: TokenVerifier
) -> Iterator[Call]:
    """Invokes `handler` through Mangum with the test's settings; undone at the end."""
    undo = wire(app, api_world.settings, verifier)

    def invoke(method: str, path: str, *, token: str | None = None, **event: Any) -> Answer:
        return send(handler, method, path, token=token, **event)

    yield invoke
    undo()
