"""Envelope encryption of one person's health answers: AES-256-GCM under a data key.

A data key (32 bytes, from the key service: KMS `GenerateDataKey`, or the local key) seals
many rows: one import's people, never one key per person. Each row gets its own random
96-bit nonce, and the row's identity (the participant and the data key) is bound as
associated data, so a ciphertext copied onto another person's row, or paired with another
key row, does not open: GCM's tag fails and `SealedAnswersError` says so without a detail
of the data. Plaintext is the answers as canonical JSON, only ever in memory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from functions.health.errors import SealedAnswersError

NONCE_BYTES = 12
KEY_BYTES = 32
# Versioned, so a future layout of the associated data never opens an old row by mistake.
_AAD_PREFIX = "grouping-service/participant_health/v1"


@dataclass(frozen=True, slots=True)
class Sealed:
    """One row's nonce and ciphertext (the GCM tag is its last 16 bytes)."""

    nonce: bytes
    ciphertext: bytes


def row_identity(participant_id: str, data_key_id: str) -> bytes:
    """The associated data of a row: which person, under which data key."""
    return f"{_AAD_PREFIX}|{participant_id.lower()}|{data_key_id.lower()}".encode()


def seal(answers: dict[str, Any], *, key: bytes, identity: bytes) -> Sealed:
    """`answers` encrypted under `key`, bound to `identity` (see `row_identity`)."""
    plaintext = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    nonce = os.urandom(NONCE_BYTES)
    return Sealed(nonce, AESGCM(key).encrypt(nonce, plaintext.encode(), identity))


def open_sealed(sealed: Sealed, *, cipher: AESGCM, identity: bytes) -> dict[str, Any]:
    """The answers of `sealed`; `SealedAnswersError` when it was changed, moved or is not
    the key's. `cipher` is made once per data key (`AESGCM(key)`) by the caller."""
    try:
        plaintext = cipher.decrypt(sealed.nonce, sealed.ciphertext, identity)
        answers = json.loads(plaintext)
    except (InvalidTag, ValueError):
        raise SealedAnswersError() from None
    if not isinstance(answers, dict):
        raise SealedAnswersError()
    return answers
