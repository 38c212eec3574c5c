"""Logs and metrics as CloudWatch receives them: one JSON object a line with the request's
id, the function, the cold start and the caller, at the configured level, never an answer;
CloudWatch embedded-metric-format lines with a run's counts and times."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from functions.web import observability
from functions.web.observability import NAMESPACE, configure_logging
from tests.db.health_seed import opened_answers
from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.conftest import Invoke
from tests.functions.events import REQUEST_ID, lambda_context
from tests.functions.tokens import SigningKey, user_claims


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    monkeypatch.setattr(observability, "_cold_start", True)
    stream = io.StringIO()
    configure_logging(stream)
    yield stream
    configure_logging()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def metric_lines(text: str) -> list[dict[str, Any]]:
    documents = [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE
    return documents


def test_a_request_logs_one_json_line_with_its_ids(
    call_whoami: Invoke, rsa_signer: SigningKey, log_lines: io.StringIO
) -> None:
    claims = user_claims()
    assert call_whoami(token=rsa_signer.sign(claims)).status == 200
    assert call_whoami(token=rsa_signer.sign(claims)).status == 200
    first, second = lines(log_lines)
    assert first["level"] == "INFO" and first["service"] == "grouping-service"
    assert first["request_id"] == REQUEST_ID  # API Gateway's, as its access log has it
    assert first["function"] == "whoami"
    assert first["lambda_request_id"] == lambda_context().aws_request_id
    assert first["user_id"] == claims["sub"]
    assert (first["route"], first["http_status"]) == ("/whoami", 200)
    assert first["duration_ms"] >= 0
    assert (first["cold_start"], second["cold_start"]) == (True, False)


def test_an_anonymous_request_has_no_user_id(call_whoami: Invoke, log_lines: io.StringIO) -> None:
    assert call_whoami().status == 401
    (line,) = lines(log_lines)
    assert "user_id" not in line and line["http_status"] == 401


def test_the_level_is_the_configured_one(
    monkeypatch: pytest.MonkeyPatch, call_whoami: Invoke, rsa_signer: SigningKey
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "warning")
    stream = io.StringIO()
    logger = configure_logging(stream)
    try:
        assert logger.level == logging.WARNING
        assert call_whoami(token=rsa_signer.sign(user_claims())).status == 200
        logging.getLogger("functions.grouping").warning("a warning")
        assert [line["message"] for line in lines(stream)] == ["a warning"]
    finally:
        monkeypatch.delenv("LOG_LEVEL")
        configure_logging()


def test_on_lambda_lines_are_not_repeated_by_the_runtimes_root_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "grouping-service-dev-whoami")
    try:
        assert configure_logging(io.StringIO()).propagate is False
    finally:
        monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
        assert configure_logging().propagate is True


@pytest.mark.db
def test_a_run_writes_its_metrics_and_no_answer_reaches_a_log(
    api_world: ApiWorld,
    call: Call,
    log_lines: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("METRICS_TO_STDOUT", "1")
    api_world.seed_participants(60)
    api_world.add_policy("Metrics", active=True, kosher_only=True)
    answer = call("POST", "/build-groups", token=api_world.admin_token, body={})
    assert answer.status == 201, answer.text
    counts = answer.json()["counts"]
    values: dict[tuple[str, str | None], float] = {}
    for document in metric_lines(capsys.readouterr().out):
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        (metric,) = directive["Metrics"]
        assert document["service"] == "grouping-service"
        (value,) = document[metric["Name"]]
        values[metric["Name"], document.get("reason")] = value
    assert values["Runs", None] == 1
    assert values["Participants", None] == 60 == counts["participants"]
    assert values["Assigned", None] == counts["assigned"]
    # The queue by reason, counted from the saved rows, not from the diagnostics.
    stored = api_world.db.execute(
        "select reason, count(*) from public.unassigned_queue group by reason"
    ).fetchall()
    by_reason = {(name, reason): value for (name, reason), value in values.items() if reason}
    # Every reason is written, a zero too, so an alarm on one sees data every run.
    assert {reason for _, reason in by_reason} >= {reason for reason, _ in stored}
    assert {key: value for key, value in by_reason.items() if value} == {
        ("Unassigned", reason): count for reason, count in stored
    }
    assert values["EngineDuration", None] > 0 and values["SaveDuration", None] > 0
    logged = log_lines.getvalue()
    assert '"message":"POST /build-groups answered 201"' in logged
    # The answers the run opened (sealed in the database): their allergy texts.
    answers = opened_answers(api_world.db).values()
    allergies = [
        text
        for responses in answers
        for text in responses.values()
        if isinstance(text, str) and ("allerg" in text.lower() or "אלרג" in text)
    ]
    assert allergies  # the sample data has them, so the check below means something
    for text in allergies:
        assert text not in logged


def test_metrics_are_dropped_off_lambda(capsys: pytest.CaptureFixture[str]) -> None:
    observability.record("Runs", 1)
    assert capsys.readouterr().out == ""


def test_a_timed_block_is_one_milliseconds_metric(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("METRICS_TO_STDOUT", "1")
    with observability.timed("WardPreviewLatency"):
        pass
    (document,) = metric_lines(capsys.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Metrics"] == [{"Name": "WardPreviewLatency", "Unit": "Milliseconds"}]
    assert directive["Dimensions"] == [["service"]]


def test_off_lambda_the_loggers_are_left_to_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = configure_logging()
    assert not [h for h in logger.handlers if h.get_name() == "grouping-service-json"]
    assert logger.level == logging.NOTSET and logger.propagate
    monkeypatch.setenv("LOG_FORMAT", "json")
    try:
        assert [h.get_name() for h in configure_logging().handlers] == ["grouping-service-json"]
    finally:
        monkeypatch.delenv("LOG_FORMAT")
        configure_logging()
