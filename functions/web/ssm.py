"""The Supabase secrets from SSM Parameter Store: one `GetParameters` call per cold start.

Parameters live under one prefix per stage (`/grouping-service/<stage>`), named below;
serverless.yml grants `ssm:GetParameters` on exactly these names. SecureStrings are
decrypted by SSM. Values are never logged.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from functions.web.errors import ServiceUnavailableError
from functions.web.settings import SettingsError

if TYPE_CHECKING:
    from types_boto3_ssm import SSMClient

logger = logging.getLogger("functions.web")


class SettingsUnavailableError(ServiceUnavailableError, slug="settings-unavailable"):
    """SSM could not be read in time (a timeout, throttling): retry shortly."""

    default_detail = "The service's configuration could not be read; try again shortly."
    retry_after_seconds = 2

    def __init__(self, cause: str) -> None:
        super().__init__()
        logger.warning("SSM parameters unavailable: %s", cause)


# Parameter name under the prefix -> Settings field.
PARAMETER_FIELDS = {
    "supabase-url": "supabase_url",
    "supabase-anon-key": "supabase_anon_key",
    "supabase-service-role-key": "supabase_service_role_key",
    "supabase-jwt-secret": "supabase_jwt_secret",
}
# A project that signs with asymmetric keys only has no JWT secret to store.
OPTIONAL_PARAMETERS = frozenset({"supabase-jwt-secret"})


@cache
def ssm_client() -> SSMClient:
    """One client per process; the region comes from the Lambda environment."""
    import boto3  # imported here so that local runs never pay for boto3

    # botocore.parsers logs response bodies at DEBUG: they would hold the decrypted
    # secrets. Pin it to INFO so that DEBUG logging elsewhere cannot switch it on.
    parsers_logger = logging.getLogger("botocore.parsers")
    if parsers_logger.level < logging.INFO:
        parsers_logger.setLevel(logging.INFO)
    from functions.web.timeouts import aws_client_config

    return boto3.client("ssm", config=aws_client_config())


def parameter_names(prefix: str) -> dict[str, str]:
    """Full parameter name -> Settings field, for `prefix` with or without a trailing slash."""
    base = prefix.rstrip("/")
    return {f"{base}/{name}": field for name, field in PARAMETER_FIELDS.items()}


def read_supabase_parameters(prefix: str, client: SSMClient | None = None) -> dict[str, str]:
    """Settings field -> value, read in one decrypted `GetParameters` call."""
    from botocore.exceptions import BotoCoreError, ClientError

    names = parameter_names(prefix)
    try:
        response = (client or ssm_client()).get_parameters(Names=list(names), WithDecryption=True)
    except (BotoCoreError, ClientError) as error:
        # A timeout, a refusal, throttling: a 503, and the next request reads SSM again.
        raise SettingsUnavailableError(type(error).__name__) from None
    values = {
        names[parameter["Name"]]: parameter["Value"]
        for parameter in response.get("Parameters", [])
        if parameter.get("Name") in names and "Value" in parameter
    }
    missing = sorted(
        name
        for name in response.get("InvalidParameters", [])
        if name.rsplit("/", 1)[-1] not in OPTIONAL_PARAMETERS
    )
    if missing:
        raise SettingsError(f"missing SSM parameters: {', '.join(missing)}")
    return values
