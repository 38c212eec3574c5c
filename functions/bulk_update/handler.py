"""PUT /api/ward-members/roster/{wardBranchId} and POST /api/ward-members/groups/bulk-update.

Only the ward's admins and leaders; everyone else gets the same 403 before anything is read.
Both writes are all or nothing (one RPC, one transaction each), and both keep households
whole: a sync that joins members of different groups into a household moves them together
(the database works the moves out, in the sync's transaction), and a bulk update that would
split one is refused naming it, here first and by the database in any case.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from engine.wards import WardMember
from functions.wards.deps import WardCacheDep, WardStoreDep, require_ward_manager
from functions.wards.errors import StaleAssignmentsError
from functions.wards.plan import RequestedChange, plan_bulk_update
from functions.wards.schemas import CamelModel, CamelRequest, RosterSync
from functions.web.app import create_app, mangum_handler
from functions.web.bounds import BoundedRequest, Items, NonNegativeInt64

router = APIRouter()


class RosterEntry(WardMember, BoundedRequest):
    """A roster member as the client sends it, in the seed's camelCase, within the bounds."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class BoundedChange(RequestedChange, BoundedRequest):
    """One entry of a bulk update, within the bounds every request is held to."""


class BulkUpdateBody(CamelRequest):
    ward_branch_id: UUID
    assignments: Items[BoundedChange]
    expected_version: NonNegativeInt64


class BulkUpdateAnswer(CamelModel):
    ward_branch_id: UUID
    version: int
    # Members named in the request; of them, members whose group changed; entries stored.
    requested: int
    changed: int
    written: int


@router.put("/api/ward-members/roster/{wardBranchId}")
def sync_roster(
    store: WardStoreDep,
    ward_branch_id: Annotated[UUID, Path(alias="wardBranchId")],
    roster: Annotated[Items[RosterEntry], Body()],
) -> RosterSync:
    require_ward_manager(store, ward_branch_id)
    return store.sync_roster(ward_id=ward_branch_id, members=list(roster))


@router.post("/api/ward-members/groups/bulk-update")
def bulk_update(store: WardStoreDep, cache: WardCacheDep, body: BulkUpdateBody) -> BulkUpdateAnswer:
    ward_id = body.ward_branch_id
    require_ward_manager(store, ward_id)
    ward = cache.state(store, ward_id)
    # A stale client is told so first, as the RPC would, before its entries are judged.
    if body.expected_version != ward.version:
        raise StaleAssignmentsError(current_version=ward.version)
    plan = plan_bulk_update(ward, body.assignments)
    new_version = store.bulk_update(
        ward_id=ward_id, assignments=plan.entries, expected_version=ward.version
    )
    return BulkUpdateAnswer(
        ward_branch_id=ward_id,
        version=new_version,
        requested=len(body.assignments),
        changed=plan.changed,
        written=len(plan.entries),
    )


app = create_app("bulk_update", router)
handler = mangum_handler(app)
