"""Every error answer as problem+json (RFC 9457), built in this one module.

Errors are mapped by type, never by message. A response names bad fields and says
what is wrong with them; it never echoes an input value (participants' allergies!),
a stack trace or SQL. Unexpected exceptions are answered by `RequestContextMiddleware`
with a 500 that carries the request id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from functions.common import store_errors as store
from functions.common.service_errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidInputError,
    InvalidTokenError,
    NotFoundError,
    ServiceError,
    ServiceUnavailableError,
    UnauthenticatedError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:grouping-service:problem:"
# The store's errors by type (subclasses included); their messages are fixed per class.
# Any other StoreError is unexpected: a 500 with a request id.
STORE_PROBLEMS: dict[type[store.StoreError], type[ServiceError]] = {
    store.NotFoundError: NotFoundError,
    store.ForbiddenError: ForbiddenError,
    store.CredentialsRejectedError: InvalidTokenError,
    store.ConflictError: ConflictError,
    store.InvalidPayloadError: InvalidInputError,
    store.StoreUnavailableError: ServiceUnavailableError,
}
# FastAPI puts where a value came from first; the body is the default place.
_REQUEST_PARTS = frozenset({"body"})


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    content: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": item.field, "message": item.message} for item in errors],
    }
    content.update(extensions or {})
    if request_id is not None:
        content["request_id"] = request_id
    return JSONResponse(content, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def field_errors(issues: Iterable[Mapping[str, Any]], *, prefix: str = "") -> list[FieldError]:
    """One `FieldError` per pydantic issue: a dotted field path and the message, no input."""
    found = []
    for issue in issues:
        location = [str(part) for part in issue.get("loc", ())]
        if location and location[0] in _REQUEST_PARTS:
            location = location[1:]
        if issue.get("type") == "json_invalid":
            found.append(FieldError(field=prefix or "body", message="Malformed JSON"))
            continue
        path = ".".join(part for part in [prefix, *location] if part)
        found.append(FieldError(field=path or prefix or "body", message=str(issue.get("msg", ""))))
    return found


def invalid_input(error: ValidationError, *, prefix: str = "") -> InvalidInputError:
    """A 422 for a model a handler validated itself, e.g. `GroupingOptions` under `options`."""
    issues = error.errors(include_url=False, include_input=False, include_context=False)
    return InvalidInputError(errors=field_errors(issues, prefix=prefix))


def request_id_of(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def named_by(exc: Exception) -> tuple[dict[str, Any], list[FieldError]]:
    """What a ward refusal names: RFC 9457 extension members, and the request field at fault.

    Never a group value or SQL: a member by user hash, a household by id, a version.
    """
    if isinstance(exc, store.StaleAssignmentsError):
        current = exc.current_version
        if current is None:
            return {}, [FieldError("expectedVersion", "stale")]
        message = f"stale; the current version is {current}"
        return {"currentVersion": current}, [FieldError("expectedVersion", message)]
    if isinstance(exc, store.WardPayloadError):
        named = {"userHash": exc.user_hash, "householdId": exc.household_id}
        present = {key: value for key, value in named.items() if value is not None}
        which = ", ".join(f"{key} {value}" for key, value in present.items())
        message = f"{exc.message} ({which})" if which else exc.message
        return present, [FieldError(exc.field, message)]
    return {}, []


async def _service_error(
    request: Request, exc: Exception, extensions: Mapping[str, Any] | None = None
) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, UnauthenticatedError) else None
    return problem_response(
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        request_id=request_id_of(request),
        headers=headers,
        extensions=extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ValidationError):
        return await _service_error(request, invalid_input(exc))
    assert isinstance(exc, RequestValidationError)
    return await _service_error(request, InvalidInputError(errors=field_errors(exc.errors())))


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    for kind in type(exc).__mro__:
        problem = STORE_PROBLEMS.get(kind)
        if problem is not None:
            extensions, errors = named_by(exc)
            return await _service_error(request, problem(str(exc), errors=errors), extensions)
    raise exc


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    return problem_response(
        status=exc.status_code,
        slug=phrase.lower().replace(" ", "-"),
        title=phrase,
        detail=f"{phrase}.",
        request_id=request_id_of(request),
        headers=dict(exc.headers or {}),
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every expected error of `app` to a problem+json answer."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(store.StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
