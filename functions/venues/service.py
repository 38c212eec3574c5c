"""Planning a run's venues: the engine's plan over what the store reads, pins kept."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from engine.venues.errors import VenuePlanError
from engine.venues.models import Pin, PlanRequest, VenuePlan
from engine.venues.planner import plan_venues
from functions.venues.plans import VenuePlanStore
from functions.web.bounds import BoundedRequest
from functions.web.errors import FieldError, InvalidInputError


class VenuePlanAsk(BoundedRequest):
    """What POST /runs/{id}/venue-plan takes: pins (null keeps the saved ones), the
    preferred areas, and `dry_run` (compute, do not save)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pins: list[Pin] | None = None
    preferred_areas: list[str] = Field(default_factory=list, max_length=100)
    dry_run: bool = False


class VenuePlanAnswer(BaseModel):
    run_id: UUID
    saved: bool
    plan: VenuePlan


def plan_run(store: VenuePlanStore, *, run_id: UUID, ask: VenuePlanAsk) -> VenuePlanAnswer:
    options = store.run_options(run_id=run_id)
    pins: Sequence[Pin] = ask.pins if ask.pins is not None else store.saved_pins(run_id=run_id)
    request = PlanRequest(
        groups=tuple(store.groups(run_id=run_id)),
        venues=tuple(store.venues()),
        pins=tuple(pins),
        preferred_areas=tuple(ask.preferred_areas),
    )
    try:
        plan = plan_venues(request, options=options)
    except VenuePlanError as error:
        raise InvalidInputError(errors=[FieldError(error.field, error.problem)]) from None
    if not ask.dry_run:
        store.save(run_id=run_id, plan=plan)
    return VenuePlanAnswer(run_id=run_id, saved=not ask.dry_run, plan=plan)
