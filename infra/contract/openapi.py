"""The whole API as one OpenAPI document, for Lovable: every function's routes, errors
as problem+json with their statuses, the bearer JWT, examples.

    python -m infra.contract.openapi            # writes openapi.json
    python -m infra.contract.openapi --check    # exit 1 when openapi.json is out of date

Each function's FastAPI app describes its own routes; this merges them (as API Gateway
merges the functions behind one API) and states what FastAPI cannot know: every error is
`application/problem+json` (functions/web/problems.py), not FastAPI's `HTTPValidationError`,
and which statuses a route answers. `grouping serve` serves the same document at
`/openapi.json` (and a viewer at `/docs`); `tests/e2e/test_openapi.py` checks the committed
file is what the apps generate and holds real answers to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "openapi.json"
PROBLEM = "application/problem+json"
BEARER = "bearerAuth"
_WRITES = frozenset({"post", "put", "patch", "delete"})
_ERRORS = {
    "401": "No valid Supabase access token (`WWW-Authenticate: Bearer`).",
    "403": "The caller may not do this, or may not see what it names.",
    "404": "No such record, or it is not visible to the caller.",
    "409": "A conflict with the current state: a stale `If-Match`, `expectedVersion` or"
    " `expected_edit_seq`, an idempotency key reused for another request or still in"
    " progress, an archived policy, a closed event, or a run edit a hard rule refuses"
    " (`edit-refused`, naming the `rule` and the `people`).",
    "413": "The body is larger than this function takes.",
    "422": "Invalid fields: `errors` names each one and what is wrong with it.",
    "500": "The service failed; `request_id` finds it in the logs.",
    "503": "A service it depends on is unavailable: retry after `Retry-After` seconds.",
}
_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, as every error is answered.",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:grouping-service:problem:invalid-input"]},
        "title": {"type": "string", "examples": ["Unprocessable Content"]},
        "status": {"type": "integer", "examples": [422]},
        "detail": {"type": "string", "examples": ["The request has invalid fields."]},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
        "request_id": {"type": "string", "description": "The request's id (`X-Request-Id`)."},
    },
    "additionalProperties": True,
}
_FIELD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "examples": ["options.min_group_size"]},
        "message": {"type": "string", "examples": ["Input should be greater than or equal to 2"]},
    },
}
_EXAMPLE = {
    "type": "urn:grouping-service:problem:invalid-input",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request has invalid fields.",
    "errors": [{"field": "options.min_group_size", "message": "Input should be at least 2"}],
    "request_id": "Xk3q9hJvFiAEMdQ=",
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """What a route may answer besides success: auth, its path ids, its writes and body."""
    statuses = ["401", "403", "422", "500", "503"]
    if "{" in path:
        statuses.append("404")
    if method in _WRITES:
        statuses += ["409", "413"]
    return sorted(statuses)


def _operation(method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
    responses = {
        status: answer
        for status, answer in operation.get("responses", {}).items()
        if not status.startswith(("4", "5"))
    }
    for status in error_statuses(method, path, operation):
        responses[status] = {
            "description": _ERRORS[status],
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    responses["422"]["content"][PROBLEM]["example"] = _EXAMPLE
    return {**operation, "responses": responses, "security": [{BEARER: []}]}


def api_document(apps: Iterable[FastAPI], *, version: str = "1") -> dict[str, Any]:
    """One OpenAPI 3.1 document for `apps`, paths and schemas merged, errors problem+json."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for app in apps:
        document = app.openapi()
        for path, item in document.get("paths", {}).items():
            for method, operation in item.items():
                paths.setdefault(path, {})[method] = _operation(method, path, operation)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in {"HTTPValidationError", "ValidationError"}:
                continue  # FastAPI's 422 shape, never answered: errors are problems
            if name in schemas and schemas[name] != schema:
                raise ValueError(f"two functions define the schema {name} differently")
            schemas[name] = schema
    schemas |= {"Problem": _PROBLEM_SCHEMA, "FieldProblem": _FIELD_SCHEMA}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Grouping service",
            "version": version,
            "description": "Dinner groups and ward cleaning groups. Every call needs the"
            " signed-in user's Supabase access token; every error is application/problem+json.",
        },
        "paths": {path: paths[path] for path in sorted(paths)},
        "components": {
            "schemas": {name: schemas[name] for name in sorted(schemas)},
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The Supabase session's access_token.",
                }
            },
        },
        "security": [{BEARER: []}],
    }


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def current_document() -> dict[str, Any]:
    """The document of every function in `functions/` (their apps, imported)."""
    from infra.local.runtime import function_apps

    return api_document(function_apps().values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DOCUMENT)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = rendered(current_document())
    if args.check:
        if not args.output.exists() or args.output.read_text(encoding="utf-8") != text:
            print(
                f"{args.output.name} is out of date: python -m infra.contract.openapi",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output.name} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
