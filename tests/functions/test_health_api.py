"""Health data end to end through the functions with KMS (moto): an import seals the
answers under one data key, a run opens them (a tampered or moved row leaves only that
person unassigned), reads go through audited routes only, and a pg_dump of the database
afterwards holds no allergy text and no allergen beside a person."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from moto import mock_aws

from functions.auth.verifier import TokenVerifier
from functions.build_groups import handler as build_groups
from functions.events_api import handler as events_api
from functions.health.deps import kms_client
from functions.health_api import handler as health_api
from tests.functions.api_world import ApiWorld
from tests.functions.conftest import wire
from tests.functions.events import Answer, send

pytestmark = pytest.mark.db
ALLERGY_TEXTS = {
    "Dana Levi": "severe peanut allergy (EpiPen)",
    "Eli Cohen": "allergic to sesame",
    "Noa Bar": "mild kiwi allergy",
}
ALLERGENS = ("peanut", "sesame", "kiwi")


@pytest.fixture
def world(
    api_world: ApiWorld, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        kms_client.cache_clear()
        key = kms_client().create_key(Description="health")["KeyMetadata"]["Arn"]
        settings = api_world.settings.model_copy(update={"health_kms_key_id": key})
        undo = [wire(app.app, settings, verifier) for app in (events_api, build_groups, health_api)]
        yield key
        for each in undo:
            each()
        kms_client.cache_clear()
    api_world.db.execute(
        "delete from public.health_data_keys where id not in"
        " (select data_key_id from public.participant_health)"
    )


def call(module: Any, method: str, path: str, token: str, **event: Any) -> Answer:
    return send(module.handler, method, path, token=token, **event)


def _rows(count: int) -> list[dict[str, Any]]:
    people = [
        {
            "id": f"p{n}@example.org",
            "full_name": f"Guest {n}",
            "age": 30 + n % 5,
            "responses": {"kosher": "no"},
        }
        for n in range(9)
    ]
    for n, (name, text) in enumerate(ALLERGY_TEXTS.items()):
        people[n] = {
            **people[n],
            "full_name": name,
            "responses": {"kosher": "no", "dietary_restrictions": text},
        }
    return people[:count]


def _import_and_run(api_world: ApiWorld) -> tuple[str, dict[str, Any]]:
    token = api_world.admin_token
    event = call(
        events_api, "POST", "/events", token, body={"name": "Dinner", "event_date": "2026-12-04"}
    ).json()
    answer = call(
        events_api, "POST", f"/events/{event['id']}/registrations/import", token, body=_rows(9)
    )
    assert answer.status == 200, answer.text
    assert answer.json()["counts"]["added"] == 9
    api_world.add_policy("p", active=True)
    run = call(build_groups, "POST", "/build-groups", token, body={"event_id": event["id"]})
    assert run.status == 201, run.text
    return event["id"], run.json()


def test_an_import_seals_answers_under_one_kms_key_and_the_run_opens_them(
    api_world: ApiWorld, world: str
) -> None:
    _, run = _import_and_run(api_world)
    db = api_world.db
    assert db.execute(
        "select count(*), count(distinct data_key_id) from public.participant_health"
    ).fetchone() == (9, 1)
    assert db.execute(
        "select distinct k.key_ref from public.health_data_keys as k"
        " join public.participant_health as h on h.data_key_id = k.id"
    ).fetchall() == [(world,)]
    assert db.execute(
        "select count(*) from public.participants where responses ? 'dietary_restrictions'"
    ).fetchone() == (0,)
    summary = db.execute(
        "select allergy_summary from public.groups where run_id = %s", [run["run_id"]]
    ).fetchall()
    allergens = {a for (s,) in summary for a in s.get("allergens", {})}
    assert {"peanut", "sesame", "other:kiwi"} <= allergens or {"peanut", "sesame"} <= allergens
    # One audited read for the import, one for the run, each naming its route.
    routes = db.execute(
        "select purpose, route from public.health_access_log order by id"
    ).fetchall()
    assert routes[-2:] == [
        ("import", "POST /events/{event_id}/registrations/import"),
        ("grouping", "POST /build-groups"),
    ]


def test_a_tampered_or_moved_ciphertext_leaves_only_that_person_unassigned(
    api_world: ApiWorld, world: str
) -> None:
    event_id, _ = _import_and_run(api_world)
    db = api_world.db
    ids: dict[str, Any] = dict(
        db.execute(
            "select full_name, id from public.participants"
            " where full_name in ('Dana Levi', 'Eli Cohen', 'Noa Bar')"
        ).fetchall()
    )
    db.execute(
        "update public.participant_health"
        " set ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1)"
        " where participant_id = %s",
        [ids["Dana Levi"]],
    )
    db.execute(
        "update public.participant_health as h set ciphertext = o.ciphertext, nonce = o.nonce"
        " from public.participant_health as o"
        " where o.participant_id = %s and h.participant_id = %s",
        [ids["Noa Bar"], ids["Eli Cohen"]],
    )
    run = call(
        build_groups, "POST", "/build-groups", api_world.admin_token, body={"event_id": event_id}
    )
    assert run.status == 201, run.text
    queue = db.execute(
        "select participant_id, reason, details from public.unassigned_queue where run_id = %s",
        [run.json()["run_id"]],
    ).fetchall()
    unreadable = {
        pid: (reason, details["field"])
        for pid, reason, details in queue
        if reason == "invalid-profile"
    }
    assert unreadable == {
        ids["Dana Levi"]: ("invalid-profile", "responses.dietary_restrictions"),
        ids["Eli Cohen"]: ("invalid-profile", "responses.dietary_restrictions"),
    }


def test_an_admin_reads_a_persons_answers_only_for_a_purpose_with_one_audit_row(
    api_world: ApiWorld, world: str
) -> None:
    _import_and_run(api_world)
    db = api_world.db
    (dana,) = (
        db.execute("select id from public.participants where full_name = 'Dana Levi'").fetchone()
        or ()
    )
    before = db.execute("select count(*) from public.health_access_log").fetchone()
    path = f"/participants/{dana}/health"
    assert call(health_api, "GET", path, api_world.admin_token).status == 422
    assert (
        call(health_api, "GET", path, api_world.member_token, query="purpose=support").status == 403
    )
    answer = call(health_api, "GET", path, api_world.admin_token, query="purpose=support")
    assert answer.status == 200, answer.text
    assert answer.json()["answers"] == {"dietary_restrictions": ALLERGY_TEXTS["Dana Levi"]}
    assert answer.headers["cache-control"] == "no-store"
    after = db.execute("select count(*) from public.health_access_log").fetchone()
    assert before is not None and after == (before[0] + 1,)
    last = db.execute(
        "select actor_role, participant_id, purpose, route from public.health_access_log"
        " order by id desc limit 1"
    ).fetchone()
    assert last == ("admin", dana, "support", "GET /participants/{participant_id}/health")


def _pg_dump_for(server_version: int) -> str | None:
    """A pg_dump as new as the server (the system's, or the embedded server's own)."""
    candidates = [shutil.which("pg_dump")]
    # Found without importing pgserver (its import warns where XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"
        candidates.append(str(bundled) if bundled.exists() else None)
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        found = re.search(r"PostgreSQL\) (\d+)", version.stdout)
        if found and int(found.group(1)) * 10000 >= server_version - server_version % 10000:
            return candidate
    return None


def test_a_dump_after_a_run_holds_no_allergy_text_nor_an_allergen_beside_a_person(
    api_world: ApiWorld, world: str, database_url: str
) -> None:
    row = api_world.db.execute("show server_version_num").fetchone()
    assert row is not None
    pg_dump = _pg_dump_for(int(row[0]))
    assert pg_dump is not None, "pg_dump (as new as the server) is needed for this test"
    _import_and_run(api_world)
    dump = subprocess.run(
        [pg_dump, "--data-only", "--no-owner", database_url],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    for text in ALLERGY_TEXTS.values():
        assert text not in dump
    personal = (
        "participants",
        "participant_health",
        "unassigned_queue",
        "group_members",
        "health_access_log",
    )
    for section in dump.split("\nCOPY public.")[1:]:
        table = section.split(" ", 1)[0]
        if table in personal:
            body = section.split("\\.\n", 1)[0].lower()
            assert not [a for a in ALLERGENS if a in body], table


def test_a_member_reads_their_own_answers_and_groups_notes_and_nothing_of_others(
    api_world: ApiWorld, world: str
) -> None:
    _, run = _import_and_run(api_world)
    db, token = api_world.db, api_world.member_token
    member = jwt.decode(token, options={"verify_signature": False})["sub"]
    db.execute(
        "update public.participants set user_id = %s where full_name = 'Dana Levi'", [member]
    )
    mine, others = db.execute(
        "select m.group_id, (select g.id from public.groups as g where g.run_id = m.run_id"
        " and g.id <> m.group_id limit 1) from public.group_members as m"
        " join public.participants as p on p.id = m.participant_id"
        " where p.full_name = 'Dana Levi' and m.run_id = %s",
        [run["run_id"]],
    ).fetchone() or (None, None)
    assert mine is not None and others is not None, "nine people make two groups"
    (eli,) = (
        db.execute("select id from public.participants where full_name = 'Eli Cohen'").fetchone()
        or ()
    )
    audited = "select count(*) from public.health_access_log"
    before = db.execute(audited).fetchone()
    own = call(health_api, "GET", "/me/health", token)
    assert own.status == 200 and own.json()["answers"] == {
        "dietary_restrictions": ALLERGY_TEXTS["Dana Levi"]
    }
    notes = call(health_api, "GET", "/me/group/allergy-notes", token).json()
    assert notes["group_id"] == str(mine) and notes["members"] == []
    sharing = call(health_api, "PUT", "/me/health/sharing", token, body={"share_with_group": True})
    assert sharing.status == 200
    shared = call(health_api, "GET", "/me/group/allergy-notes", token).json()
    assert shared["members"] == [{"full_name": "Dana Levi", "allergens": {"peanut": "severe"}}]
    after = db.execute(audited).fetchone()
    assert before is not None and after == (before[0] + 3,)
    # Nothing of another group, nor of another person, through any route.
    for path, query in (
        (f"/groups/{others}/allergy-notes", "purpose=venue"),
        (f"/participants/{eli}/health", "purpose=support"),
        ("/health/access", ""),
    ):
        assert call(health_api, "GET", path, token, query=query).status == 403
    assert db.execute(audited).fetchone() == after
    seen = call(health_api, "GET", "/me/health/access", token).json()
    assert {(e["subject"], e["purpose"]) for e in seen} >= {
        ("answers", "self"),
        ("group-notes", "group-member"),
    }
