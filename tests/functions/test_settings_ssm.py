"""The AWS path: Supabase secrets from SSM Parameter Store, under moto."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from moto import mock_aws

from functions.web.settings import SettingsError, get_settings
from functions.web.ssm import SettingsUnavailableError, ssm_client

PREFIX = "/grouping-service/test"
SECRETS = {
    "supabase-url": "https://abcdefghijklmnop.supabase.co",
    "supabase-anon-key": "anon-key-from-ssm",
    "supabase-service-role-key": "service-role-key-from-ssm",
    "supabase-jwt-secret": "jwt-secret-from-ssm-0123456789abcdefghijklmnop",
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("SSM_PARAMETER_PREFIX", PREFIX)
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://your-app.lovable.app")
    monkeypatch.setenv("HEALTH_KMS_KEY_ID", "alias/grouping-health")
    # What SSM says wins over a stale value in the environment.
    monkeypatch.setenv("SUPABASE_URL", "https://stale.supabase.co")
    with mock_aws():
        yield


def put_parameters(values: dict[str, str]) -> None:
    for name, value in values.items():
        ssm_client().put_parameter(Name=f"{PREFIX}/{name}", Value=value, Type="SecureString")


def count_get_parameters() -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    ssm_client().meta.events.register("before-parameter-build.ssm.GetParameters", record)
    return calls


def test_secrets_are_read_from_ssm_once_per_cold_start(aws: None) -> None:
    put_parameters(SECRETS)
    calls = count_get_parameters()
    settings = get_settings()
    assert get_settings() is settings
    assert len(calls) == 1
    assert calls[0]["WithDecryption"] is True
    assert settings.supabase_url == SECRETS["supabase-url"]
    assert settings.supabase_anon_key is not None
    assert settings.supabase_anon_key.get_secret_value() == SECRETS["supabase-anon-key"]
    assert settings.supabase_service_role_key is not None
    assert (
        settings.supabase_service_role_key.get_secret_value()
        == SECRETS["supabase-service-role-key"]
    )
    assert settings.supabase_jwt_secret is not None
    assert settings.supabase_jwt_secret.get_secret_value() == SECRETS["supabase-jwt-secret"]
    assert settings.allowed_origins == ("https://your-app.lovable.app",)
    # A new cold start reads again; the client is reused.
    get_settings.cache_clear()
    get_settings()
    assert len(calls) == 2


def test_a_project_without_a_jwt_secret_parameter_verifies_by_jwks_only(aws: None) -> None:
    put_parameters({name: value for name, value in SECRETS.items() if "jwt" not in name})
    assert get_settings().supabase_jwt_secret is None


def test_a_missing_required_parameter_is_named(aws: None) -> None:
    put_parameters({name: value for name, value in SECRETS.items() if "anon" not in name})
    with pytest.raises(SettingsError, match=f"{PREFIX}/supabase-anon-key"):
        get_settings()


def test_ssm_values_are_still_checked_for_safety(aws: None) -> None:
    put_parameters({**SECRETS, "supabase-url": "http://abcdefghijklmnop.supabase.co"})
    with pytest.raises(SettingsError, match="SUPABASE_URL must use https"):
        get_settings()


def test_no_secret_reaches_a_log_line_even_at_debug(
    aws: None, caplog: pytest.LogCaptureFixture
) -> None:
    put_parameters(SECRETS)
    caplog.set_level(logging.DEBUG)
    get_settings()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in SECRETS.values():
        assert value not in logged


def test_the_ssm_client_times_out_well_inside_the_function(aws: None) -> None:
    config: Any = ssm_client().meta.config  # botocore's Config types none of its options
    assert config.connect_timeout + config.read_timeout <= 10
    assert config.retries["total_max_attempts"] <= 2


def test_an_ssm_timeout_is_a_503_to_retry_and_is_not_cached(aws: None) -> None:
    put_parameters(SECRETS)
    slow = [True]

    def time_out(**_: Any) -> None:
        if slow[0]:  # every attempt of the first request, botocore's own retry included
            raise ReadTimeoutError(endpoint_url="https://ssm.eu-central-1.amazonaws.com")

    ssm_client().meta.events.register("before-send.ssm.GetParameters", time_out)
    with pytest.raises(SettingsUnavailableError) as unavailable:
        get_settings()
    assert unavailable.value.status == 503
    assert unavailable.value.headers() == {"Retry-After": "2"}
    slow[0] = False
    assert get_settings().supabase_url == SECRETS["supabase-url"]  # the next request reads
