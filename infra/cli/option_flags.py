"""The `grouping run` flags for the engine's options, made from `GroupingOptions` itself.

One flag per option (`min_group_size` → `--min-group-size`), typed by the field and with
the field's description as help, so a new option is a new flag without a line here. The
scoring weights are an object: they come from `--policy FILE` only.
"""

from __future__ import annotations

import argparse
import types
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from engine.grouping.options import GroupingOptions

# Nested objects have no flag: a policy file sets them.
NO_FLAG = frozenset({"scoring_weights"})
OPTION_FLAGS = tuple(name for name in GroupingOptions.model_fields if name not in NO_FLAG)


def int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("expected whole numbers separated by commas") from None


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        remaining = [arg for arg in get_args(annotation) if arg is not type(None)]
        return remaining[0] if len(remaining) == 1 else annotation
    return annotation


def _argument(annotation: Any) -> dict[str, Any]:
    """How argparse reads a value of `annotation`; pydantic checks it afterwards."""
    kind = _without_none(annotation)
    if kind is bool:
        return {"action": argparse.BooleanOptionalAction}
    if kind is int:
        return {"type": int, "metavar": "N"}
    if kind is float:
        return {"type": float, "metavar": "X"}
    if get_origin(kind) is Literal:
        return {"choices": get_args(kind)}
    if get_origin(kind) is tuple:
        return {"type": int_list, "metavar": "N,N,..."}
    if kind is date:
        return {"metavar": "YYYY-MM-DD"}
    raise TypeError(f"no flag for an option of type {kind!r}")


def add_option_flags(parser: argparse.ArgumentParser) -> None:
    """`--<option>` for every flag option, default None (the policy file's value stands)."""
    for name in OPTION_FLAGS:
        info = GroupingOptions.model_fields[name]
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, default=None, help=info.description, **_argument(info.annotation))


def flag_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options given as flags (left-out flags are absent)."""
    given = {name: getattr(args, name) for name in OPTION_FLAGS}
    return {name: value for name, value in given.items() if value is not None}
