"""Fixtures of the build-groups tests: the function wired to the test database, and a
count of the engine runs the service makes (the real engine still runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine import run_grouping
from functions.auth.verifier import TokenVerifier
from functions.build_groups import handler
from functions.grouping import service as grouping_service
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

Call = Callable[..., Answer]


@pytest.fixture
def call(api_world: ApiWorld, verifier: TokenVerifier) -> Iterator[Call]:
    undo = wire(handler.app, api_world.settings, verifier)

    def invoke(method: str, path: str, *, token: str | None = None, **event: Any) -> Answer:
        return send(handler.handler, method, path, token=token, **event)

    yield invoke
    undo()


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return run_grouping(*args, **kwargs)

    monkeypatch.setattr(grouping_service, "run_grouping", counted)
    return calls
