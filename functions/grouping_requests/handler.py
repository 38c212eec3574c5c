"""What an organiser asks an event's next runs to keep (issue 15). Admins only.

GET/POST /events/{event_id}/locks: a registrant locked to their group (`whole_group`: the
whole group) in the runs that start from an earlier one. GET/POST
/events/{event_id}/apart-pairs: two registrants never grouped together. The database
holds both (grouping_locks, event_apart_pairs, admins only by RLS); a lock or pair given
twice is 409, an unknown event or person 422. DELETE /events/{event_id}/locks/{participant_id}
and /events/{event_id}/apart-pairs/{first_id}/{second_id} (either order) remove one: 204,
or 404 when there is none.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from functions.auth.deps import AdminDep
from functions.grouping.deps import StoreDep
from functions.grouping.schemas import ApartPair, GroupLock
from functions.web.app import create_app, mangum_handler
from functions.web.errors import FieldError, InvalidInputError

router = APIRouter()


class ApartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant_ids: Annotated[list[UUID], Field(min_length=2, max_length=2)]


@router.get("/events/{event_id}/locks")
def list_locks(caller: AdminDep, store: StoreDep, event_id: UUID) -> list[GroupLock]:
    return store.requests.list_locks(event_id=event_id)


@router.post("/events/{event_id}/locks", status_code=201)
def add_lock(
    caller: AdminDep, store: StoreDep, event_id: UUID, lock: Annotated[GroupLock, Body()]
) -> GroupLock:
    return store.requests.set_lock(event_id=event_id, lock=lock)


@router.delete("/events/{event_id}/locks/{participant_id}", status_code=204)
def remove_lock(caller: AdminDep, store: StoreDep, event_id: UUID, participant_id: UUID) -> None:
    store.requests.remove_lock(event_id=event_id, participant_id=participant_id)


@router.get("/events/{event_id}/apart-pairs")
def list_apart_pairs(caller: AdminDep, store: StoreDep, event_id: UUID) -> list[ApartPair]:
    return store.requests.list_apart_pairs(event_id=event_id)


@router.post("/events/{event_id}/apart-pairs", status_code=201)
def add_apart_pair(
    caller: AdminDep, store: StoreDep, event_id: UUID, body: Annotated[ApartBody, Body()]
) -> ApartPair:
    first, second = body.participant_ids
    if first == second:
        problem = FieldError("participant_ids", "name two different people")
        raise InvalidInputError(errors=[problem])
    return store.requests.add_apart_pair(event_id=event_id, pair=ApartPair.of(first, second))


@router.delete("/events/{event_id}/apart-pairs/{first_id}/{second_id}", status_code=204)
def remove_apart_pair(
    caller: AdminDep, store: StoreDep, event_id: UUID, first_id: UUID, second_id: UUID
) -> None:
    """The pair in either order."""
    store.requests.remove_apart_pair(event_id=event_id, pair=ApartPair.of(first_id, second_id))


app = create_app("grouping_requests", router)
handler = mangum_handler(app)
