"""POST /build-groups (run the engine and save the run) and GET /runs/{run_id}. Admins only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from functions.auth.deps import AdminDep
from functions.grouping.deps import StoreDep
from functions.grouping.schemas import RunOverrides
from functions.grouping.service import RunRequest, run_policy
from functions.grouping.views import BuildGroupsAnswer, RunView, build_groups_answer, run_view
from functions.web.app import create_app, mangum_handler

# API keys live in their own namespace, so no client key can pre-empt a nightly run.
API_KEY_PREFIX = "api:"
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$"),
]

router = APIRouter()


class BuildGroupsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy_id: UUID | None = None
    # Group this event's registrations (an open event); without it, every active participant.
    event_id: UUID | None = None
    # Each option is checked against the engine's field here, before anything else runs.
    options: RunOverrides = Field(default_factory=RunOverrides)
    dry_run: StrictBool = False


@router.post("/build-groups", status_code=201)
def build_groups(
    caller: AdminDep,
    store: StoreDep,
    response: Response,
    body: Annotated[BuildGroupsBody | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> BuildGroupsAnswer:
    asked = body or BuildGroupsBody()
    request = RunRequest(
        trigger_source="api",
        policy_id=asked.policy_id,
        event_id=asked.event_id,
        overrides=asked.options.overrides(),
        dry_run=asked.dry_run,
        idempotency_key=None if idempotency_key is None else API_KEY_PREFIX + idempotency_key,
    )
    outcome = run_policy(store=store, request=request)
    if outcome.dry_run:
        response.status_code = 200
    return build_groups_answer(outcome)


@router.get("/runs/{run_id}")
def get_run(caller: AdminDep, store: StoreDep, run_id: UUID) -> RunView:
    return run_view(store.get_run(run_id=run_id))


app = create_app("build_groups", router)
handler = mangum_handler(app)
