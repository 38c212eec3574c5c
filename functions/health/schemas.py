"""What the health doors hand out (sealed rows and wrapped keys, base64 in JSON), and what
the health routes answer once opened."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Base64Bytes, BaseModel, ConfigDict

# Why an admin reads a person's answers or a group's notes (issue 13).
AdminPurpose = Literal["venue", "support", "correction"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class WrappedKey(_Row):
    id: UUID
    key_ref: str
    wrapped_key: Base64Bytes


class Envelope(_Row):
    """One person's sealed answers as stored."""

    participant_id: UUID
    data_key_id: UUID
    nonce: Base64Bytes
    ciphertext: Base64Bytes


class SealedBatch(_Row):
    """Sealed rows and the wrapped keys they need (each key once)."""

    envelopes: list[Envelope] = []
    keys: list[WrappedKey] = []


class RunBatch(_Row):
    """Everyone's sealed rows for a run, as columns (a run reads thousands of rows: base64
    is decoded when each row is opened, not by the model)."""

    participant_ids: list[str] = []
    data_key_ids: list[str] = []
    nonces: list[str] = []
    ciphertexts: list[str] = []
    keys: list[WrappedKey] = []


class ImportBatch(SealedBatch):
    """Before an import: the stored ids of the external ids it names, and their answers."""

    ids: dict[str, UUID] = {}


class PersonBatch(SealedBatch):
    participant_id: UUID
    share_with_group: bool
    envelope: Envelope | None = None


class SharedEnvelope(Envelope):
    full_name: str | None = None


class GroupBatch(_Row):
    group_id: UUID
    allergy_summary: dict[str, Any]
    shared: list[SharedEnvelope] = []
    keys: list[WrappedKey] = []


class PersonAnswers(BaseModel):
    """A person's health answers, opened for a reader the audit has recorded."""

    participant_id: UUID
    answers: dict[str, Any]
    share_with_group: bool


class MemberAllergies(BaseModel):
    """Who has which allergy in a group: members who consented only."""

    full_name: str | None
    allergens: dict[str, str]


class GroupNotes(BaseModel):
    """A group's allergy notes: the group-level summary, and consenting members' allergies."""

    group_id: UUID
    allergy_summary: dict[str, Any]
    members: list[MemberAllergies]


class AccessEntry(_Row):
    """One audited read of health data."""

    id: int
    accessed_at: datetime
    actor_id: UUID | None
    actor_role: str
    subject: str
    participant_id: UUID | None
    group_id: UUID | None
    event_id: UUID | None
    people: int
    purpose: str
    route: str


ACCESS_COLUMNS = tuple(AccessEntry.model_fields)
