"""Grouping policies: list, create, edit, delete (archive when runs use it) and activate.

Admins only. A run keeps the options it was made with, so editing or archiving a
policy never changes what an old run says it used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header
from pydantic import BaseModel

from functions.auth.deps import AdminDep
from functions.grouping.deps import StoreDep
from functions.grouping.schemas import (
    PolicyCreate,
    PolicyPublic,
    PolicyRemoval,
    PolicyUpdate,
)
from functions.grouping.service import effective_options
from functions.web.app import create_app, mangum_handler

router = APIRouter(prefix="/grouping/policies")
# The `updated_at` the client last read; a policy changed since then is a 409.
IfMatch = Annotated[datetime | None, Header(alias="If-Match")]


class PolicyRemoved(BaseModel):
    id: UUID
    outcome: PolicyRemoval


@router.get("")
def list_policies(
    caller: AdminDep, store: StoreDep, include_archived: bool = False
) -> list[PolicyPublic]:
    return store.list_policies(include_archived=include_archived)


@router.post("", status_code=201)
def create_policy(caller: AdminDep, store: StoreDep, policy: PolicyCreate) -> PolicyPublic:
    """A new policy; a 422 names each bad field, sizes out of order included."""
    return store.create_policy(policy=policy)


@router.put("/{policy_id}")
def update_policy(
    caller: AdminDep,
    store: StoreDep,
    policy_id: UUID,
    changes: PolicyUpdate,
    expected_updated_at: IfMatch = None,
) -> PolicyPublic:
    current = store.get_policy(policy_id=policy_id)
    # The edited policy must still make valid engine options (sizes in order, bands...).
    effective_options(policy=current, overrides=_option_changes(changes), prefix="")
    return store.update_policy(
        policy_id=policy_id, changes=changes, expected_updated_at=expected_updated_at
    )


def _option_changes(changes: PolicyUpdate) -> dict[str, object]:
    return {
        name: value
        for name, value in changes.model_dump(exclude_none=True).items()
        if name != "name"
    }


@router.delete("/{policy_id}")
def delete_policy(caller: AdminDep, store: StoreDep, policy_id: UUID) -> PolicyRemoved:
    return PolicyRemoved(id=policy_id, outcome=store.delete_policy(policy_id=policy_id))


@router.post("/{policy_id}/activate")
def activate_policy(caller: AdminDep, store: StoreDep, policy_id: UUID) -> PolicyPublic:
    return store.activate_policy(policy_id=policy_id)


app = create_app("policies", router)
handler = mangum_handler(app)
