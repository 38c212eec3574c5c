"""The functions' configuration: environment variables, and SSM Parameter Store on AWS.

`get_settings()` builds `Settings` once per process (a Lambda cold start). When
`SSM_PARAMETER_PREFIX` is set, the Supabase URL, keys and JWT secret are read from SSM
(see `ssm.py`) and take precedence over the environment. Outside `APP_ENV=local`,
insecure values are refused with an error naming the setting, never showing its value.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AppEnv = Literal["local", "dev", "prod"]
# The Supabase CLI's well-known local secret: fine on a laptop, never on AWS.
LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
LOCAL_SUPABASE_URL = "http://127.0.0.1:54321"
MIN_JWT_SECRET_LENGTH = 32
# A Lambda behind API Gateway gets at most 6 MB; the functions need far less.
MAX_BODY_BYTES_LIMIT = 6_000_000


class SettingsError(Exception):
    """The configuration is missing or insecure; the message names settings, never values."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    app_env: AppEnv = "local"
    supabase_url: str = LOCAL_SUPABASE_URL
    supabase_anon_key: SecretStr | None = None
    supabase_service_role_key: SecretStr | None = None
    # Unset means: no HS256 tokens (asymmetric keys only); locally, the CLI's secret.
    supabase_jwt_secret: SecretStr | None = None
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    max_body_bytes: Annotated[int, Field(ge=1, le=MAX_BODY_BYTES_LIMIT)] = 1_048_576
    database_url: SecretStr | None = None
    # The KMS key (id, ARN or alias) that wraps the health data keys; required on AWS.
    health_kms_key_id: str | None = None
    # Locally only: where the local health key lives (default: the user's data directory).
    health_local_key_file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _local_jwt_secret(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("supabase_jwt_secret"):
            return data
        local = data.get("app_env", "local") == "local"
        return {**data, "supabase_jwt_secret": LOCAL_JWT_SECRET if local else None}

    @field_validator("supabase_url")
    @classmethod
    def _plain_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PydanticCustomError("url", "SUPABASE_URL must be an http(s) URL with a host")
        return value.strip().rstrip("/")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()
            )
        return value

    @model_validator(mode="after")
    def _secure_outside_local(self) -> Settings:
        if self.app_env == "local":
            return self
        problems = insecure_setting_problems(self)
        if problems:
            raise PydanticCustomError("insecure_settings", "; ".join(problems))
        return self

    @property
    def jwt_issuer(self) -> str:
        return f"{self.supabase_url}/auth/v1"

    @property
    def jwks_url(self) -> str:
        return f"{self.jwt_issuer}/.well-known/jwks.json"


def insecure_setting_problems(settings: Settings) -> list[str]:
    """What would be unsafe on AWS; each entry names the environment variable."""
    env = settings.app_env
    problems = []
    if urlsplit(settings.supabase_url).scheme != "https":
        problems.append(f"SUPABASE_URL must use https when APP_ENV={env}")
    secret = settings.supabase_jwt_secret
    if secret is not None:
        value = secret.get_secret_value()
        if value == LOCAL_JWT_SECRET or len(value) < MIN_JWT_SECRET_LENGTH:
            problems.append(
                f"SUPABASE_JWT_SECRET is a placeholder or shorter than {MIN_JWT_SECRET_LENGTH}"
                f" characters; set the project's secret or leave it unset when APP_ENV={env}"
            )
    for name, key in (
        ("SUPABASE_ANON_KEY", settings.supabase_anon_key),
        ("SUPABASE_SERVICE_ROLE_KEY", settings.supabase_service_role_key),
    ):
        if key is None or not key.get_secret_value().strip():
            problems.append(f"{name} is required when APP_ENV={env}")
    if not (settings.health_kms_key_id or "").strip():
        problems.append(f"HEALTH_KMS_KEY_ID is required when APP_ENV={env}")
    if settings.health_local_key_file is not None:
        problems.append(f"HEALTH_LOCAL_KEY_FILE is for APP_ENV=local only, not {env}")
    if any(urlsplit(origin).scheme != "https" for origin in settings.allowed_origins):
        problems.append(f"ALLOWED_ORIGINS must list https origins only (no '*') when APP_ENV={env}")
    return problems


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, `overrides` first; a clear `SettingsError` if invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    # `input` and `ctx` are dropped on purpose: they may hold a secret.
    lines = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in item["loc"]).upper()
        lines.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "invalid settings: " + "; ".join(lines)


@cache
def get_settings() -> Settings:
    """The process's settings, read once; on AWS the secrets come from SSM."""
    prefix = os.environ.get("SSM_PARAMETER_PREFIX", "").strip()
    if not prefix:
        return load_settings()
    from functions.web.ssm import read_supabase_parameters

    return load_settings(**read_supabase_parameters(prefix))
