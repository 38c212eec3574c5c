"""A run's venue plan: what it is made from, read as the caller, and saving it.

Reads only the run's groups as the kitchen sees them (kosher, size, age band and the
allergy summary), never a participant's answers; the run's options (for the group rules
a member's move is checked against), the venues and the saved pins.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from engine.grouping.options import GroupingOptions
from engine.venues.models import Pin, PlanGroup, Venue, VenuePlan
from functions.database.transport import Select, Transport, eq
from functions.venues.schemas import venue_columns
from functions.web.errors import NotFoundError

_GROUP_COLUMNS = ("id", "group_number", "size", "kosher", "age_band", "allergy_summary")


class VenuePlanStore:
    """The reads and the one write of venue planning, through `transport`."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def run_options(self, *, run_id: UUID) -> GroupingOptions | None:
        rows = self._transport.select(Select("runs", ("id", "options"), [eq("id", run_id)]))
        if not rows:
            raise NotFoundError()
        try:
            return GroupingOptions.model_validate(rows[0]["options"])
        except ValueError:
            return None  # an old run's options: no member move is offered

    def groups(self, *, run_id: UUID) -> list[PlanGroup]:
        query = Select("groups", _GROUP_COLUMNS, [eq("run_id", run_id)], order=("group_number",))
        return [PlanGroup.from_saved(row) for row in self._transport.select(query)]

    def venues(self) -> list[Venue]:
        rows = self._transport.select(Select("venues", venue_columns(), order=("id",)))
        return [Venue.model_validate(_engine_venue(row)) for row in rows]

    def saved_pins(self, *, run_id: UUID) -> list[Pin]:
        query = Select(
            "venue_assignments",
            ("group_id", "venue_id"),
            [eq("run_id", run_id), eq("pinned", True)],
            order=("group_id",),
        )
        return [
            Pin(group_id=row["group_id"], venue_id=row["venue_id"])
            for row in self._transport.select(query)
        ]

    def saved_plan(self, *, run_id: UUID) -> VenuePlan:
        query = Select("venue_plans", ("run_id", "plan"), [eq("run_id", run_id)])
        rows = self._transport.select(query)
        if not rows:
            raise NotFoundError("The run has no saved venue plan.")
        return VenuePlan.model_validate(rows[0]["plan"])

    def venue_names(self, *, run_id: UUID) -> dict[int, str]:
        """Group number -> the name of its venue in the run's saved plan."""
        query = Select(
            "run_group_venues",
            ("group_number", "venue_name"),
            [eq("run_id", run_id)],
            order=("group_number",),
        )
        return {row["group_number"]: row["venue_name"] for row in self._transport.select(query)}

    def save(self, *, run_id: UUID, plan: VenuePlan) -> None:
        assignments = [
            {"group_id": p.group_id, "venue_id": p.venue_id, "pinned": p.pinned}
            for p in plan.placements
        ]
        self._transport.rpc(
            "save_venue_plan",
            {
                "run_id": str(run_id),
                "plan": plan.model_dump(mode="json"),
                "assignments": assignments,
            },
        )


def _engine_venue(row: dict[str, Any]) -> dict[str, Any]:
    keep = {
        "name",
        "kosher",
        "group_capacity",
        "seat_capacity",
        "keeps_out",
        "area",
        "cost",
        "active",
    }
    return {"id": str(row["id"]), **{k: v for k, v in row.items() if k in keep}}
