"""Building a function's FastAPI app and its Lambda handler.

Stage prefix: with HTTP API payload 2.0, a request through a *named* stage arrives
with the stage in the path (`rawPath` and `requestContext.http.path` are
`/dev/whoami`, `requestContext.stage` is `dev`); the `$default` stage, which the
Serverless Framework (v3/osls and v4) deploys, adds nothing. Mangum routes on
`requestContext.http.path` and strips only a fixed `api_gateway_base_path`, so
`mangum_handler` adds a gateway that strips the event's own stage, and takes the base
path of a custom-domain API mapping (which also stays in the path) from
`API_GATEWAY_BASE_PATH`.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, FastAPI
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from mangum.handlers import HTTPGateway
from mangum.types import LambdaConfig, LambdaContext, LambdaEvent, Scope

from functions.web.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SettingsCorsMiddleware,
)
from functions.web.observability import configure_logging, lambda_entry
from functions.web.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from functions.web.settings import Settings, get_settings

DEFAULT_STAGE = "$default"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"})


def create_app(title: str, *routers: APIRouter, max_body_bytes: int | None = None) -> FastAPI:
    """A function's app: its routers, problem+json errors, request ids, body limit, CORS,
    and JSON logs (`functions.web.observability`).

    `max_body_bytes` raises the body limit of this function alone (an export upload), up
    to what API Gateway hands a Lambda; the others keep `Settings.max_body_bytes`.
    """
    configure_logging()
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app)

    def current_settings() -> Settings:
        # The same provider the dependencies use, so an override reaches middleware too.
        provider = app.dependency_overrides.get(get_settings, get_settings)
        settings: Settings = provider()
        if max_body_bytes is not None:
            return settings.model_copy(update={"max_body_bytes": max_body_bytes})
        return settings

    # Added innermost first: CORS wraps everything, so even a 500 carries its headers.
    app.add_middleware(BodySizeLimitMiddleware, settings=current_settings)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SettingsCorsMiddleware, settings=current_settings)
    return app


def strip_stage(path: str, stage: object) -> str:
    """`path` without a leading `/<stage>` segment of a named stage."""
    if not isinstance(stage, str) or stage in ("", DEFAULT_STAGE):
        return path
    prefix = f"/{stage}"
    if path == prefix:
        return "/"
    return path[len(prefix) :] if path.startswith(prefix + "/") else path


class NamedStageHTTPGateway(HTTPGateway):
    """Mangum's HTTP API (v2) gateway, minus the stage segment of a named stage."""

    @classmethod
    def infer(cls, event: LambdaEvent, context: LambdaContext, config: LambdaConfig) -> bool:
        return event.get("version") == "2.0" and "requestContext" in event

    @property
    def scope(self) -> Scope:
        scope = super().scope
        scope["path"] = strip_stage(scope["path"], self.event["requestContext"].get("stage"))
        return scope


def mangum_handler(app: FastAPI, *, base_path: str | None = None) -> Mangum:
    """The Lambda entry point for `app`: no lifespan (nothing to start), stage-aware paths,
    each invocation's log keys (function, cold start) and metrics."""
    if base_path is None:
        base_path = os.environ.get("API_GATEWAY_BASE_PATH", "/")
    adapter = Mangum(
        app,
        lifespan="off",
        api_gateway_base_path=base_path,
        custom_handlers=[NamedStageHTTPGateway],
        # Else Mangum base64-encodes problem+json bodies as if they were binary.
        text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, PROBLEM_MEDIA_TYPE],
    )
    return lambda_entry(adapter, function=app.title)


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """(METHOD, path) of every route `app` serves, spelled as serverless.yml declares them."""
    # The OpenAPI document is FastAPI's public view of its (lazily included) routes.
    paths: dict[str, dict[str, Any]] = app.openapi().get("paths", {})
    return {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method.upper() in HTTP_METHODS
    }
