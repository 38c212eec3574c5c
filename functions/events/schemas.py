"""The events feature's models: events (create, public), registrations, and imports.

An event's fields are stated once (`EventFields`): `EventCreate` is them as a request sends
them, within the request bounds; `EventPublic` adds the stored columns. Each read model's
fields are exactly the columns the store selects (`columns_of`).

`ImportedParticipant` is one person of an import as the database stores them. It validates
a survey reader's participant dict as it comes (`id` is the external id; `age` and
`birth_date` as written): the table's columns take only clean values, an integer age
0-130 (a whole number written as text counts) and an ISO birth date from 1900; any other
age or birth date stays raw in `responses`, where the engine reads it (and sends the person
to the unassigned queue as `invalid-profile` if it cannot), exactly as the demo seeds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from functions.web.bounds import BoundedRequest, Text

EventName = Annotated[Text, Field(min_length=1, max_length=200, pattern=r"\S")]
EventStatus = Literal["open", "closed"]
# The participants table's CHECKs (sql/migrations/0003, 0020).
MAX_AGE = 130
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
MAX_EXTERNAL_ID_LENGTH = 320
MAX_NAME_LENGTH = 200
_WHOLE_YEARS = re.compile(r"\s*(\d{1,3})\s*")


class EventFields(BaseModel):
    """What an organiser says about an event: its name and the dinner's date."""

    name: EventName
    event_date: date


class EventCreate(EventFields, BoundedRequest):
    """A new event as a request sends it; it starts open."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventPublic(EventFields):
    """A stored event as the API shows it."""

    id: UUID
    status: EventStatus
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class Registration(BaseModel):
    """A row of the `event_registrants` view: a registered person and their answers as stored."""

    participant_id: UUID
    external_id: str | None
    full_name: str | None
    age: int | None
    birth_date: date | None
    responses: dict[str, Any]
    registered_at: datetime


class EventRegistrations(BaseModel):
    """GET /events/{id}/registrations: the event and the people registered for it."""

    event: EventPublic
    registrations: list[Registration]


class ImportCounts(BaseModel):
    """What an import did: people new to the database, people whose answers changed, people
    as stored (nothing written), and registrations it made (people not yet registered)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    added: int
    updated: int
    unchanged: int
    registered: int


def _storable(value: Any) -> Any:
    """`value` when PostgreSQL's jsonb can hold every string in it (no NUL, valid Unicode)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("text_nul", "must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("text_unicode", "must be valid Unicode text") from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _storable(key)
            _storable(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _storable(item)
    return value


def _clean_age(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 0 <= value <= MAX_AGE else None
    if isinstance(value, str):
        match = _WHOLE_YEARS.fullmatch(value)
        return _clean_age(int(match.group(1))) if match else None
    return None


def _clean_birth_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, date) and value >= EARLIEST_BIRTH_DATE:
        return value
    return None


class ImportedParticipant(BaseModel):
    """One person of an import, as `import_registrations` stores them (see the module)."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    external_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_EXTERNAL_ID_LENGTH,
            validation_alias=AliasChoices("external_id", "id"),
        ),
    ]
    full_name: Annotated[str | None, Field(max_length=MAX_NAME_LENGTH)] = None
    age: int | None = None
    birth_date: date | None = None
    responses: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _columns_take_clean_values(cls, data: Any) -> Any:
        """A reader's age or birth date the columns cannot hold moves into `responses`."""
        if not isinstance(data, Mapping):
            return data
        fields = dict(data)
        responses = fields.get("responses")
        if responses is None:
            responses = {}
        # Answers of the wrong shape are left for the field's own check to refuse.
        moved = dict(responses) if isinstance(responses, Mapping) else None
        for name, clean in (("age", _clean_age), ("birth_date", _clean_birth_date)):
            raw = fields.get(name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                fields[name] = None
                continue
            fields[name] = clean(raw)
            if fields[name] is None and moved is not None:
                moved[name] = raw
        if moved is not None:
            fields["responses"] = moved
        return fields

    @field_validator("external_id", mode="before")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("full_name", mode="before")
    @classmethod
    def _spaces_collapsed(cls, value: Any) -> Any:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("full_name")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("external_id", "full_name", "responses")
    @classmethod
    def _storable_values(cls, value: Any) -> Any:
        return _storable(value)

    def row(self) -> dict[str, Any]:
        """The person as one element of `import_registrations`' `p_participants`."""
        return self.model_dump(mode="json")


def columns_of(model: type[BaseModel]) -> tuple[str, ...]:
    """The columns a store selects for `model`: exactly its fields."""
    return tuple(model.model_fields)
