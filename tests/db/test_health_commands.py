"""The health commands on a database that stored answers in clear before issue 13:
`grouping health seal-existing` seals them once (idempotent), the migration that holds
`responses` to clear answers refuses until then, and `grouping health rotate-keys`
re-wraps the data keys while every ciphertext stays as it was and still opens."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest

from infra.cli.main import main
from infra.local.migrate import MIGRATIONS_DIR, MigrationError, migrate
from tests.db.health_seed import opened_answers

PEANUT = {"dietary_restrictions": "severe peanut allergy", "kosher": "yes"}
# The migration that drops the plaintext, found by what it does (numbers are provisional).
DROPS_PLAINTEXT = "participants_responses_hold_clear_answers_only"


def _before_the_drop(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if DROPS_PLAINTEXT in path.read_text() and "add constraint" in path.read_text():
            break
        shutil.copy(path, folder / path.name)
    return folder


def test_stored_answers_are_sealed_once_then_the_plaintext_is_dropped_and_keys_rotate(
    empty_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = empty_database_url
    migrate(url, migrations_dir=_before_the_drop(tmp_path), with_local_shim=True)
    with psycopg.connect(url, autocommit=True) as conn:
        for name, answers in (("Dana", PEANUT), ("Avi", {"diet": "vegan"})):
            conn.execute(
                "insert into public.participants (full_name, responses) values (%s, %s::jsonb)",
                [name, json.dumps(answers)],
            )
        with pytest.raises(MigrationError):
            migrate(url)

        assert main(["health", "seal-existing", "--database-url", url]) == 0
        assert main(["health", "seal-existing", "--database-url", url]) == 0
        assert capsys.readouterr().out.splitlines() == [
            "1 participant(s) sealed",
            "0 participant(s) sealed",
        ]
        clear: dict[str, Any] = dict(
            conn.execute("select full_name, responses from public.participants")
        )
        assert clear == {"Dana": {"kosher": "yes"}, "Avi": {"diet": "vegan"}}
        assert list(opened_answers(conn).values()) == [
            {"dietary_restrictions": "severe peanut allergy"}
        ]
        assert migrate(url) != []

        before = conn.execute("select wrapped_key from public.health_data_keys").fetchall()
        sealed = conn.execute("select ciphertext from public.participant_health").fetchall()
        assert main(["health", "rotate-keys", "--database-url", url]) == 0
        assert capsys.readouterr().out.strip() == "1 data key(s) re-wrapped, 0 changed meanwhile"
        after = conn.execute(
            "select wrapped_key, rewrapped_at from public.health_data_keys"
        ).fetchall()
        assert after[0][0] != before[0][0] and after[0][1] is not None
        assert conn.execute("select ciphertext from public.participant_health").fetchall() == sealed
        assert list(opened_answers(conn).values()) == [
            {"dietary_restrictions": "severe peanut allergy"}
        ]
