"""Sealing and opening many rows with few key-service calls.

`Sealer`: one data key (one `GenerateDataKey`) for a whole import, each row sealed under it
with its own nonce and identity. `Opener`: each wrapped key a batch needs is unwrapped once
(one `Decrypt` per distinct key, however many rows), and a row that does not open fails
alone, closed, without stopping the others.
"""

from __future__ import annotations

import binascii
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from functions.health.envelope import Sealed, open_sealed, row_identity, seal
from functions.health.errors import SealedAnswersError
from functions.health.keys import KeyService
from functions.health.schemas import Envelope, RunBatch, WrappedKey
from functions.health.store import b64

# The survey answers that are not health data: everything else a survey answers is sealed
# (deny by default). The database holds participants.responses to these (the migration
# health_plaintext_dropped).
CLEAR_FIELDS = frozenset({"kosher", "diet", "age", "birth_date"})


def split_answers(responses: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the clear answers, the health answers) of one person's survey answers."""
    clear = {k: v for k, v in responses.items() if k in CLEAR_FIELDS}
    health = {k: v for k, v in responses.items() if k not in CLEAR_FIELDS}
    return clear, health


class Sealer:
    """Seals rows under one fresh data key; `payload` is what the writing RPCs take."""

    def __init__(self, keys: KeyService) -> None:
        data_key = keys.generate()
        self.key_id = str(uuid.uuid4())
        self._cipher_key = data_key.plaintext
        self._wrapped = {
            "id": self.key_id,
            "key_ref": data_key.key_ref,
            "wrapped_key": b64(data_key.wrapped),
        }
        self._rows: list[dict[str, str]] = []

    def seal(self, participant_id: str, answers: dict[str, Any]) -> None:
        sealed = seal(
            answers, key=self._cipher_key, identity=row_identity(participant_id, self.key_id)
        )
        self._rows.append(
            {
                "participant_id": participant_id,
                "nonce": b64(sealed.nonce),
                "ciphertext": b64(sealed.ciphertext),
            }
        )

    def payload(self) -> dict[str, Any]:
        return {"data_key": self._wrapped, "rows": self._rows}


class Opener:
    """Opens the envelopes of one batch; each of its keys is unwrapped at most once."""

    def __init__(self, keys: KeyService, wrapped: Iterable[WrappedKey]) -> None:
        self._keys = keys
        self._wrapped = {str(key.id): key for key in wrapped}
        self._ciphers: dict[str, AESGCM | None] = {}

    def _cipher(self, key_id: str) -> AESGCM | None:
        if key_id not in self._ciphers:
            wrapped = self._wrapped.get(key_id)
            try:
                plaintext = (
                    None
                    if wrapped is None
                    else self._keys.unwrap(wrapped.wrapped_key, wrapped.key_ref)
                )
            except SealedAnswersError:
                plaintext = None
            self._ciphers[key_id] = None if plaintext is None else AESGCM(plaintext)
        return self._ciphers[key_id]

    def open(self, envelope: Envelope) -> dict[str, Any]:
        """The answers of `envelope`; `SealedAnswersError` if it (or its key) does not open."""
        sealed = Sealed(envelope.nonce, envelope.ciphertext)
        return self._open(str(envelope.participant_id), str(envelope.data_key_id), sealed)

    def _open(self, participant_id: str, key_id: str, sealed: Sealed) -> dict[str, Any]:
        cipher = self._cipher(key_id)
        if cipher is None:
            raise SealedAnswersError()
        identity = row_identity(participant_id, key_id)
        return open_sealed(sealed, cipher=cipher, identity=identity)

    def open_columns(self, batch: RunBatch) -> dict[str, dict[str, Any] | None]:
        """`open_all` for a run's columns: participant id → answers, or None."""
        opened: dict[str, dict[str, Any] | None] = {}
        rows = zip(
            batch.participant_ids, batch.data_key_ids, batch.nonces, batch.ciphertexts, strict=True
        )
        for participant_id, key_id, nonce, ciphertext in rows:
            try:
                sealed = Sealed(binascii.a2b_base64(nonce), binascii.a2b_base64(ciphertext))
                opened[participant_id] = self._open(participant_id, key_id, sealed)
            except (SealedAnswersError, binascii.Error):
                opened[participant_id] = None
        return opened

    def open_all(self, envelopes: Iterable[Envelope]) -> dict[str, dict[str, Any] | None]:
        """Participant id → answers, or None for a row that does not open."""
        opened: dict[str, dict[str, Any] | None] = {}
        for envelope in envelopes:
            try:
                opened[str(envelope.participant_id)] = self.open(envelope)
            except SealedAnswersError:
                opened[str(envelope.participant_id)] = None
        return opened
