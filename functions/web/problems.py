"""Every error answer as problem+json (RFC 9457), built in this one module.

Errors are mapped by type, never by message. A response names bad fields and says
what is wrong with them; it never echoes an input value (participants' allergies!),
a stack trace or SQL. Unexpected exceptions are answered by `RequestContextMiddleware`
with a 500 that carries the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from functions.web.errors import FieldError, InvalidInputError, ServiceError

logger = logging.getLogger("functions")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:grouping-service:problem:"
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


def problem_for(error: ServiceError, request_id: str | None) -> JSONResponse:
    """The problem+json answer of an error of the taxonomy: its status, slug, fields,
    extension members and headers (`WWW-Authenticate`, `Retry-After`, ...)."""
    return problem_response(
        status=error.status,
        slug=error.slug,
        title=error.title,
        detail=error.detail,
        errors=error.errors,
        request_id=request_id,
        headers=error.headers() or None,
        extensions=error.extensions(),
    )


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    if exc.status >= 500:
        # The type only: a message may carry SQL or data.
        logger.error("request %s failed: %s", request_id_of(request), type(exc).__name__)
    return problem_for(exc, request_id_of(request))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ValidationError):
        return await _service_error(request, invalid_input(exc))
    assert isinstance(exc, RequestValidationError)
    return await _service_error(request, InvalidInputError(errors=field_errors(exc.errors())))


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
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
