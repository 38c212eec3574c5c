"""`grouping`: the terminal front of the engine.

Subcommands register themselves: each callable in REGISTRARS receives the argparse
subparsers, adds its parser and sets `handler`, a function that takes the parsed
arguments and returns the exit code. `grouping run FILE` groups the participants of a
survey export (CSV, or JSON rows; read by `engine.intake`, as `grouping check` reads it)
under a policy file and flags, and prints tables (or `--json`), people by name.

Bad input never shows a traceback: the problem is printed on one line on stderr and
the exit code is 2. Error lines name the field and never echo a participant's answers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from engine.grouping.continuity.stable import run_stable
from engine.grouping.errors import GroupingError
from engine.grouping.options import GroupingOptions
from engine.grouping.report.page import render_html, report_from_result
from engine.grouping.report.reasons import LANGS
from engine.grouping.report.sheet import render_csv
from engine.grouping.run import DEFAULT_EFFORT, run_grouping
from engine.intake.together import sit_with_requests
from infra.cli.check import register as register_check
from infra.cli.demo import register as register_demo
from infra.cli.health import register as register_health
from infra.cli.input import BAD_INPUT, BadInputError, fail, load_export, load_policy
from infra.cli.keep import add_keep_flags, pair_requests, render_continuity, starting_grouping
from infra.cli.option_flags import add_option_flags, flag_options
from infra.cli.report import DEFAULT_LIMIT, render_result, result_json
from infra.cli.venues import register as register_venues
from infra.local.migrate import register as register_migrate
from infra.local.serve import register as register_serve

INTERRUPTED = 130
PROGRESS_THRESHOLD = 2_000
if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
Registrar = Callable[["Subparsers"], None]
ProgressCallback = Callable[[int, int], None]


def register_run(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("run", help="group the participants of a survey export")
    parser.add_argument("file", type=Path, help="a .csv export, or .json rows or participants")
    parser.add_argument("--policy", type=Path, help="a JSON object of grouping options")
    parser.add_argument("--mapping", type=Path, help="a JSON object of header → field or ignore")
    add_option_flags(parser)
    add_keep_flags(parser)
    parser.add_argument(
        "--effort", type=int, default=DEFAULT_EFFORT, metavar="N", help="search effort, 0-10"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument(
        "--html", type=Path, metavar="OUT.html", help="also write the report as one HTML page"
    )
    parser.add_argument(
        "--csv", type=Path, metavar="OUT.csv", help="also write a CSV of everyone (UTF-8, BOM)"
    )
    add_view_flags(parser)
    parser.set_defaults(handler=run_command)


def add_view_flags(parser: argparse.ArgumentParser) -> None:
    """--lang, --limit and --all: how the result's tables are shown."""
    parser.add_argument(
        "--lang", choices=LANGS, default="en", help="language of the reasons (en or he)"
    )
    parser.add_argument(
        "--limit",
        type=_count,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show the first N groups and unassigned people (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--all", action="store_true", help="show every group and unassigned person")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("expected a whole number, 0 or more")
    return value


REGISTRARS: list[Registrar] = [
    register_run,
    register_check,
    register_migrate,
    register_serve,
    register_demo,
    register_health,
    register_venues,
]


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
    try:
        return handler(args)
    except BadInputError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return fail("interrupted", INTERRUPTED)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (the usage itself is one --help away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    # Typed as the base class so registrars take the usual subparsers; the subcommands'
    # parsers are OneLineParsers too (argparse makes them of the parent's class).
    parser: argparse.ArgumentParser = OneLineParser(
        prog="grouping", description="Dinner-group engine tools."
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in REGISTRARS:
        register(subparsers)
    return parser


def run_command(args: argparse.Namespace) -> int:
    try:
        options = _options(args)
        reading = load_export(args.file, as_of=options.as_of or date.today(), mapping=args.mapping)
        start = starting_grouping(args)
        sit_with = sit_with_requests(reading.participants)
        pairs = pair_requests(args, sit_with)
        if start is not None or pairs:
            result = run_stable(
                reading.participants, options, start=start, pairs=pairs, effort=args.effort
            )
        else:
            with _progress_bar(len(reading.participants)) as progress:
                result = run_grouping(
                    reading.participants, options, effort=args.effort, progress=progress
                )
    except (BadInputError, GroupingError) as error:
        return fail(str(error))
    except ValidationError as error:
        return fail(f"invalid participant: {_describe(error)}")
    if args.html is not None or args.csv is not None:
        report = report_from_result(result, reading.names, lang=args.lang)
        try:
            if args.html is not None:
                args.html.write_text(render_html(report), encoding="utf-8")
            if args.csv is not None:
                args.csv.write_bytes(render_csv(report).encode("utf-8"))
        except OSError as error:
            return fail(f"{error.filename}: cannot write: {error.strerror}")
    if args.json:
        data = result_json(result, reading.names, lang=args.lang)
        if sit_with.unmatched:
            data["sit_with_unmatched"] = sit_with.unmatched
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        limit = None if args.all else args.limit
        console = Console()
        render_result(result, console, names=reading.names, lang=args.lang, limit=limit)
        render_continuity(result, sit_with, console)
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
