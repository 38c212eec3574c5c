"""Envelope encryption of health answers under KMS (moto) and the local key: a sealed row
opens only on its own row under its own key; the local key lives outside the repository and
is refused outside local mode; a rotation re-wraps keys without touching the rows."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from functions.health.deps import key_service_for
from functions.health.errors import SealedAnswersError
from functions.health.keys import KmsKeyService, LocalKeyService
from functions.health.schemas import Envelope, WrappedKey
from functions.health.sealing import Opener, Sealer, split_answers
from functions.web.settings import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]
ANSWERS = {"dietary_restrictions": "severe peanut allergy, sesame"}
DANA, ELI = "6f1c1c62-1111-4aaa-8aaa-000000000001", "6f1c1c62-1111-4aaa-8aaa-000000000002"


@pytest.fixture
def kms() -> Iterator[KmsKeyService]:
    with mock_aws():
        client = boto3.client("kms", region_name="eu-central-1")
        key_id = client.create_key(Description="health")["KeyMetadata"]["KeyId"]
        yield KmsKeyService(client, key_id)


def _sealed_batch(keys: KmsKeyService | LocalKeyService) -> tuple[list[Envelope], list[WrappedKey]]:
    sealer = Sealer(keys)
    sealer.seal(DANA, ANSWERS)
    sealer.seal(ELI, {"dietary_restrictions": "gluten"})
    payload = sealer.payload()
    envelopes = [
        Envelope.model_validate({**row, "data_key_id": payload["data_key"]["id"]})
        for row in payload["rows"]
    ]
    return envelopes, [WrappedKey.model_validate(payload["data_key"])]


def test_rows_sealed_under_one_kms_data_key_open_with_one_decrypt(kms: KmsKeyService) -> None:
    envelopes, wrapped = _sealed_batch(kms)
    calls: list[str] = []
    original = kms.unwrap

    def counted(blob: bytes, ref: str) -> bytes:
        calls.append(ref)
        return original(blob, ref)

    kms.unwrap = counted  # type: ignore[method-assign,assignment]
    opened = Opener(kms, wrapped).open_all(envelopes)
    assert opened == {DANA: ANSWERS, ELI: {"dietary_restrictions": "gluten"}}
    assert len(calls) == 1
    assert b"peanut" not in b"".join(e.ciphertext for e in envelopes)


def test_a_ciphertext_moved_to_another_row_or_changed_does_not_open(kms: KmsKeyService) -> None:
    (dana, eli), wrapped = _sealed_batch(kms)
    moved = dana.model_copy(update={"participant_id": eli.participant_id})
    flipped = bytearray(dana.ciphertext)
    flipped[3] ^= 1
    tampered = dana.model_copy(update={"ciphertext": bytes(flipped)})
    other_key = dana.model_copy(update={"data_key_id": ELI})
    opener = Opener(kms, wrapped)
    assert opener.open_all([moved, tampered, other_key, eli]) == {
        ELI: {"dietary_restrictions": "gluten"},
        DANA: None,
    }
    for envelope in (moved, tampered):
        with pytest.raises(SealedAnswersError):
            opener.open(envelope)


def test_rotation_rewraps_a_kms_data_key_that_still_opens_the_rows(kms: KmsKeyService) -> None:
    envelopes, (wrapped,) = _sealed_batch(kms)
    blob, ref = kms.rewrap(wrapped.wrapped_key, wrapped.key_ref)
    assert blob != wrapped.wrapped_key
    rotated = wrapped.model_copy(update={"wrapped_key": blob, "key_ref": ref})
    assert Opener(kms, [rotated]).open_all(envelopes)[DANA] == ANSWERS


def test_the_local_key_is_made_on_first_use_outside_the_repository(tmp_path: Path) -> None:
    path = tmp_path / "data" / "grouping-service" / "health-local.key"
    first = LocalKeyService(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not path.resolve().is_relative_to(REPO)
    envelopes, wrapped = _sealed_batch(first)
    again = LocalKeyService(path)
    assert again.key_ref == first.key_ref
    assert Opener(again, wrapped).open_all(envelopes)[DANA] == ANSWERS
    stranger = LocalKeyService(tmp_path / "other.key")
    assert Opener(stranger, wrapped).open_all(envelopes) == {DANA: None, ELI: None}


def test_the_default_local_key_is_under_the_users_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    keys = key_service_for(Settings(app_env="local"))
    assert isinstance(keys, LocalKeyService)
    assert (tmp_path / "grouping-service" / "health-local.key").exists()


def test_outside_local_mode_the_local_key_is_refused() -> None:
    settings = Settings.model_construct(app_env="prod", health_kms_key_id=None)
    with pytest.raises(SettingsError, match="HEALTH_KMS_KEY_ID"):
        key_service_for(settings)


def test_only_the_clear_answers_stay_out_of_the_seal() -> None:
    clear, health = split_answers(
        {"kosher": "yes", "diet": "vegan", "age": "x", **ANSWERS, "notes": "asthma"}
    )
    assert clear == {"kosher": "yes", "diet": "vegan", "age": "x"}
    assert health == {**ANSWERS, "notes": "asthma"}


def test_settings_outside_local_mode_need_a_kms_key_and_refuse_a_local_key_file() -> None:
    secure = {
        "app_env": "prod",
        "supabase_url": "https://abcdefghijklmnop.supabase.co",
        "supabase_anon_key": "anon",
        "supabase_service_role_key": "service",
        "health_local_key_file": "/tmp/health.key",
    }
    with pytest.raises(SettingsError) as refused:
        load_settings(**secure)
    assert "HEALTH_KMS_KEY_ID is required" in str(refused.value)
    assert "HEALTH_LOCAL_KEY_FILE is for APP_ENV=local only" in str(refused.value)
