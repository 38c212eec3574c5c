"""`grouping venues plan --run RUN.json --venues VENUES.json`: where each group eats.

RUN.json is what `grouping run --json` prints (groups with their allergy summaries and
the options the run used, which let explanations check a member's move against the
group rules); VENUES.json a list of venues (or {"venues": [...]}), PINS.json a list of
{"group_id", "venue_id"} (a group's id in a run file is its number). Prints the plan as
tables, or `--json`. Bad input exits 2 with one line naming the file and the field.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from engine.grouping.options import GroupingOptions
from engine.venues.errors import VenuePlanError
from engine.venues.models import Pin, PlanGroup, PlanRequest, Venue, VenuePlan
from engine.venues.planner import plan_venues
from infra.cli.input import BadInputError, fail, load_json
from infra.cli.report import add_plain_row

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("venues", help="venue recommendations for a saved run")
    commands = parser.add_subparsers(title="venue commands", metavar="COMMAND")
    plan = commands.add_parser("plan", help="assign each group of a run to a venue")
    plan.add_argument("--run", type=Path, required=True, help="a run saved by grouping run --json")
    plan.add_argument("--venues", type=Path, required=True, help="a JSON list of venues")
    plan.add_argument("--pins", type=Path, help='a JSON list of {"group_id", "venue_id"}')
    plan.add_argument(
        "--area", action="append", default=[], metavar="AREA", help="a preferred area (repeat)"
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON only")
    plan.set_defaults(handler=plan_command)


def plan_command(args: argparse.Namespace) -> int:
    try:
        groups, options = _run(args.run)
        request = PlanRequest(
            groups=tuple(groups),
            venues=tuple(_items(args.venues, "venues", Venue)),
            pins=tuple(_items(args.pins, "pins", Pin)) if args.pins is not None else (),
            preferred_areas=tuple(args.area),
        )
        plan = plan_venues(request, options=options)
    except BadInputError as error:
        return fail(str(error))
    except VenuePlanError as error:
        return fail(f"{args.pins or args.run}: {error}")
    if args.json:
        sys.stdout.write(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        _render(plan, Console())
    return 0


def _run(path: Path) -> tuple[list[PlanGroup], GroupingOptions | None]:
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise BadInputError(
            f'{path}: expected a run, {{"groups": [...], ...}} (grouping run --json)'
        )
    groups = []
    for index, group in enumerate(data["groups"]):
        if not isinstance(group, dict):
            raise BadInputError(f"{path}: groups[{index}]: expected an object")
        try:
            groups.append(PlanGroup.from_saved(group, id=str(group.get("number"))))
        except ValidationError as error:
            raise BadInputError(f"{path}: groups[{index}].{_describe(error)}") from None
    options = (data.get("diagnostics") or {}).get("engine", {}).get("options")
    if options is None:
        return groups, None
    try:
        return groups, GroupingOptions.model_validate(options)
    except ValidationError as error:
        raise BadInputError(f"{path}: diagnostics.engine.options.{_describe(error)}") from None


def _items(path: Path, key: str, model: type[Venue] | type[Pin]) -> list[Any]:
    data = load_json(path)
    if isinstance(data, dict) and key in data:
        data = data[key]
    if not isinstance(data, list):
        raise BadInputError(f'{path}: expected a list of {key} or {{"{key}": [...]}}')
    items = []
    for index, item in enumerate(data):
        try:
            items.append(model.model_validate(item))
        except ValidationError as error:
            raise BadInputError(f"{path}: {key}[{index}].{_describe(error)}") from None
    return items


def _describe(error: ValidationError) -> str:
    """The first problem's field and message; pydantic's own text would echo the value."""
    detail = error.errors()[0]
    field = ".".join(str(part) for part in detail["loc"]) or "value"
    return f"{field}: {detail['msg'].removeprefix('Value error, ')}"


def _render(plan: VenuePlan, console: Console) -> None:
    placed = Table(title=f"Venues ({plan.totals.placed} of {plan.totals.groups} groups placed)")
    for column in ("Group", "Venue", "Left to the venue", "Pinned"):
        placed.add_column(column)
    for p in plan.placements:
        add_plain_row(
            placed, p.group_id, p.venue_id, ", ".join(p.left_to_venue), "yes" if p.pinned else ""
        )
    console.print(placed)
    if plan.unplaced:
        left = Table(title=f"Groups without a venue ({len(plan.unplaced)})")
        for column in ("Group", "Why", "Smallest change"):
            left.add_column(column)
        for u in plan.unplaced:
            change = u.changes[0].sentence if u.changes else "none found"
            add_plain_row(left, u.group_id, u.sentence, change)
        console.print(left)
    if not plan.optimal:
        console.print("The search stopped at its budget: the plan is valid, not proven best.")
