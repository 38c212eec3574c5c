"""Database failures through a function, on both transports: a transient fault (a lost
connection, a shutdown, a lost race, no connection to spare, PostgREST unable to reach its
database) is a 503 with `Retry-After`; a code nothing maps (class 42: the deployed schema and
the code disagree) or no code at all is a 500 whose log line names the SQLSTATE and its class,
never the message."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import psycopg
import pytest

from functions.auth.verifier import TokenVerifier
from functions.database.codes import error_for_code
from functions.database.deps import get_transport
from functions.database.errors import DatabaseError, DatabaseUnavailableError
from functions.database.postgres import SERVICE_IDENTITY, PostgresTransport
from functions.database.postgrest import PostgrestTransport, ProjectClient, project_client
from functions.database.transport import Transport
from functions.policies import handler
from functions.web.errors import ServiceUnavailableError
from functions.web.settings import Settings
from tests.functions.conftest import wire
from tests.functions.events import Answer, send
from tests.functions.postgrest_fake import ANON_KEY, CALLER_TOKEN, SUPABASE_URL, FakePostgrest
from tests.functions.tokens import SigningKey, user_claims

SECRET = "secret SQL text: select allergy from participants"
TRANSIENT = [
    "08000",
    "08003",
    "08006",
    "08001",
    "57P01",
    "57P02",
    "57P03",
    "40001",
    "40P01",
    "53300",
]
POSTGREST_TRANSIENT = [*TRANSIENT, "PGRST000", "PGRST001", "PGRST002", "PGRST003"]
# Class 42: an undefined function, table or column, a syntax error; then a server's own bug.
UNMAPPED = ["42883", "42P01", "42703", "42601", "XX000"]
Use = Callable[[Transport], Answer]


def failing_connections(code: str) -> Callable[[], AbstractContextManager[Any]]:
    """Connections whose opening fails with the psycopg error of SQLSTATE `code`."""
    error_class = psycopg.errors.lookup(code)

    def connect() -> AbstractContextManager[Any]:
        raise error_class(SECRET)

    return connect


def answered_by(respond: Callable[[httpx.Request], httpx.Response]) -> ProjectClient:
    """A supabase-py client whose HTTP requests `respond` answers."""
    http = httpx.Client(transport=httpx.MockTransport(respond))
    return project_client(SUPABASE_URL, ANON_KEY, http)


@pytest.fixture
def use(test_settings: Settings, verifier: TokenVerifier, rsa_signer: SigningKey) -> Iterator[Use]:
    """GET /grouping/policies as an admin, over the given transport."""
    undo = wire(handler.app, test_settings, verifier)
    token = rsa_signer.sign(user_claims(admin=True))

    def invoke(transport: Transport) -> Answer:
        handler.app.dependency_overrides[get_transport] = lambda: transport
        return send(handler.handler, "GET", "/grouping/policies", token=token)

    yield invoke
    undo()


def assert_retry_later(answer: Answer) -> None:
    assert answer.status == 503, answer.text
    assert 1 <= int(answer.headers["retry-after"]) <= 5
    assert answer.json()["type"].endswith(":service-unavailable")
    assert "secret" not in answer.text


@pytest.mark.parametrize("code", TRANSIENT)
def test_a_transient_fault_on_postgresql_is_a_503_with_retry_after(use: Use, code: str) -> None:
    transport = PostgresTransport(failing_connections(code), identity=SERVICE_IDENTITY)
    assert_retry_later(use(transport))


@pytest.mark.parametrize("code", POSTGREST_TRANSIENT)
def test_a_transient_fault_behind_postgrest_is_a_503_with_retry_after(use: Use, code: str) -> None:
    fake = FakePostgrest()
    fake.fail("GET", "grouping_policies", 503, code)
    assert_retry_later(use(PostgrestTransport(fake.client(), access_token=CALLER_TOKEN)))


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_page_instead_of_postgrest_is_a_503_with_retry_after(
    use: Use, status: int
) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<html>upstream unavailable</html>")

    assert_retry_later(use(PostgrestTransport(answered_by(gateway), access_token=CALLER_TOKEN)))


def test_an_unreachable_postgrest_is_a_503_with_retry_after(use: Use) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused by https://secret.example", request=request)

    client = answered_by(unreachable)
    assert_retry_later(use(PostgrestTransport(client, access_token=CALLER_TOKEN)))


@pytest.mark.parametrize("code", UNMAPPED)
def test_an_unmapped_code_is_a_500_logged_with_its_class_not_its_message(
    use: Use, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = PostgresTransport(failing_connections(code), identity=SERVICE_IDENTITY)
    with caplog.at_level(logging.INFO, logger="functions"):
        answer = use(transport)
    assert answer.status == 500, answer.text
    assert "retry-after" not in answer.headers
    assert "secret" not in answer.text
    assert f"SQLSTATE {code} (class {code[:2]})" in caplog.text
    assert "secret" not in caplog.text


def test_an_error_without_a_sqlstate_is_a_500_logged_as_such(
    use: Use, caplog: pytest.LogCaptureFixture
) -> None:
    def connect() -> AbstractContextManager[Any]:
        raise psycopg.DataError(SECRET)

    with caplog.at_level(logging.INFO, logger="functions"):
        answer = use(PostgresTransport(connect, identity=SERVICE_IDENTITY))
    assert answer.status == 500, answer.text
    assert "without a SQLSTATE" in caplog.text
    assert "secret" not in caplog.text and "secret" not in answer.text


@pytest.mark.parametrize("code", [*POSTGREST_TRANSIENT, "503", "502", "504"])
def test_transient_codes_map_to_the_unavailable_error(code: str) -> None:
    mapped = error_for_code(code)
    assert type(mapped) is DatabaseUnavailableError
    assert mapped.headers() == {"Retry-After": str(mapped.retry_after_seconds)}


@pytest.mark.parametrize("code", [*UNMAPPED, None, "ZZ999", "' or 1=1 --"])
def test_unmapped_codes_are_a_500_and_log_no_text_of_theirs(
    code: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="functions"):
        mapped = error_for_code(code)
    assert type(mapped) is DatabaseError
    assert mapped.headers() == {}
    assert "or 1=1" not in caplog.text
    assert caplog.records and caplog.records[-1].levelno == logging.ERROR


def test_a_503_that_retrying_will_not_mend_carries_no_retry_after() -> None:
    assert ServiceUnavailableError().headers() == {}
