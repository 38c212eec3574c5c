"""problem+json answers and request ids, through a probe app (problem_probe.py). The body
limit and CORS are in test_body_limit_and_cors.py.
"""

from __future__ import annotations

import logging

import pytest

from tests.functions.problem_probe import STORE_FAILURES, Call, fields_of, problem
from tests.functions.problem_probe import admin as admin
from tests.functions.problem_probe import call as call
from tests.functions.problem_probe import probe as probe
from tests.functions.tokens import SigningKey, user_claims


def test_a_valid_non_admin_is_403(call: Call, rsa_signer: SigningKey) -> None:
    answer = call("POST", "/runs", token=rsa_signer.sign(user_claims()), body={})
    assert answer.status == 403
    assert problem(answer)["type"] == "urn:grouping-service:problem:not-admin"


def test_the_request_id_is_api_gateways(call: Call) -> None:
    answer = call("POST", "/runs", body={})
    assert problem(answer)["request_id"] == "Xk3q9hJvFiAEMdQ="


def test_an_invalid_option_is_422_naming_the_field_without_echoing_it(
    call: Call, admin: str
) -> None:
    body = {"options": {"age_policy": "peanut-severe", "min_group_size": 1}}
    answer = call("POST", "/runs", token=admin, body=body)
    assert answer.status == 422
    assert fields_of(answer) == ["options.age_policy", "options.min_group_size"]
    assert "peanut" not in answer.text


def test_an_unknown_field_is_422_naming_it(call: Call, admin: str) -> None:
    answer = call("POST", "/runs", token=admin, body={"dryrun": True})
    assert answer.status == 422
    assert fields_of(answer) == ["dryrun"]


def test_malformed_json_is_422_on_the_body(call: Call, admin: str) -> None:
    answer = call("POST", "/runs", token=admin, body='{"dry_run": tru')
    assert answer.status == 422
    assert problem(answer)["errors"] == [{"field": "body", "message": "Malformed JSON"}]


def test_options_validated_by_a_handler_are_named_under_a_prefix(call: Call, admin: str) -> None:
    overrides = {"min_group_size": 5, "fallback_group_size": 4, "colour": "red"}
    answer = call("POST", "/merge", token=admin, body=overrides)
    assert answer.status == 422
    assert fields_of(answer) == ["options.colour", "options.fallback_group_size"]


@pytest.mark.parametrize(
    ("method", "path", "status", "slug"),
    [
        ("GET", "/policies/42", 404, "not-found"),
        ("DELETE", "/policies/active", 409, "conflict"),
        ("GET", "/no-such-route", 404, "not-found"),
        ("PATCH", "/runs", 405, "method-not-allowed"),
    ],
)
def test_domain_and_routing_errors_are_problems(
    call: Call, admin: str, method: str, path: str, status: int, slug: str
) -> None:
    answer = call(method, path, token=admin)
    assert answer.status == status
    assert problem(answer)["type"] == f"urn:grouping-service:problem:{slug}"


def test_a_crash_is_a_500_with_a_request_id_and_nothing_leaks(
    call: Call, admin: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        answer = call("GET", "/crash", token=admin)
    assert answer.status == 500
    body = problem(answer)
    assert body["request_id"] == "Xk3q9hJvFiAEMdQ="
    assert "peanut" not in answer.text and "select" not in answer.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Xk3q9hJvFiAEMdQ=" in logged and "RuntimeError" in logged
    assert "peanut" not in logged and "Traceback" not in logged


@pytest.mark.parametrize(
    ("failure", "status", "slug"),
    [
        ("missing", 404, "not-found"),
        ("stale", 409, "conflict"),
        ("active", 409, "conflict"),
        ("rls", 403, "forbidden"),
        ("rejected", 401, "invalid-token"),
        ("shape", 422, "invalid-input"),
        ("down", 503, "service-unavailable"),
        ("unknown", 500, "internal-error"),
    ],
)
def test_store_errors_map_by_type(
    call: Call, admin: str, failure: str, status: int, slug: str
) -> None:
    answer = call("POST", f"/store/{failure}", token=admin)
    assert answer.status == status
    body = problem(answer)
    assert body["type"] == f"urn:grouping-service:problem:{slug}"
    if status != 500:
        assert body["detail"] == STORE_FAILURES[failure].default_detail
