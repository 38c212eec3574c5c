"""Fixtures for the function tests: no network, no AWS, settings from the test alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from functions.auth.deps import get_token_verifier, token_verifier_for
from functions.auth.jwks import JwksCache
from functions.auth.verifier import TokenVerifier
from functions.web.settings import Settings, get_settings
from functions.web.ssm import ssm_client
from tests.functions.api_world import (  # noqa: F401  (fixtures, re-exported for pytest)
    api_world,
    database_url,
    db,
    owner_connection,
    server_url,
)
from tests.functions.events import Answer, send
from tests.functions.tokens import ISSUER, JWT_SECRET, SUPABASE_URL, SigningKey, ec_key, rsa_key

SETTINGS_ENV = (
    "APP_ENV",
    "SUPABASE_URL",
    "SUPABASE_ANON_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_JWT_SECRET",
    "ALLOWED_ORIGINS",
    "MAX_BODY_BYTES",
    "DATABASE_URL",
    "SSM_PARAMETER_PREFIX",
    "API_GATEWAY_BASE_PATH",
    "HEALTH_KMS_KEY_ID",
    "HEALTH_LOCAL_KEY_FILE",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked slow (the ward soak) run only when asked for: `pytest -m slow`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: select it with -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    token_verifier_for.cache_clear()
    ssm_client.cache_clear()
    yield
    get_settings.cache_clear()
    token_verifier_for.cache_clear()
    ssm_client.cache_clear()


@pytest.fixture(scope="session")
def rsa_signer() -> SigningKey:
    return rsa_key("rsa-2025-01")


@pytest.fixture(scope="session")
def ec_signer() -> SigningKey:
    return ec_key("ec-2025-01")


@pytest.fixture(scope="session")
def stranger_signer() -> SigningKey:
    """A well-formed key that the project's JWKS does not publish."""
    return rsa_key("rsa-unpublished")


@dataclass
class ManualClock:
    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeJwksEndpoint:
    """Serves `keys` as the project's JWKS document and counts the fetches."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0

    def __call__(self) -> Mapping[str, Any]:
        self.fetches += 1
        return {"keys": [dict(key) for key in self.keys]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def jwks_endpoint(rsa_signer: SigningKey, ec_signer: SigningKey) -> FakeJwksEndpoint:
    return FakeJwksEndpoint(keys=[rsa_signer.public_jwk(), ec_signer.public_jwk()])


@pytest.fixture
def verifier(jwks_endpoint: FakeJwksEndpoint, clock: ManualClock) -> TokenVerifier:
    return TokenVerifier(
        issuer=ISSUER, jwt_secret=JWT_SECRET, signing_keys=JwksCache(jwks_endpoint, clock=clock)
    )


@pytest.fixture
def test_settings() -> Settings:
    return Settings(
        app_env="local",
        supabase_url=SUPABASE_URL,
        supabase_jwt_secret=SecretStr(JWT_SECRET),
        allowed_origins=("https://app.example.org",),
        max_body_bytes=2_000,
    )


Invoke = Callable[..., Answer]


def wire(app: FastAPI, settings: Settings, verifier: TokenVerifier) -> Callable[[], None]:
    """Points `app` at the test's settings and verifier; returns the undo."""
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[get_token_verifier] = lambda: verifier
    return app.dependency_overrides.clear


@pytest.fixture
def call_whoami(test_settings: Settings, verifier: TokenVerifier) -> Iterator[Invoke]:
    """GET /whoami as an HTTP API v2 event through whoami's Lambda handler."""
    from functions.whoami import handler

    undo = wire(handler.app, test_settings, verifier)

    def invoke(token: str | None = None, **event: Any) -> Answer:
        return send(handler.handler, "GET", "/whoami", token=token, **event)

    yield invoke
    undo()
