"""A run's diagnostics after an edit through the API (migration 0031): the mean is the
groups' total over the people assigned, and an undo gives back the engine's figures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functions.api_world import ApiWorld
from tests.functions.build_groups_fixtures import Call
from tests.functions.build_groups_fixtures import call as call
from tests.functions.test_run_edits import edit as edit
from tests.functions.test_run_edits import run_id as run_id

pytestmark = pytest.mark.db


def _scores(world: ApiWorld, run_id: str) -> dict[str, Any]:
    row = world.db.execute("select diagnostics from public.runs where id = %s", [run_id]).fetchone()
    assert row is not None
    scores: dict[str, Any] = row[0]["scores"]
    return scores


def _groups(world: ApiWorld, run_id: str) -> list[tuple[int, int, float, list[Any]]]:
    query = (
        "select group_number, size, score, member_ids from public.run_groups"
        " where run_id = %s order by group_number"
    )
    return [(n, size, score, ids) for n, size, score, ids in world.db.execute(query, [run_id])]


def test_an_edit_moves_the_runs_mean_and_undo_restores_the_engines(
    api_world: ApiWorld, edit: Call, run_id: str
) -> None:
    saved = _scores(api_world, run_id)
    groups = _groups(api_world, run_id)
    # A person of a group of 5 or 6 into a group of 4 or 5 (the 40-person run has both).
    source = next(g for g in groups if g[1] > 4)
    target = next(g for g in groups if g[1] < 6 and g[0] != source[0])
    body = {
        "op": "move",
        "participant_id": str(sorted(source[3])[0]),
        "to_group": target[0],
        "expected_edit_seq": 0,
    }
    answer = edit("PATCH", f"/runs/{run_id}/groups", token=api_world.admin_token, body=body)
    assert answer.status == 200, answer.text
    after = _groups(api_world, run_id)
    mean = sum(size * score for _, size, score, _ in after) / sum(g[1] for g in after)
    assert _scores(api_world, run_id)["mean"] == pytest.approx(mean, abs=1e-9)
    undo = {"expected_edit_seq": 1}
    answer = edit("POST", f"/runs/{run_id}/groups/undo", token=api_world.admin_token, body=undo)
    assert answer.status == 200, answer.text
    back = _scores(api_world, run_id)
    assert back["mean"] == pytest.approx(saved["mean"], abs=1e-9)
    assert back["histogram"] == saved["histogram"]
