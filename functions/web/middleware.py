"""ASGI middleware of every function: request id and last-resort 500, body size, CORS.

They read `Settings` through a provider called per request, so importing a handler never
reads settings (nor SSM), and tests that override `get_settings` reach them too.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from functions.web.errors import PayloadTooLargeError, ServiceError
from functions.web.observability import request_scope
from functions.web.problems import problem_for
from functions.web.settings import Settings

SettingsProvider = Callable[[], Settings]
REQUEST_ID_HEADER = "x-request-id"
# What a browser may send: the same list serverless.yml gives API Gateway.
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "Accept-Language"]
LOCAL_ORIGINS = r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9=_-]{1,128}")
logger = logging.getLogger("functions")


def request_id_for(scope: Scope) -> str:
    """API Gateway's request id when there is one (it ties our logs to its access log)."""
    event = scope.get("aws.event") or {}
    candidate = event.get("requestContext", {}).get("requestId")
    if isinstance(candidate, str) and _SAFE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def log_unhandled(error: BaseException, request_id: str) -> None:
    # Where it failed, not what the message says: messages can carry SQL or data.
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    where = " <- ".join(f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
    logger.error("request %s failed: %s at %s", request_id, type(error).__name__, where)


class RequestContextMiddleware:
    """Gives each request an id (state, `X-Request-Id` and its log lines), answers any crash
    with a 500, and logs one line a request: method, route, status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status: int | None = None
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        with request_scope(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as error:
                log_unhandled(error, request_id)
                if status is None:
                    response = problem_for(ServiceError(), request_id)
                    await response(scope, receive, send_with_id)
            log_request(scope, status, time.perf_counter() - began)


def log_request(scope: Scope, status: int | None, seconds: float) -> None:
    # The route's template (`/runs/{run_id}`), not the path: no ids or values in the line.
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    logger.info(
        "%s %s answered %s",
        scope.get("method"),
        route,
        status,
        extra={"http_status": status, "route": route, "duration_ms": round(seconds * 1000, 1)},
    )


class BodySizeLimitMiddleware:
    """413 for a body above `Settings.max_body_bytes`, declared or streamed, before parsing."""

    def __init__(self, app: ASGIApp, settings: SettingsProvider) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings().max_body_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        more = True
        while more:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
            if size > limit:
                await self._too_large(scope, receive, send)
                return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state", {})
        response = problem_for(PayloadTooLargeError(), state.get("request_id", ""))
        await response(scope, receive, send)


class SettingsCorsMiddleware:
    """Starlette's CORS for `Settings.allowed_origins`, rebuilt only when settings change;
    with `APP_ENV=local` and no origins set, the loopback origins (`LOCAL_ORIGINS`)."""

    def __init__(self, app: ASGIApp, settings: SettingsProvider) -> None:
        self.app = app
        self.settings = settings
        self._built: tuple[tuple[str, ...], ASGIApp] | None = None

    def _local_default(self) -> bool:
        settings = self.settings()
        return settings.app_env == "local" and not settings.allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            origins = self.settings().allowed_origins
        except Exception:
            # Broken settings: the middleware inside answers with a 500 and logs it.
            await self.app(scope, receive, send)
            return
        if self._built is None or self._built[0] != origins:
            cors = CORSMiddleware(
                self.app,
                allow_origins=list(origins),
                # Locally with no origins set: any page served from this machine (a Lovable
                # dev server, a file opened in a browser), never a remote one.
                allow_origin_regex=LOCAL_ORIGINS if self._local_default() else None,
                allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                allow_headers=CORS_HEADERS,
                expose_headers=[REQUEST_ID_HEADER, "retry-after"],
                max_age=600,
            )
            self._built = (origins, cors)
        await self._built[1](scope, receive, send)
