"""The key service: where data keys come from and how wrapped ones are opened.

`KeyService` is the narrow Protocol the health feature needs: a new data key (plaintext
and wrapped), a wrapped key opened, and a wrapped key re-wrapped under the current master
key without its plaintext leaving the service (a rotation). Two implementations:

- `KmsKeyService`: AWS KMS (`GenerateDataKey`, `Decrypt`, `ReEncrypt`) under one key; only
  the functions that import, group or read health data hold kms:Decrypt on it;
- `LocalKeyService`: a 256-bit key in a file outside the repository (the user's data
  directory), created on first use, for `grouping serve`, the demo and tests; refused
  outside APP_ENV=local (`key_service_for`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from functions.health.envelope import KEY_BYTES, NONCE_BYTES
from functions.health.errors import HealthKeyUnavailableError, SealedAnswersError

if TYPE_CHECKING:
    from types_boto3_kms import KMSClient

LOCAL_KEY_PREFIX = "local:"
# What the local key wraps data keys with, so a local wrap never opens anything else.
_LOCAL_WRAP_AAD = b"grouping-service/local-data-key/v1"


@dataclass(frozen=True, slots=True)
class DataKey:
    """A fresh data key: `plaintext` stays in memory, `wrapped` is stored with `key_ref`."""

    plaintext: bytes
    wrapped: bytes
    key_ref: str


class KeyService(Protocol):
    def generate(self) -> DataKey:
        """A new 256-bit data key, with its wrapped form."""
        ...

    def unwrap(self, wrapped: bytes, key_ref: str) -> bytes:
        """The plaintext of a wrapped key (`SealedAnswersError` if it is not ours)."""
        ...

    def rewrap(self, wrapped: bytes, key_ref: str) -> tuple[bytes, str]:
        """The key wrapped again under the current master key, and that key's reference."""
        ...


class KmsKeyService:
    """Data keys from AWS KMS under `key_id` (an id, ARN or alias); one client per process."""

    def __init__(self, client: KMSClient, key_id: str) -> None:
        self._client = client
        self._key_id = key_id

    def generate(self) -> DataKey:
        try:
            answer = self._client.generate_data_key(KeyId=self._key_id, KeySpec="AES_256")
        except Exception:
            raise HealthKeyUnavailableError() from None
        return DataKey(answer["Plaintext"], answer["CiphertextBlob"], answer["KeyId"])

    def unwrap(self, wrapped: bytes, key_ref: str) -> bytes:
        try:
            answer = self._client.decrypt(CiphertextBlob=wrapped, KeyId=key_ref)
        except self._client.exceptions.InvalidCiphertextException:
            raise SealedAnswersError() from None
        except Exception:
            raise HealthKeyUnavailableError() from None
        return answer["Plaintext"]

    def rewrap(self, wrapped: bytes, key_ref: str) -> tuple[bytes, str]:
        try:
            answer = self._client.re_encrypt(
                CiphertextBlob=wrapped, SourceKeyId=key_ref, DestinationKeyId=self._key_id
            )
        except Exception:
            raise HealthKeyUnavailableError() from None
        return answer["CiphertextBlob"], answer["KeyId"]


def default_local_key_path() -> Path:
    """`$XDG_DATA_HOME/grouping-service/health-local.key` (~/.local/share by default)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "grouping-service" / "health-local.key"


class LocalKeyService:
    """A local master key in `path` wraps data keys with AES-256-GCM (for local runs only).

    The file is made on first use (mode 0600, its folder 0700); `key_ref` names the key by
    a fingerprint, so data sealed under another machine's key fails closed, clearly.
    """

    def __init__(self, path: Path) -> None:
        self._master = _read_or_create(path)
        fingerprint = hashlib.sha256(self._master).hexdigest()[:16]
        self.key_ref = LOCAL_KEY_PREFIX + fingerprint

    def _wrap(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self._master).encrypt(nonce, plaintext, _LOCAL_WRAP_AAD)

    def generate(self) -> DataKey:
        plaintext = os.urandom(KEY_BYTES)
        return DataKey(plaintext, self._wrap(plaintext), self.key_ref)

    def unwrap(self, wrapped: bytes, key_ref: str) -> bytes:
        if key_ref != self.key_ref:
            raise SealedAnswersError()
        try:
            nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
            return AESGCM(self._master).decrypt(nonce, body, _LOCAL_WRAP_AAD)
        except (InvalidTag, ValueError):
            raise SealedAnswersError() from None

    def rewrap(self, wrapped: bytes, key_ref: str) -> tuple[bytes, str]:
        return self._wrap(self.unwrap(wrapped, key_ref)), self.key_ref


def _read_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            # O_EXCL: two processes starting at once keep the first one's key.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(os.urandom(KEY_BYTES))
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise HealthKeyUnavailableError("The local health key file is not a 256-bit key.")
    return key
