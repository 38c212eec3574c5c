"""POST /build-groups (run the engine and save the run), GET /runs/{run_id}, its report
(/report, HTML) and its export (/export.csv). Admins only. Sentences follow the request's
Accept-Language (English or Hebrew)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from functions.auth.deps import AdminDep
from functions.grouping.deps import LangDep, StoreDep
from functions.grouping.reports import (
    CSV_MEDIA_TYPE,
    HTML_MEDIA_TYPE,
    REPORT_CSP,
    export_filename,
    run_export_csv,
    run_report_html,
)
from functions.grouping.run_request import RunRequest
from functions.grouping.schemas import RunOverrides
from functions.grouping.service import run_policy
from functions.grouping.views import BuildGroupsAnswer, RunView, build_groups_answer, run_view
from functions.health.deps import RunAnswersDep
from functions.venues.deps import VenuePlanStoreDep
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
    # A succeeded run of the same event to start from: only what changed moves people.
    keep_from_run_id: UUID | None = None


@router.post("/build-groups", status_code=201)
def build_groups(
    caller: AdminDep,
    store: StoreDep,
    health: RunAnswersDep,
    response: Response,
    body: Annotated[BuildGroupsBody | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
    lang: LangDep = "en",
) -> BuildGroupsAnswer:
    asked = body or BuildGroupsBody()
    request = RunRequest(
        trigger_source="api",
        policy_id=asked.policy_id,
        event_id=asked.event_id,
        overrides=asked.options.overrides(),
        dry_run=asked.dry_run,
        keep_from_run_id=asked.keep_from_run_id,
        idempotency_key=None if idempotency_key is None else API_KEY_PREFIX + idempotency_key,
    )
    outcome = run_policy(store=store, request=request, health=health)
    if outcome.dry_run:
        response.status_code = 200
    return build_groups_answer(outcome, lang)


@router.get("/runs/{run_id}")
def get_run(caller: AdminDep, store: StoreDep, run_id: UUID, lang: LangDep) -> RunView:
    return run_view(store.get_run(run_id=run_id), lang)


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
def get_run_report(
    caller: AdminDep, store: StoreDep, venues: VenuePlanStoreDep, run_id: UUID, lang: LangDep
) -> Response:
    detail = store.get_run(run_id=run_id)
    html = run_report_html(detail, lang, venues.venue_names(run_id=run_id))
    headers = {
        "Content-Security-Policy": REPORT_CSP,
        "Content-Language": lang,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(html, media_type=HTML_MEDIA_TYPE, headers=headers)


@router.get("/runs/{run_id}/export.csv", response_class=Response)
def get_run_export(caller: AdminDep, store: StoreDep, run_id: UUID, lang: LangDep) -> Response:
    detail = store.get_run(run_id=run_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{export_filename(detail)}"',
        "Content-Language": lang,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(run_export_csv(detail, lang), media_type=CSV_MEDIA_TYPE, headers=headers)


app = create_app("build_groups", router)
handler = mangum_handler(app)
