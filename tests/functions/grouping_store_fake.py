"""The PostgREST stand-in with its sample rows, a GroupingStore over it with the caller's
token, and what the GroupingStore PostgREST tests read their requests with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from functions.database.postgrest import PostgrestTransport
from functions.grouping.store import GroupingStore
from tests.functions.postgrest_fake import CALLER_TOKEN, FakePostgrest

STARTED = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
# A select without a limit asks for its first page of 1000 rows (and more while pages are full).
FIRST_PAGE = [("offset", "0"), ("limit", "1000")]


@pytest.fixture
def fake() -> FakePostgrest:
    return FakePostgrest()


@pytest.fixture
def store(fake: FakePostgrest) -> GroupingStore:
    return GroupingStore(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN))


def query_params(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def http_client(handler: Any) -> httpx.Client:
    """An HTTP client whose requests `handler` answers."""
    return httpx.Client(transport=httpx.MockTransport(handler))
