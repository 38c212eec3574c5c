"""A ward with a four-member roster and a WardStore over psycopg (acting as PostgREST) for
each kind of caller: the world of the WardStore tests on the real migrated database."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

import psycopg
import pytest

from engine.wards.models import WardMember
from functions.database.postgres import DatabaseIdentity, PostgresTransport
from functions.wards.store import WardStore
from tests.db.actors import Actor
from tests.db.ward_fixtures import Conn, RosterEntry, create_ward, ward_user

ROSTER = (
    RosterEntry("cohen-1", "H-cohen"),
    RosterEntry("cohen-2", "H-cohen"),
    RosterEntry("levi-1", "H-levi"),
    RosterEntry("mizrahi-1"),
)
STORED = {"cohen-1": "A", "cohen-2": "A", "levi-1": "B", "mizrahi-1": "C"}


@dataclass(frozen=True)
class WardStores:
    ward: UUID
    admin: WardStore
    leader: WardStore
    member: WardStore
    other_ward_admin: WardStore
    admin_id: UUID


def _store(database_url: str, actor: Actor) -> WardStore:
    identity = DatabaseIdentity("authenticated", actor.claims)
    return WardStore(PostgresTransport(lambda: psycopg.connect(database_url), identity=identity))


@pytest.fixture
def stores(db: Conn, database_url: str) -> WardStores:
    ward = create_ward(db, name="Store ward", roster=ROSTER)
    other_ward = create_ward(db, name="Other ward", roster=[RosterEntry("stranger-1")])
    admin = ward_user(db, name="admin", ward=ward, role="admin")
    return WardStores(
        ward=ward,
        admin=_store(database_url, admin),
        leader=_store(database_url, ward_user(db, name="leader", ward=ward, role="leader")),
        member=_store(
            database_url,
            ward_user(db, name="member", ward=ward, role="member", user_hash="mizrahi-1"),
        ),
        other_ward_admin=_store(
            database_url, ward_user(db, name="other", ward=other_ward, role="admin")
        ),
        admin_id=admin.user_id or uuid4(),
    )


def member(user_hash: str, last_name: str, **extra: str) -> WardMember:
    """A roster entry whose first name is its hash, titled."""
    return WardMember(
        user_hash=user_hash, first_name=user_hash.title(), last_name=last_name, **extra
    )
