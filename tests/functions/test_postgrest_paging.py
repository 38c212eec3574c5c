"""Whole-relation reads through PostgREST never lose rows silently, and every PostgREST
call has a timeout well inside the function's: the fake answers as PostgREST does, at most
its "Max rows" a request, with the total in Content-Range when a count is asked for."""

from __future__ import annotations

import httpx
import pytest
import yaml

from functions.database.errors import DatabaseUnavailableError, IncompleteReadError
from functions.database.postgrest import PAGE_SIZE, PostgrestTransport, project_client
from functions.database.transport import Select
from tests.functions.postgrest_fake import (
    ANON_KEY,
    CALLER_TOKEN,
    REST_PREFIX,
    SUPABASE_URL,
    FakePostgrest,
    relation_of,
)
from tests.functions.test_serverless_yml import ROOT

PEOPLE = Select(relation="participants", columns=("id", "full_name"), order=("id",))


def stored(count: int) -> list[dict[str, object]]:
    return [{"id": f"p-{i:05d}", "full_name": f"Person {i}"} for i in range(count)]


def transport_over(fake: FakePostgrest) -> PostgrestTransport:
    return PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)


@pytest.mark.parametrize(("rows", "max_rows"), [(1200, 500), (1200, 1000), (2500, 1000), (0, 500)])
def test_a_read_gets_every_row_whatever_max_rows_is(rows: int, max_rows: int) -> None:
    fake = FakePostgrest(max_rows=max_rows)
    fake.rows["participants"] = stored(rows)
    read = transport_over(fake).select(PEOPLE)
    assert [row["id"] for row in read] == [f"p-{i:05d}" for i in range(rows)]
    # Worked out by hand: one request per max_rows rows, at least one request.
    assert len(fake.requests) == max(1, -(-rows // max_rows))
    assert "count=exact" in fake.requests[0].headers["prefer"]


def test_a_read_without_a_count_fails_instead_of_returning_a_page() -> None:
    fake = FakePostgrest(max_rows=500, counts=False)
    fake.rows["participants"] = stored(1200)
    with pytest.raises(IncompleteReadError) as refused:
        transport_over(fake).select(PEOPLE)
    assert refused.value.status == 503
    assert isinstance(refused.value, DatabaseUnavailableError)


def test_rows_that_go_away_between_pages_fail_the_read() -> None:
    fake = FakePostgrest(max_rows=500)
    fake.rows["participants"] = stored(1200)
    answer = fake.handle

    def shrinking(request: httpx.Request) -> httpx.Response:
        response = answer(request)
        del fake.rows["participants"][300:]  # deleted by someone else after the first page
        return response

    http = httpx.Client(transport=httpx.MockTransport(shrinking))
    transport = PostgrestTransport(
        project_client(SUPABASE_URL, "another-key", http), access_token=CALLER_TOKEN
    )
    with pytest.raises(IncompleteReadError):
        transport.select(PEOPLE)


def test_a_page_size_the_project_honours_needs_one_request_a_page() -> None:
    fake = FakePostgrest()
    fake.rows["participants"] = stored(PAGE_SIZE)
    assert len(transport_over(fake).select(PEOPLE)) == PAGE_SIZE
    assert [relation_of(r) for r in fake.requests] == ["participants"]


def test_a_slow_postgrest_is_a_503_not_a_hang() -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    http = httpx.Client(transport=httpx.MockTransport(too_slow))
    transport = PostgrestTransport(
        project_client(SUPABASE_URL, "slow-key", http), access_token=CALLER_TOKEN
    )
    with pytest.raises(DatabaseUnavailableError):
        transport.rpc("ward_role", {"ward": "w"})


def test_the_production_client_times_out_well_inside_the_function() -> None:
    function_timeout = yaml.safe_load((ROOT / "serverless.yml").read_text())["provider"]["timeout"]
    client = project_client(SUPABASE_URL, ANON_KEY)
    timeout = client.rest.session.timeout
    assert client.rest.base_url.path == REST_PREFIX.rstrip("/")
    # Each phase, and a connect plus a whole read, leave most of the function's time.
    for phase in (timeout.connect, timeout.read, timeout.write, timeout.pool):
        assert phase is not None and 0 < phase <= function_timeout / 3
