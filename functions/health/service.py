"""Health answers in and out: sealed at import, opened for a run, read by their person,
their group (with consent) or an admin stating a purpose. Every read goes through one of
the store's audited doors first; nothing here logs or answers an answer's content.

`RunAnswers` and `ImportSealer` are what the grouping and events features take (each
through a Protocol of its own), wired by the handlers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from engine.grouping.survey.allergies import read_restrictions
from functions.health.errors import HealthDataUnreadableError, SealedAnswersError
from functions.health.keys import KeyService
from functions.health.schemas import GroupNotes, MemberAllergies, PersonAnswers
from functions.health.sealing import CLEAR_FIELDS, Opener, Sealer, split_answers
from functions.health.store import HealthStore

logger = logging.getLogger("functions.health")


@dataclass(frozen=True)
class RunAnswers:
    """Everyone's opened health answers for a grouping run: one audited read, one unwrap per
    data key (one per import), then AES-GCM per row in memory."""

    store: HealthStore
    keys: KeyService
    route: str

    def for_run(self, *, event_id: UUID | None) -> dict[str, dict[str, Any] | None]:
        batch = self.store.open_for_run(route=self.route, event_id=event_id)
        opened = Opener(self.keys, batch.keys).open_columns(batch)
        failed = sum(1 for answers in opened.values() if answers is None)
        if failed:
            logger.warning("%d sealed answers did not open; those people are unassigned", failed)
        return opened


@dataclass(frozen=True)
class SealedImport:
    """An import's people, ready to write: stored (or new) ids, clear answers, sealed rows."""

    ids: dict[str, str]
    clear: dict[str, dict[str, Any]]
    health: dict[str, Any] | None


@dataclass(frozen=True)
class ImportSealer:
    """Seals an import's health answers under one data key, writing only those that changed
    (the stored ones are opened to compare, in one audited read)."""

    store: HealthStore
    keys: KeyService
    route: str

    def seal(
        self, *, event_id: UUID | None, people: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> SealedImport:
        external_ids = [external_id for external_id, _ in people]
        batch = self.store.open_for_import(
            route=self.route, external_ids=external_ids, event_id=event_id
        )
        stored = Opener(self.keys, batch.keys).open_all(batch.envelopes)
        ids = {ext: str(batch.ids.get(ext) or uuid.uuid4()) for ext in external_ids}
        clear: dict[str, dict[str, Any]] = {}
        changed: list[tuple[str, dict[str, Any]]] = []
        for external_id, responses in people:
            clear[external_id], health = split_answers(responses)
            pid = ids[external_id]
            if pid not in stored or stored[pid] != health:
                changed.append((pid, health))
        if not changed:
            return SealedImport(ids, clear, None)
        sealer = Sealer(self.keys)
        for pid, health in changed:
            sealer.seal(pid, health)
        return SealedImport(ids, clear, sealer.payload())


def read_person(
    store: HealthStore,
    keys: KeyService,
    *,
    participant_id: UUID | None,
    purpose: str,
    route: str,
) -> PersonAnswers:
    """One person's answers (audited by the door); `HealthDataUnreadableError` when the
    stored row does not open. None as the id with purpose 'self': the caller's own."""
    batch = store.open_person(participant_id=participant_id, purpose=purpose, route=route)
    answers: dict[str, Any] = {}
    if batch.envelope is not None:
        try:
            answers = Opener(keys, batch.keys).open(batch.envelope)
        except SealedAnswersError:
            raise HealthDataUnreadableError() from None
    return PersonAnswers(
        participant_id=batch.participant_id,
        answers=answers,
        share_with_group=batch.share_with_group,
    )


def read_group_notes(
    store: HealthStore, keys: KeyService, *, group_id: UUID | None, purpose: str, route: str
) -> GroupNotes:
    """A group's notes: the group-level summary and, for each member who consented, their
    allergens with severity (a member whose row does not open is left out)."""
    batch = store.open_group(route=route, group_id=group_id, purpose=purpose)
    opener = Opener(keys, batch.keys)
    members = []
    for envelope in batch.shared:
        try:
            answers = opener.open(envelope)
            profile, _ = read_restrictions(answers.get("dietary_restrictions"))
        except (SealedAnswersError, ValueError):
            continue
        if profile.severity:
            members.append(
                MemberAllergies(full_name=envelope.full_name, allergens=dict(profile.severity))
            )
    return GroupNotes(
        group_id=batch.group_id, allergy_summary=batch.allergy_summary, members=members
    )


@dataclass(frozen=True)
class Rotation:
    rewrapped: int
    skipped: int


def rotate_keys(store: HealthStore, keys: KeyService) -> Rotation:
    """Every data key re-wrapped under the key service's current key (KMS `ReEncrypt`: the
    data key's plaintext never leaves KMS, and no answer is decrypted). Each key is swapped
    on its own, only if unchanged since read, so reads go on throughout (old and new
    wrappings both open)."""
    rewrapped = skipped = 0
    for key in store.list_keys():
        wrapped, key_ref = keys.rewrap(key.wrapped_key, key.key_ref)
        if store.save_rewrapped(read=key, wrapped=wrapped, key_ref=key_ref):
            rewrapped += 1
        else:
            skipped += 1
    return Rotation(rewrapped, skipped)


def seal_existing(
    store: HealthStore, keys: KeyService, stored: Sequence[tuple[str, Mapping[str, Any]]]
) -> int:
    """Seals the health answers still kept in clear (participant id, responses), under one
    data key, and drops them from the clear answers. Idempotent: people whose answers hold
    nothing but clear answers are left alone, so a second run seals no one."""
    sealer: Sealer | None = None
    for participant_id, responses in stored:
        _, health = split_answers(responses)
        if not health:
            continue
        sealer = sealer or Sealer(keys)
        sealer.seal(participant_id, health)
    if sealer is None:
        return 0
    return store.seal_existing(health=sealer.payload(), clear_keys=sorted(CLEAR_FIELDS))
