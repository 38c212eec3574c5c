"""A run's venue plan: compute and save it (or only compute, `dry_run`), and read it.

Admins only. `POST /runs/{id}/venue-plan` plans every group of the run into the active
venues, keeping the pins (the body's, or else those saved with the last plan); a pin
that breaks a rule is a 422 naming it. `GET` answers the saved plan (404 before one).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body

from functions.auth.deps import AdminDep
from functions.venues.deps import VenuePlanStoreDep
from functions.venues.service import VenuePlanAnswer, VenuePlanAsk, plan_run
from functions.web.app import create_app, mangum_handler

router = APIRouter(prefix="/runs/{run_id}/venue-plan")


@router.post("")
def make_plan(
    caller: AdminDep,
    store: VenuePlanStoreDep,
    run_id: UUID,
    ask: Annotated[VenuePlanAsk | None, Body()] = None,
) -> VenuePlanAnswer:
    return plan_run(store, run_id=run_id, ask=ask or VenuePlanAsk())


@router.get("")
def read_plan(caller: AdminDep, store: VenuePlanStoreDep, run_id: UUID) -> VenuePlanAnswer:
    return VenuePlanAnswer(run_id=run_id, saved=True, plan=store.saved_plan(run_id=run_id))


app = create_app("venue_plan", router)
handler = mangum_handler(app)
