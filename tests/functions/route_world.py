"""Every HTTP route of every function, and a world in which one token gets deep into each:
a global admin who is also the admin of a ward with a roster, an active policy, a saved run
and an open event with registrations, on real PostgreSQL. The world of the input-bounds and
route-fuzz tests.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from functions.auth.verifier import TokenVerifier
from functions.web.app import route_table
from tests.db.actors import make_user
from tests.db.ward_fixtures import create_ward
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.tokens import SigningKey, user_claims
from tests.functions.ward_groups_world import add_roster

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
# Room for a list of MAX_ITEMS entries, and still a limit an oversized body can pass.
MAX_BODY_BYTES = 1_500_000


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    path: str
    handler: ModuleType

    @property
    def parameters(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)

    def with_parameters(self, values: dict[str, str]) -> str:
        return PATH_PARAMETER.sub(lambda match: values[match.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.function}:{self.method} {self.path}"


def http_handlers() -> dict[str, ModuleType]:
    """function name -> its handler module, for each function with a FastAPI app."""
    modules = {}
    for path in sorted(FUNCTIONS_DIR.glob("*/handler.py")):
        module = importlib.import_module(f"functions.{path.parent.name}.handler")
        if isinstance(getattr(module, "app", None), FastAPI):
            modules[path.parent.name] = module
    return modules


def all_routes() -> list[Route]:
    return [
        Route(name, method, path, module)
        for name, module in http_handlers().items()
        for method, path in sorted(route_table(module.app))
    ]


@dataclass(frozen=True)
class RouteWorld:
    api: ApiWorld
    ward: UUID
    policy: UUID
    run: UUID
    event: UUID
    token: str
    venue: UUID

    def ids(self) -> dict[str, str]:
        """A real value for each path parameter of the routes."""
        ward = str(self.ward)
        return {
            "policy_id": str(self.policy),
            "run_id": str(self.run),
            "event_id": str(self.event),
            "kind": "undo",
            # People of no pair: a removal answers 404.
            "first_id": "00000000-0000-4000-8000-000000000001",
            "second_id": "00000000-0000-4000-8000-000000000002",
            "venue_id": str(self.venue),
            "ward_branch_id": ward,
            "wardBranchId": ward,
            "participant_id": self._first("select id::text from public.participants"),
            "group_id": self._first("select id::text from public.groups"),
        }

    def _first(self, query: str) -> str:
        row = self.api.db.execute(query + " order by 1 limit 1").fetchone()
        return str(row[0]) if row else "00000000-0000-4000-8000-000000000000"

    def call(self, route: Route, path: str | None = None, **event: Any) -> Answer:
        event.setdefault("token", self.token)
        return send(route.handler.handler, route.method, path or route.path, **event)


@pytest.fixture
def route_world(
    api_world: ApiWorld, verifier: TokenVerifier, rsa_signer: SigningKey
) -> Iterator[RouteWorld]:
    db = api_world.db
    ward = create_ward(db, name="Route world")
    add_roster(db, ward)
    admin = make_user(db, app_role="admin")
    db.execute(
        "insert into public.ward_branch_members (ward_branch_id, user_id, role)"
        " values (%s, %s, 'admin')",
        [ward, admin],
    )
    policy = api_world.add_policy("Route world", active=True)
    event = api_world.add_event("Route world")
    api_world.register(event, 6)
    venue_row = db.execute(
        "insert into public.venues (name, group_capacity, seat_capacity)"
        " values ('Route world', 3, 18) returning id"
    ).fetchone()
    assert venue_row is not None
    settings = api_world.settings.model_copy(update={"max_body_bytes": MAX_BODY_BYTES})
    undo = [wire(module.app, settings, verifier) for module in http_handlers().values()]
    token = rsa_signer.sign(user_claims(user_id=admin, admin=True))
    build = next(r for r in all_routes() if r.method == "POST" and r.path == "/build-groups")
    saved = send(build.handler.handler, "POST", "/build-groups", token=token, body={})
    assert saved.status == 201, saved.text
    yield RouteWorld(
        api=api_world,
        ward=ward,
        policy=policy,
        run=UUID(saved.json()["run_id"]),
        event=event,
        token=token,
        venue=venue_row[0],
    )
    for done in undo:
        done()
    db.execute("delete from public.ward_branches where id = %s", [ward])
    db.execute("delete from public.venues where id = %s", [venue_row[0]])
    db.execute("delete from auth.users where id = %s", [admin])
