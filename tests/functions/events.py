"""API Gateway HTTP API (payload format 2.0) events, as Lambda receives them."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

API_ID = "a1b2c3d4e5"
HOST = f"{API_ID}.execute-api.eu-central-1.amazonaws.com"
REQUEST_ID = "Xk3q9hJvFiAEMdQ="


def http_api_event(
    method: str,
    path: str,
    *,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    stage: str = "$default",
    route_key: str | None = None,
    query: str = "",
) -> dict[str, Any]:
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    all_headers = {
        "host": HOST,
        "user-agent": "pytest",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **({"authorization": f"Bearer {token}"} if token is not None else {}),
    }
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    if text is not None:
        all_headers["content-type"] = "application/json"
        all_headers["content-length"] = str(len(text.encode()))
    all_headers.update(headers or {})
    key = route_key or f"{method} {path}"
    return {
        "version": "2.0",
        "routeKey": key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "domainName": HOST,
            "domainPrefix": API_ID,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": REQUEST_ID,
            "routeKey": key,
            "stage": stage,
            "time": "01/Mar/2025:19:03:58 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": text,
        "isBase64Encoded": False,
    }


def lambda_context() -> Any:
    return SimpleNamespace(
        function_name="grouping-service-dev-whoami",
        aws_request_id="6f1b0b9e-2a37-4c8f-9b1e-0d9c8f7a6b5c",
        get_remaining_time_in_millis=lambda: 28_000,
    )


def json_body(response: dict[str, Any]) -> Any:
    """The body as API Gateway would hand it to the browser."""
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body)
    return json.loads(body)


@dataclass(frozen=True)
class Answer:
    """A Lambda response as the browser would see it through API Gateway."""

    status: int
    headers: dict[str, str]
    text: str
    base64_encoded: bool

    def json(self) -> Any:
        return json.loads(self.text)


LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def send(handler: LambdaHandler, method: str, path: str, **event: Any) -> Answer:
    """Invokes `handler` with an HTTP API v2 event built from the arguments."""
    response = handler(http_api_event(method, path, **event), lambda_context())
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return Answer(
        status=response["statusCode"],
        headers={key.lower(): value for key, value in response.get("headers", {}).items()},
        text=body,
        base64_encoded=bool(response.get("isBase64Encoded")),
    )
