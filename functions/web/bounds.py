"""The bounds every value of a request is held to, stated once.

Every request model declares its fields with them: `Int64` and `NonNegativeInt64` (what
PostgreSQL's bigint holds), `Text` (a length bound, and no NUL character or unpaired
surrogate: PostgreSQL text cannot hold them), `Items` (a list of at most `MAX_ITEMS`). Fields
a request model takes from a model declared elsewhere (the engine's options, a roster member)
get the same bounds from `BoundedRequest`. A body's size is `Settings.max_body_bytes`; its
nesting is bounded by the models (no request field is free-form JSON), and a body nested
beyond what the JSON parser takes is FastAPI's 400. Errors name the field and say what is
wrong, never what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Names, hashes, addresses, phone numbers, household ids: far shorter than this.
MAX_TEXT_LENGTH = 1_000
# Twice the largest roster the service is sized for (10,000 members).
MAX_ITEMS = 20_000
_INT64_MESSAGE = "must be an integer from -2^63 to 2^63-1"


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "must not contain NUL characters")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("text_unicode", "must be valid Unicode text") from None
    return value


Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
NonNegativeInt64 = Annotated[Int64, Field(ge=0)]
Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH), AfterValidator(_storable_text)]
Item = TypeVar("Item")
Items = Annotated[list[Item], Field(max_length=MAX_ITEMS)]


def within_bounds(value: Any) -> Any:
    """`value`, once every integer in it is an `Int64`, every string a `Text` and every
    collection at most `MAX_ITEMS` long; for values typed by a model declared elsewhere."""
    if isinstance(value, str):
        if len(value) <= MAX_TEXT_LENGTH and value.isascii() and "\x00" not in value:
            return value  # the common case, first: a roster is many short strings
        if len(value) > MAX_TEXT_LENGTH:
            raise PydanticCustomError(
                "text_too_long",
                "must be at most {max_length} characters",
                {"max_length": MAX_TEXT_LENGTH},
            )
        return _storable_text(value)
    if value is None or isinstance(value, bool | float | BaseModel):
        return value
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise PydanticCustomError("int64", _INT64_MESSAGE)
        return value
    if isinstance(value, list | tuple | set | frozenset | Mapping):
        if len(value) > MAX_ITEMS:
            raise PydanticCustomError(
                "too_many_items", "must have at most {max_items} items", {"max_items": MAX_ITEMS}
            )
        for item in value.items() if isinstance(value, Mapping) else value:
            within_bounds(item)
    return value


class BoundedRequest(BaseModel):
    """Holds every field of a request model to `within_bounds`, so fields it inherits from a
    model declared elsewhere (the engine's) are bounded as its own are."""

    @field_validator("*")
    @classmethod
    def _within_bounds(cls, value: Any) -> Any:
        return within_bounds(value)
