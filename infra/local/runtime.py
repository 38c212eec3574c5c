"""One local server for every function: a dispatcher over the functions' own apps.

On AWS each function is its own Lambda behind API Gateway; locally one ASGI app sends
each request to the function whose routes match its path, so the same apps, the same
auth and the same store run on a laptop. Never used on AWS.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import pkgutil
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jwt
import psycopg
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from psycopg.types.json import Jsonb
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

import functions
from functions.web.app import route_table
from functions.web.settings import LOCAL_JWT_SECRET, LOCAL_SUPABASE_URL, get_settings
from infra.contract.openapi import api_document
from infra.local.database import DEFAULT_DATA_DIR, configured_database_url, start_embedded_postgres
from infra.local.migrate import migrate

LOCAL_ADMIN_ID = uuid.UUID("00000000-0000-4000-8000-00000000ad01")
LOCAL_TOKEN_LIFETIME_S = 3600
_PATH_PARAMETER = re.compile(r"\{[^}/]+\}")


def function_apps() -> dict[str, FastAPI]:
    """Every function under `functions/` whose handler module has an HTTP `app`."""
    apps = {}
    for module in pkgutil.iter_modules(functions.__path__):
        if not module.ispkg or module.name == "common":
            continue
        handler = importlib.import_module(f"functions.{module.name}.handler")
        app = getattr(handler, "app", None)
        if isinstance(app, FastAPI):
            apps[module.name] = app
    return apps


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    parameters: int
    app: FastAPI


class FunctionDispatcher:
    """ASGI app that hands each request to the function app serving its route.

    As API Gateway does: the method must match and the most specific path wins
    (`/groups/preview` before `/groups/{wardBranchId}`); a path served only for other
    methods goes to its app, which answers 405.
    """

    def __init__(self, apps: Iterable[FastAPI]) -> None:
        apps = list(apps)
        self._apps = apps
        self._document: dict[str, Any] | None = None
        routes = [
            _Route(method, _path_pattern(path), path.count("{"), app)
            for app in apps
            for method, path in route_table(app)
        ]
        self._routes = sorted(routes, key=lambda route: route.parameters)

    def _app_for(self, method: str, path: str) -> FastAPI | None:
        matching = [route for route in self._routes if route.pattern.fullmatch(path)]
        exact = [route for route in matching if route.method == method]
        chosen = exact or matching
        return chosen[0].app if chosen else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET" and scope["path"] in ("/openapi.json", "/docs"):
            await self._contract(scope["path"])(scope, receive, send)
            return
        app = self._app_for(scope["method"], scope["path"])
        if app is None:
            response = JSONResponse(
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No function serves this path.",
                    "errors": [],
                },
                status_code=404,
                media_type="application/problem+json",
            )
            await response(scope, receive, send)
            return
        await app(scope, receive, send)

    def _contract(self, path: str) -> Response:
        """The API's OpenAPI document (`openapi.json`), or a viewer of it (`/docs`)."""
        if path == "/docs":
            return get_swagger_ui_html(openapi_url="/openapi.json", title="Grouping service")
        if self._document is None:
            self._document = api_document(self._apps)
        return JSONResponse(self._document)


def _path_pattern(path: str) -> re.Pattern[str]:
    parts = _PATH_PARAMETER.split(path)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


def prepare_local_database(database_url: str | None, *, data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The database to serve: given, `DATABASE_URL`, else the embedded one; migrated."""
    url = database_url or configured_database_url()
    with_shim = url is None
    if url is None:
        url = start_embedded_postgres(data_dir.resolve()).url
    migrate(url, with_local_shim=with_shim)
    return url


def use_local_settings(database_url: str) -> None:
    """Point the functions' settings at the local database, in local mode."""
    os.environ["APP_ENV"] = "local"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SUPABASE_URL", LOCAL_SUPABASE_URL)
    get_settings.cache_clear()


def ensure_local_admin(database_url: str) -> uuid.UUID:
    """A local admin account in the shim's auth.users (never on Supabase)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "insert into auth.users (id, email, raw_app_meta_data) values (%s, %s, %s)"
            " on conflict (id) do nothing",
            [LOCAL_ADMIN_ID, "admin@localhost", Jsonb({"role": "admin"})],
        )
    return LOCAL_ADMIN_ID


def local_admin_token(*, user_id: uuid.UUID, lifetime_s: int = LOCAL_TOKEN_LIFETIME_S) -> str:
    """A short-lived token shaped like Supabase's, signed with the local secret."""
    settings = get_settings()
    secret = settings.supabase_jwt_secret
    key = secret.get_secret_value() if secret is not None else LOCAL_JWT_SECRET
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "aud": "authenticated",
        "iss": settings.jwt_issuer,
        "role": "authenticated",
        "iat": now,
        "exp": now + lifetime_s,
        "app_metadata": {"role": "admin", "provider": "local"},
        "user_metadata": {},
    }
    return jwt.encode(claims, key, algorithm="HS256")


def invoke(
    app: FunctionDispatcher,
    method: str,
    path: str,
    *,
    token: str,
    body: object = None,
    text: str | None = None,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """One request through Mangum, as API Gateway (HTTP API, v2) would send it.

    `body` is sent as JSON; `text` (a CSV export, say) as it is, as `content_type`.
    """
    from mangum import Mangum

    request_id = uuid.uuid4().hex
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "authorization": f"Bearer {token}",
            "content-type": content_type,
            "host": "localhost",
        },
        "requestContext": {
            "accountId": "local",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "grouping-demo",
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "body": text if text is not None else None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
    context = SimpleNamespace(aws_request_id=request_id)
    response = Mangum(app, lifespan="off")(event, context)
    text = response.get("body") or ""
    if response.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    return int(response["statusCode"]), json.loads(text) if text else None


@contextmanager
def serving(app: FunctionDispatcher) -> Iterator[str]:
    """`app` on a free local port (uvicorn in a thread); yields its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
