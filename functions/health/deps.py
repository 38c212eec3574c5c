"""The key service (made once per cold start) and the health store bound to the caller."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from functions.auth.deps import SettingsDep
from functions.database.deps import TransportDep, service_role_transport
from functions.health.keys import KeyService, KmsKeyService, LocalKeyService, default_local_key_path
from functions.health.service import ImportSealer, RunAnswers
from functions.health.store import HealthStore
from functions.web.settings import Settings, SettingsError

if TYPE_CHECKING:
    from types_boto3_kms import KMSClient


@cache
def kms_client() -> KMSClient:
    """One client per process; the region comes from the Lambda environment."""
    import boto3  # imported here so that local runs never pay for boto3

    return boto3.client("kms")


@cache
def _local_key_service(path: str) -> LocalKeyService:
    return LocalKeyService(Path(path))


def key_service_for(settings: Settings) -> KeyService:
    """KMS when HEALTH_KMS_KEY_ID is set; else, in local mode only, the local key.

    Settings outside local mode already refuse a missing KMS key; the local key is refused
    here too, so no path ever reaches it on AWS.
    """
    key_id = (settings.health_kms_key_id or "").strip()
    if key_id:
        return KmsKeyService(kms_client(), key_id)
    if settings.app_env != "local":
        raise SettingsError(f"HEALTH_KMS_KEY_ID is required when APP_ENV={settings.app_env}")
    path = settings.health_local_key_file or str(default_local_key_path())
    return _local_key_service(path)


def get_key_service(settings: SettingsDep) -> KeyService:
    return key_service_for(settings)


KeyServiceDep = Annotated[KeyService, Depends(get_key_service)]


def get_health_store(transport: TransportDep) -> HealthStore:
    return HealthStore(transport)


HealthStoreDep = Annotated[HealthStore, Depends(get_health_store)]


def service_role_health_store(settings: Settings) -> HealthStore:
    """The nightly job's and the commands' store: the service role."""
    return HealthStore(service_role_transport(settings))


def route_of(request: Request) -> str:
    """The route an audit row names: the method and the path template, never its values."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or "unknown"
    return f"{request.method} {path}"[:200]


RouteDep = Annotated[str, Depends(route_of)]


def get_run_answers(store: HealthStoreDep, keys: KeyServiceDep, route: RouteDep) -> RunAnswers:
    return RunAnswers(store, keys, route)


RunAnswersDep = Annotated[RunAnswers, Depends(get_run_answers)]


def get_import_sealer(store: HealthStoreDep, keys: KeyServiceDep, route: RouteDep) -> ImportSealer:
    return ImportSealer(store, keys, route)


ImportSealerDep = Annotated[ImportSealer, Depends(get_import_sealer)]


def service_role_run_answers(settings: Settings, route: str) -> RunAnswers:
    """The nightly job's: the service role, with the key service of these settings."""
    return RunAnswers(service_role_health_store(settings), key_service_for(settings), route)
