"""What every store is written in terms of: five requests PostgREST can make, as the caller.

A store method is one of these calls (one round trip, one transaction), so the store logic
is written once and runs the same on both transports: `PostgrestTransport` (supabase-py,
production, the caller's token forwarded) and `PostgresTransport` (psycopg, locally and in
tests, acting as PostgREST does: the caller's role and JWT claims, rows as JSON). Values go
in and come out as JSON values (strings for uuids and timestamps), as PostgREST sends them.
Failures leave as the taxonomy's errors (`functions.database.codes`), never SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

FilterOperator = Literal["eq", "is"]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Filter:
    """`column = value` (`eq`), or `column is value` for null, true or false (`is`)."""

    column: str
    operator: FilterOperator
    value: Any


def eq(column: str, value: Any) -> Filter:
    return Filter(column, "eq", value)


def is_(column: str, value: bool | None) -> Filter:
    return Filter(column, "is", value)


@dataclass(frozen=True, slots=True)
class Select:
    """A read of `columns` from one table or view of the exposed schema.

    Without `limit`, every matching row: the order must then end in a unique key, since
    PostgREST hands rows out page by page.
    """

    relation: str
    columns: Sequence[str]
    filters: Sequence[Filter] = ()
    order: Sequence[str] = ()
    descending: bool = False
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Insert:
    """One row into `relation`; its `returning` columns come back."""

    relation: str
    values: Mapping[str, Any]
    returning: Sequence[str]


@dataclass(frozen=True, slots=True)
class Update:
    """`values` into the rows `filters` select (and RLS lets through); `returning` come back."""

    relation: str
    values: Mapping[str, Any]
    filters: Sequence[Filter]
    returning: Sequence[str]


@dataclass(frozen=True, slots=True)
class Delete:
    """The rows `filters` select (and RLS lets through) removed; `returning` come back."""

    relation: str
    filters: Sequence[Filter]
    returning: Sequence[str]


class Transport(Protocol):
    """The requests a store makes, each as the caller, so RLS applies to every one."""

    def rpc(self, function: str, args: Mapping[str, Any]) -> Any:
        """The JSON result of `public.<function>(args by name)`."""
        ...

    def select(self, query: Select) -> list[Row]:
        """The rows `query` reads, in its order."""
        ...

    def insert(self, write: Insert) -> Row:
        """The inserted row's `returning` columns."""
        ...

    def update(self, write: Update) -> list[Row]:
        """The updated rows' `returning` columns."""
        ...

    def delete(self, write: Delete) -> list[Row]:
        """The deleted rows' `returning` columns (none when nothing matched)."""
        ...
