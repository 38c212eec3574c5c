"""Participants as an import stores them: clear answers in clear, health answers sealed
under one data key of the local key service (the one the functions under test open with)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from functions.health.deps import key_service_for
from functions.health.sealing import CLEAR_FIELDS, Sealer, split_answers
from functions.web.settings import load_settings
from tests.db.actors import SERVICE_ROLE, act_as

Connection = psycopg.Connection[TupleRow]


def seal_answers(conn: Connection, answers: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Seals each (participant id, health answers) and stores the rows, as the service."""
    if not answers:
        return
    sealer = Sealer(key_service_for(load_settings(app_env="local")))
    for participant_id, health in answers:
        sealer.seal(str(participant_id), health)
    with act_as(conn, SERVICE_ROLE, commit=True):
        conn.execute(
            "select public.seal_existing_answers(%s::jsonb, %s::jsonb)",
            [json.dumps(sealer.payload()), json.dumps(sorted(CLEAR_FIELDS))],
        )


def insert_people(
    conn: Connection, rows: Sequence[dict[str, Any]], *, registered_for: Any = None
) -> list[Any]:
    """Inserts participants (columns as keys; `responses` split and sealed) and returns
    their ids, in order; `registered_for` an event id registers them too."""
    ids: list[Any] = []
    sealed: list[tuple[str, dict[str, Any]]] = []
    for values in rows:
        clear, health = split_answers(values.get("responses") or {})
        columns = {**values, "responses": json.dumps(clear)}
        names = ", ".join(columns)
        marks = ", ".join("%s::jsonb" if c == "responses" else "%s" for c in columns)
        row = conn.execute(
            f"insert into public.participants ({names}) values ({marks}) returning id",
            list(columns.values()),
        ).fetchone()
        assert row is not None
        ids.append(row[0])
        if health:
            sealed.append((str(row[0]), health))
    seal_answers(conn, sealed)
    if registered_for is not None:
        conn.execute(
            "insert into public.event_registrations (event_id, participant_id)"
            " select %s, unnest(%s::uuid[])",
            [registered_for, ids],
        )
    return ids


def opened_answers(conn: Connection) -> dict[Any, dict[str, Any]]:
    """Participant id → their sealed answers, opened with the local key (read as the owner,
    so no audit row: this is the test looking, not a caller)."""
    from functions.health.schemas import Envelope, WrappedKey
    from functions.health.sealing import Opener

    keys = [
        WrappedKey(id=row[0], key_ref=row[1], wrapped_key=base64.b64encode(row[2]))
        for row in conn.execute("select id, key_ref, wrapped_key from public.health_data_keys")
    ]
    envelopes = [
        Envelope(
            participant_id=row[0],
            data_key_id=row[1],
            nonce=base64.b64encode(row[2]),
            ciphertext=base64.b64encode(row[3]),
        )
        for row in conn.execute(
            "select participant_id, data_key_id, nonce, ciphertext from public.participant_health"
        )
    ]
    opener = Opener(key_service_for(load_settings(app_env="local")), keys)
    return {e.participant_id: opener.open(e) for e in envelopes}
