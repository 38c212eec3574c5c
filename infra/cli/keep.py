"""`grouping run --keep-from PREVIOUS.json`: a run that starts from an earlier one.

PREVIOUS.json is what `grouping run --json` printed (any JSON object with `groups`, each
with `number` and `members`, will do); it may also hold `locked_people` (ids) and
`locked_groups` (numbers), and `--lock ID` / `--lock-group N` add more. Together
requests come from the export's "I'd like to sit with…" column; `--apart ID,ID` keeps
two people apart (as often as needed). With none of these the run is a plain one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from engine.grouping.continuity.requests import PairRequests, StartingGrouping
from engine.grouping.models import GroupingResult
from engine.intake.together import SitWith
from infra.cli.input import BadInputError, load_json


def add_keep_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--keep-from",
        type=Path,
        metavar="PREVIOUS.json",
        help="start from an earlier run's --json output: only what changed moves people",
    )
    parser.add_argument(
        "--lock", action="append", default=[], metavar="ID", help="keep this person's group"
    )
    parser.add_argument(
        "--lock-group",
        action="append",
        type=int,
        default=[],
        metavar="N",
        help="keep group N whole",
    )
    parser.add_argument(
        "--apart",
        action="append",
        type=_pair,
        default=[],
        metavar="ID,ID",
        help="never group these two together",
    )


def _pair(text: str) -> tuple[str, str]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError("expected two ids separated by a comma")
    return parts[0], parts[1]


def starting_grouping(args: argparse.Namespace) -> StartingGrouping | None:
    """The earlier run to keep to, or None; a file that is not one is a BadInputError."""
    if args.keep_from is None:
        if args.lock or args.lock_group:
            raise BadInputError("--lock and --lock-group need --keep-from PREVIOUS.json")
        return None
    data: Any = load_json(args.keep_from)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise BadInputError(f"{args.keep_from}: expected the JSON of a run, with its `groups`")
    people = data.get("locked_people", [])
    numbers = data.get("locked_groups", [])
    if not isinstance(people, list) or not isinstance(numbers, list):
        raise BadInputError(f"{args.keep_from}: locked_people and locked_groups must be lists")
    groups = [g for g in data["groups"] if isinstance(g, dict)]
    try:
        return StartingGrouping.from_result(
            groups,
            locked_people=[str(p) for p in [*people, *args.lock]],
            locked_groups=[int(n) for n in [*numbers, *args.lock_group]],
        )
    except (ValueError, TypeError) as error:
        raise BadInputError(f"{args.keep_from}: groups: {error}") from None


def pair_requests(args: argparse.Namespace, sit_with: SitWith) -> PairRequests:
    return PairRequests(sit_with.pairs, tuple(args.apart))


def render_continuity(result: GroupingResult, sit_with: SitWith, console: Console) -> None:
    """A few lines on what the run kept: moves and their reasons, unmet requests."""
    continuity = result.diagnostics.continuity
    if continuity is not None:
        if continuity.started_from_groups:
            reasons = ", ".join(f"{r} {n}" for r, n in continuity.moved_by_reason.items())
            console.print(
                f"Kept from the earlier run: {continuity.groups_kept} of"
                f" {continuity.started_from_groups} groups unchanged; {continuity.moved} people"
                f" moved{f' ({reasons})' if reasons else ''}; {continuity.joined} joined,"
                f" {continuity.withdrawn} withdrew",
                markup=False,
            )
        for lock in continuity.locks_broken:
            console.print(f"Lock broken: {lock['participant_id']} ({lock['rule']})", markup=False)
        for unmet in continuity.together_unmet:
            console.print(
                f"Together not possible: {', '.join(unmet['people'])} ({unmet['reason']})",
                markup=False,
            )
    for entry in sit_with.unmatched:
        console.print(
            f"Sit with: {entry['participant_id']} named someone not registered", markup=False
        )
