"""The API's OpenAPI document: the committed file is what the apps generate, every error
is problem+json with its statuses, the bearer JWT is the security scheme, every deployed
route is in it, real problems have the documented shape, and the local server serves it;
the Lovable client's TypeScript types are generated from it (when the tools are there)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.contract.openapi import DOCUMENT, PROBLEM, current_document, main, rendered
from infra.local.runtime import FunctionDispatcher, function_apps, serving
from tests.functions.conftest import Invoke
from tests.functions.test_serverless_yml import FUNCTIONS, ROOT, http_routes

GENERATED = current_document()
OPERATIONS = [
    (method, path, operation)
    for path, item in GENERATED["paths"].items()
    for method, operation in item.items()
]
OPENAPI_TYPESCRIPT = ROOT / "tools" / "node_modules" / ".bin" / "openapi-typescript"
CLIENT = ROOT / "clients" / "lovable" / "api.d.ts"


def test_the_committed_document_is_what_the_apps_generate() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == rendered(GENERATED), (
        "openapi.json is out of date: python -m infra.contract.openapi"
    )
    assert main(["--check"]) == 0


def test_a_stale_document_is_reported(tmp_path: Path) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text(rendered({**GENERATED, "paths": {}}))
    assert main(["--check", "--output", str(stale)]) == 1


def test_every_deployed_route_is_documented() -> None:
    declared = {route for function in FUNCTIONS.values() for route in http_routes(function)}
    documented = {(method.upper(), path) for method, path, _ in OPERATIONS}
    assert declared == documented


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_every_error_is_problem_json(method: str, path: str, operation: dict[str, Any]) -> None:
    errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
    for answer in errors.values():
        assert list(answer["content"]) == [PROBLEM]
        assert answer["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    expected = {"401", "403", "422", "500", "503"}
    if "{" in path:
        expected.add("404")
    if method in {"post", "put", "patch", "delete"}:
        expected |= {"409", "413"}
    assert set(errors) == expected
    assert operation["security"] == [{"bearerAuth": []}]


def test_fastapis_validation_shape_is_gone_and_the_scheme_is_a_bearer_jwt() -> None:
    text = json.dumps(GENERATED)
    assert "HTTPValidationError" not in text
    assert GENERATED["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The Supabase session's access_token.",
    }
    assert {"401", "403", "404", "409", "413", "422"} <= {
        status for _, _, operation in OPERATIONS for status in operation["responses"]
    }


def test_a_real_problem_has_the_documented_shape(call_whoami: Invoke) -> None:
    answer = call_whoami()
    assert answer.status == 401 and answer.headers["content-type"] == PROBLEM
    schema = GENERATED["components"]["schemas"]["Problem"]
    body = answer.json()
    assert set(schema["required"]) <= set(body)
    kinds = {"string": str, "integer": int, "array": list}
    for name, value in body.items():
        declared = schema["properties"].get(name)
        assert declared is not None, name
        assert isinstance(value, kinds[declared["type"]]), name


def test_the_local_server_serves_the_document_and_a_viewer() -> None:
    with serving(FunctionDispatcher(function_apps().values())) as base_url:
        assert httpx.get(f"{base_url}/openapi.json").json() == json.loads(rendered(GENERATED))
        docs = httpx.get(f"{base_url}/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


@pytest.mark.skipif(not OPENAPI_TYPESCRIPT.exists(), reason="npm ci --prefix tools first")
def test_the_lovable_client_types_are_generated_from_the_document(tmp_path: Path) -> None:
    out = tmp_path / "api.d.ts"
    subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(DOCUMENT), "-o", str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert out.read_text() == CLIENT.read_text(), "regenerate clients/lovable/api.d.ts"
