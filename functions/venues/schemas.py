"""The venues feature's models: a venue as an admin creates, changes and reads it.

A venue's fields are the engine's (`engine.venues.models.Venue`, less its text id): one
model states them, with the same bounds and the same allergen rule (canonical keys only,
`canonical_keys`), which the database checks again (sql/migrations/0028). `VenueCreate`
is them within the request bounds, `VenueUpdate` each of them optional, `VenuePublic`
the stored row.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from engine.venues.models import Venue, canonical_keys
from functions.web.bounds import BoundedRequest

_ENGINE_FIELDS = {name: info for name, info in Venue.model_fields.items() if name != "id"}


class _CanonicalAllergens(BaseModel):
    @field_validator("keeps_out", check_fields=False)
    @classmethod
    def _canonical(cls, value: Any) -> Any:
        return value if value is None else list(canonical_keys(value))


def _model(name: str, *, optional: bool, base: tuple[type[BaseModel], ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for field, info in _ENGINE_FIELDS.items():
        annotation: Any = info.annotation
        if field == "keeps_out":
            annotation = list[str]
        if optional:
            if info.metadata:
                annotation = Annotated[(annotation, *info.metadata)]
            fields[field] = (annotation | None, Field(None))
        elif field == "keeps_out":
            # The engine keeps a tuple; the API speaks JSON lists (and stores text[]).
            fields[field] = (annotation, Field(default_factory=list))
        else:
            fields[field] = (annotation, info)
    return create_model(
        name, __base__=base, __config__=ConfigDict(extra="forbid", frozen=True), **fields
    )


# Under type checking plain models: the fields exist only at run time, made from Venue's.
_Fields: type[BaseModel] = (
    BaseModel
    if TYPE_CHECKING
    else _model("VenueFields", optional=False, base=(_CanonicalAllergens,))
)
_Changes: type[BaseModel] = (
    BaseModel
    if TYPE_CHECKING
    else _model("VenueChanges", optional=True, base=(_CanonicalAllergens, BoundedRequest))
)


class VenueCreate(_Fields, BoundedRequest):  # type: ignore[valid-type,misc]
    """A new venue as a request sends it."""


class VenueUpdate(_Changes):  # type: ignore[valid-type,misc]
    """Fields to change, any of VenueCreate's; those left out (or null) stay as they are."""

    def changed_columns(self) -> dict[str, Any]:
        changed: dict[str, Any] = self.model_dump(
            mode="json", exclude_unset=True, exclude_none=True
        )
        return changed


class VenuePublic(_Fields):  # type: ignore[valid-type,misc]
    """A stored venue as the API shows it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: UUID
    created_at: datetime
    updated_at: datetime


def venue_columns() -> tuple[str, ...]:
    return ("id", *_ENGINE_FIELDS, "created_at", "updated_at")
