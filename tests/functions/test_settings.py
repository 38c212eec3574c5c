"""Settings from the environment, and the refusal of insecure values outside local mode."""

from __future__ import annotations

import pytest

from functions.web.settings import LOCAL_JWT_SECRET, SettingsError, get_settings, load_settings

PROJECT_SECRET = "a-real-looking-project-jwt-secret-0123456789abcdef"
SECURE_ENV = {
    "APP_ENV": "prod",
    "SUPABASE_URL": "https://abcdefghijklmnop.supabase.co/",
    "SUPABASE_ANON_KEY": "anon-key-value",
    "SUPABASE_SERVICE_ROLE_KEY": "service-role-key-value",
    "SUPABASE_JWT_SECRET": PROJECT_SECRET,
    "ALLOWED_ORIGINS": "https://your-app.lovable.app, https://preview.your-app.lovable.app/",
    "MAX_BODY_BYTES": "65536",
    "HEALTH_KMS_KEY_ID": "alias/grouping-health",
}


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, **SECURE_ENV, DATABASE_URL="postgresql://u:p@db/postgres")
    settings = get_settings()
    assert settings.app_env == "prod"
    assert settings.supabase_url == "https://abcdefghijklmnop.supabase.co"
    assert settings.jwt_issuer == "https://abcdefghijklmnop.supabase.co/auth/v1"
    assert settings.jwks_url == (
        "https://abcdefghijklmnop.supabase.co/auth/v1/.well-known/jwks.json"
    )
    assert settings.allowed_origins == (
        "https://your-app.lovable.app",
        "https://preview.your-app.lovable.app",
    )
    assert settings.max_body_bytes == 65536
    assert settings.supabase_jwt_secret is not None
    assert settings.supabase_jwt_secret.get_secret_value() == PROJECT_SECRET
    assert settings.database_url is not None
    assert get_settings() is settings


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, **SECURE_ENV)
    shown = repr(get_settings())
    assert PROJECT_SECRET not in shown and "service-role-key-value" not in shown


def test_local_mode_runs_with_nothing_set() -> None:
    settings = load_settings()
    assert settings.app_env == "local"
    assert settings.supabase_url.startswith("http://127.0.0.1")
    assert settings.supabase_jwt_secret is not None
    assert settings.supabase_jwt_secret.get_secret_value() == LOCAL_JWT_SECRET


def test_outside_local_an_unset_jwt_secret_means_asymmetric_keys_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_env(monkeypatch, **{**SECURE_ENV, "SUPABASE_JWT_SECRET": ""})
    assert load_settings().supabase_jwt_secret is None


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("SUPABASE_URL", "http://abcdefghijklmnop.supabase.co", "SUPABASE_URL"),
        ("SUPABASE_JWT_SECRET", LOCAL_JWT_SECRET, "SUPABASE_JWT_SECRET"),
        ("SUPABASE_JWT_SECRET", "short-secret-xyz", "SUPABASE_JWT_SECRET"),
        ("ALLOWED_ORIGINS", "*", "ALLOWED_ORIGINS"),
        ("ALLOWED_ORIGINS", "https://ok.example,http://plain.example", "ALLOWED_ORIGINS"),
        ("SUPABASE_ANON_KEY", "", "SUPABASE_ANON_KEY"),
        ("SUPABASE_SERVICE_ROLE_KEY", " ", "SUPABASE_SERVICE_ROLE_KEY"),
        ("MAX_BODY_BYTES", "lots", "MAX_BODY_BYTES"),
        ("MAX_BODY_BYTES", "0", "MAX_BODY_BYTES"),
        ("SUPABASE_URL", "abcdefghijklmnop.supabase.co", "SUPABASE_URL"),
        ("APP_ENV", "production", "APP_ENV"),
    ],
)
def test_insecure_or_invalid_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    set_env(monkeypatch, **{**SECURE_ENV, name: value})
    with pytest.raises(SettingsError) as refused:
        get_settings()
    message = str(refused.value)
    assert named in message
    assert PROJECT_SECRET not in message and "service-role-key-value" not in message
    if name == "SUPABASE_JWT_SECRET":
        assert value not in message


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_insecure_default_is_reported_at_once(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    set_env(monkeypatch, APP_ENV=env, ALLOWED_ORIGINS="*")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    for name in (
        "SUPABASE_URL",
        "SUPABASE_ANON_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "ALLOWED_ORIGINS",
    ):
        assert name in message
    # Unset outside local means "no HS256", not the local placeholder.
    assert "SUPABASE_JWT_SECRET" not in message


def test_local_mode_accepts_what_aws_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, APP_ENV="local", ALLOWED_ORIGINS="*", SUPABASE_JWT_SECRET="short")
    settings = load_settings()
    assert settings.allowed_origins == ("*",)
