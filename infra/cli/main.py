"""`grouping`: the terminal front of the engine.

Subcommands register themselves: each callable in REGISTRARS receives the argparse
subparsers, adds its parser and sets `handler`, a function that takes the parsed
arguments and returns the exit code. `grouping run FILE` groups participants read
from JSON or CSV under a policy file and flags, and prints tables (or `--json`).

Bad input never shows a traceback: the problem is printed on one line on stderr and
the exit code is 2. Error lines name the field and never echo a participant's answers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine.grouping.errors import GroupingError
from engine.grouping.options import GroupingOptions
from engine.grouping.run import DEFAULT_EFFORT, run_grouping
from infra.cli.demo import register as register_demo
from infra.cli.input import BadInputError, load_participants, load_policy
from infra.cli.option_flags import add_option_flags, flag_options
from infra.cli.report import render_result
from infra.local.migrate import register as register_migrate
from infra.local.serve import register as register_serve

BAD_INPUT = 2
PROGRESS_THRESHOLD = 2_000
if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
Registrar = Callable[["Subparsers"], None]
ProgressCallback = Callable[[int, int], None]


def register_run(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("run", help="group participants from a JSON or CSV file")
    parser.add_argument("file", type=Path, help="participants: .json (a list) or .csv")
    parser.add_argument("--policy", type=Path, help="a JSON object of grouping options")
    add_option_flags(parser)
    parser.add_argument(
        "--effort", type=int, default=DEFAULT_EFFORT, metavar="N", help="search effort, 0-10"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.set_defaults(handler=run_command)


REGISTRARS: list[Registrar] = [register_run, register_migrate, register_serve, register_demo]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse's own usage errors and --help
        return exit_request.code if isinstance(exit_request.code, int) else BAD_INPUT
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return BAD_INPUT
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grouping", description="Dinner-group engine tools.")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in REGISTRARS:
        register(subparsers)
    return parser


def run_command(args: argparse.Namespace) -> int:
    try:
        participants = load_participants(args.file)
        options = _options(args)
        with _progress_bar(len(participants)) as progress:
            result = run_grouping(participants, options, effort=args.effort, progress=progress)
    except (BadInputError, GroupingError) as error:
        return _fail(str(error))
    except ValidationError as error:
        return _fail(f"invalid participant: {_describe(error)}")
    if args.json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        render_result(result, Console())
    return 0


def _options(args: argparse.Namespace) -> GroupingOptions:
    policy = load_policy(args.policy) if args.policy is not None else {}
    merged = {**policy, **flag_options(args)}
    try:
        return GroupingOptions.model_validate(merged)
    except ValidationError as error:
        raise BadInputError(f"invalid option {_describe(error)}") from None


def _describe(error: ValidationError) -> str:
    """Field and problem of each error; pydantic's own text would echo the input value."""
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or "value"
        problems.append(f"{field}: {detail['msg']}")
    return "; ".join(problems)


def _progress_bar(count: int) -> AbstractContextManager[ProgressCallback | None]:
    if count <= PROGRESS_THRESHOLD:
        return nullcontext(None)
    return _RichProgress()


class _RichProgress(AbstractContextManager[ProgressCallback | None]):
    """A bar on stderr, so `--json` output on stdout stays clean."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("grouping"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task("grouping", total=None)

    def __enter__(self) -> ProgressCallback:
        self._bar.start()
        return self._advance

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()

    def _advance(self, done: int, total: int) -> None:
        self._bar.update(self._task, completed=done, total=total)


def _fail(message: str) -> int:
    sys.stderr.write(f"grouping: error: {message}\n")
    return BAD_INPUT
