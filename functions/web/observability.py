"""Logs and metrics of every function, through AWS Lambda Powertools.

Logs: on Lambda (or with `LOG_FORMAT=json`) every logger under `functions` writes one
JSON object a line (Powertools' formatter) at `LOG_LEVEL` (default INFO; Lambda's own
`AWS_LAMBDA_LOG_LEVEL` when that is all there is), carrying the keys of the moment:
`function`, `cold_start` and `lambda_request_id` of the invocation (`lambda_entry`), the
API Gateway `request_id` and the caller's `user_id` of the request (`request_scope`,
`bind`). Those are the only keys added: ids and counts, never a participant's answers.
On Lambda the lines do not also propagate to the runtime's root handler (one line each).
Elsewhere the loggers are left to the process (the demo, uvicorn, pytest's caplog).

Metrics: CloudWatch's embedded metric format, printed to stdout, which CloudWatch Logs
turns into metrics under `NAMESPACE`: no API call and no client at a cold start. They are
written on Lambda (or with `METRICS_TO_STDOUT=1`); elsewhere they are dropped, so the
demo and the local server print none.

`create_app` and `mangum_handler` wire this for every HTTP function; a function without
HTTP (the nightly job) wraps its handler in `lambda_entry` itself.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import IO, Any, TypeVar

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

SERVICE = "grouping-service"
NAMESPACE = "GroupingService"
ROOT_LOGGER = "functions"
_HANDLER_NAME = "grouping-service-json"

# One dict a request, mutated in place: a dependency run in a worker thread (the caller's
# id) writes into the same dict the request's other threads read.
_request_keys: ContextVar[dict[str, Any] | None] = ContextVar("request_keys", default=None)
# One invocation at a time per Lambda process.
_invocation_keys: dict[str, Any] = {}
_cold_start = True

Handler = TypeVar("Handler", bound=Callable[..., Any])


class _ContextKeys(logging.Filter):
    """Adds the invocation's and the request's keys to each record (Powertools prints them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in {**_invocation_keys, **(_request_keys.get() or {})}.items():
            setattr(record, key, value)
        return True


def on_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def log_level() -> str:
    level = os.environ.get("LOG_LEVEL") or os.environ.get("AWS_LAMBDA_LOG_LEVEL") or "INFO"
    return level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO"


def json_logs_wanted() -> bool:
    return on_lambda() or os.environ.get("LOG_FORMAT", "").lower() == "json"


def configure_logging(stream: IO[str] | None = None) -> logging.Logger:
    """JSON lines for the `functions` loggers at `log_level()`; idempotent (one handler).

    On Lambda (or with `LOG_FORMAT=json`, or a `stream` given); elsewhere the loggers are
    left to the process (the CLI's demo, uvicorn, pytest), so a terminal shows no JSON.
    """
    logger = logging.getLogger(ROOT_LOGGER)
    for existing in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(existing)
    logger.propagate = not on_lambda()
    if stream is None and not json_logs_wanted():
        logger.setLevel(log_level() if os.environ.get("LOG_LEVEL") else logging.NOTSET)
        return logger
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(LambdaPowertoolsFormatter(service=SERVICE, utc=True))
    handler.addFilter(_ContextKeys())
    logger.addHandler(handler)
    logger.setLevel(log_level())
    return logger


@contextmanager
def request_scope(request_id: str) -> Iterator[dict[str, Any]]:
    """The keys of one request's log lines, starting with its id."""
    keys: dict[str, Any] = {"request_id": request_id}
    token = _request_keys.set(keys)
    try:
        yield keys
    finally:
        _request_keys.reset(token)


def bind(**keys: Any) -> None:
    """Adds keys (the caller's `user_id`) to the current request's log lines."""
    current = _request_keys.get()
    if current is not None:
        current.update(keys)


def lambda_entry(handler: Handler, *, function: str) -> Handler:
    """`handler` with the invocation's log keys set and its metrics written after it."""

    @wraps(handler)
    def entry(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        global _cold_start
        _invocation_keys.clear()
        _invocation_keys.update(
            function=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", function),
            cold_start=_cold_start,
            lambda_request_id=getattr(context, "aws_request_id", None),
        )
        _cold_start = False
        try:
            return handler(event, context, *args, **kwargs)
        finally:
            _invocation_keys.clear()

    return entry  # type: ignore[return-value]


def metrics_enabled() -> bool:
    return on_lambda() or os.environ.get("METRICS_TO_STDOUT") == "1"


def record(name: str, value: float, unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    """One metric (with its own dimensions) as one embedded-metric-format line."""
    if not metrics_enabled():
        return
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_dimension(name="service", value=SERVICE)
    function = _invocation_keys.get("function")
    if function:
        metrics.add_dimension(name="function", value=str(function))
    for key, dimension in dimensions.items():
        metrics.add_dimension(name=key, value=dimension)
    metrics.add_metric(name=name, unit=unit, value=value)
    metrics.flush_metrics()


def record_counts(counts: dict[str, float], **dimensions: str) -> None:
    """Several counts sharing dimensions, one line each."""
    for name, value in counts.items():
        record(name, value, MetricUnit.Count, **dimensions)


@contextmanager
def timed(name: str, **dimensions: str) -> Iterator[None]:
    """Records how long the block took, in milliseconds, when it ends without an error."""
    started = time.perf_counter()
    yield
    record(name, (time.perf_counter() - started) * 1000, MetricUnit.Milliseconds, **dimensions)


def measured(name: str) -> Callable[[], Iterator[None]]:
    """A route dependency (`dependencies=[Depends(measured(...))]`) that records how long
    the route took, its other dependencies included, as `name` in milliseconds."""

    def dependency() -> Iterator[None]:
        with timed(name):
            yield

    return dependency
