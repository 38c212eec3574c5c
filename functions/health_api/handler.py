"""Health data, read where it is needed and nowhere else; every read audited (issue 13).

A signed-in participant reads their own answers, sets their consent to show their group
which allergies are theirs, reads their group's allergy notes and lists who read their data.
An admin reads one person's answers or one group's notes only for a stated purpose
(`venue`, `support`, `correction`), lists the access audit, and erases a person's health
data. Each read is one audited door in the database, so it leaves exactly one audit row;
answers are never cached on the way (no-store).
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, StrictBool

from functions.auth.deps import AdminDep, CallerDep
from functions.health.deps import HealthStoreDep, KeyServiceDep, RouteDep
from functions.health.schemas import AccessEntry, AdminPurpose, GroupNotes, PersonAnswers
from functions.health.service import read_group_notes, read_person
from functions.web.app import create_app, mangum_handler


def no_store(response: Response) -> None:
    """Health data is never cached on the way: every route of this function says so."""
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(dependencies=[Depends(no_store)])


class SharingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share_with_group: StrictBool


class Erasure(BaseModel):
    participant_id: UUID
    erased: bool


@router.get("/me/health")
def my_answers(
    caller: CallerDep,
    store: HealthStoreDep,
    keys: KeyServiceDep,
    route: RouteDep,
) -> PersonAnswers:
    return read_person(store, keys, participant_id=None, purpose="self", route=route)


@router.put("/me/health/sharing")
def set_sharing(caller: CallerDep, store: HealthStoreDep, body: SharingBody) -> SharingBody:
    return SharingBody(share_with_group=store.set_sharing(share=body.share_with_group))


@router.get("/me/group/allergy-notes")
def my_group_notes(
    caller: CallerDep,
    store: HealthStoreDep,
    keys: KeyServiceDep,
    route: RouteDep,
) -> GroupNotes:
    return read_group_notes(store, keys, group_id=None, purpose="group-member", route=route)


@router.get("/me/health/access")
def my_access(caller: CallerDep, store: HealthStoreDep) -> list[AccessEntry]:
    """Who read my answers, my group's notes, or my events' answers (RLS narrows it)."""
    return store.list_access()


@router.get("/participants/{participant_id}/health")
def person_answers(
    caller: AdminDep,
    store: HealthStoreDep,
    keys: KeyServiceDep,
    route: RouteDep,
    participant_id: UUID,
    purpose: AdminPurpose,
) -> PersonAnswers:
    return read_person(store, keys, participant_id=participant_id, purpose=purpose, route=route)


@router.delete("/participants/{participant_id}/health")
def erase_answers(
    caller: AdminDep, store: HealthStoreDep, route: RouteDep, participant_id: UUID
) -> Erasure:
    """Removes the person's sealed answers; the audit rows stay (they hold no health data)."""
    erased = store.erase(participant_id=participant_id, route=route)
    return Erasure(participant_id=participant_id, erased=erased)


@router.get("/groups/{group_id}/allergy-notes")
def group_notes(
    caller: AdminDep,
    store: HealthStoreDep,
    keys: KeyServiceDep,
    route: RouteDep,
    group_id: UUID,
    purpose: AdminPurpose,
) -> GroupNotes:
    return read_group_notes(store, keys, group_id=group_id, purpose=purpose, route=route)


@router.get("/health/access")
def access_log(
    caller: AdminDep, store: HealthStoreDep, participant_id: UUID | None = None
) -> list[AccessEntry]:
    return store.list_access(participant_id=participant_id)


app = create_app("health_api", router)
handler = mangum_handler(app)
