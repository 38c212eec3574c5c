"""A run's diagnostics follow its groups (migration 0031): after an edit and after its
undo, the group-decided parts are the groups' figures, worked out here by hand; the parts
about people stay as saved.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.db.actors import act_as
from tests.db.grouping_world import scalar
from tests.db.run_edits_world import Connection, EditWorld, edit_groups, group
from tests.db.run_edits_world import world as world


def _diagnostics(db: Connection, world: EditWorld) -> dict[str, Any]:
    found: dict[str, Any] = scalar(
        db, "select diagnostics from public.runs where id = %s", [world.run]
    )
    return found


def _histogram(*groups_per_bin: tuple[int, int]) -> list[dict[str, Any]]:
    counts = dict(groups_per_bin)
    return [{"low": k / 10, "high": (k + 1) / 10, "groups": counts.get(k, 0)} for k in range(10)]


def _moved_with_figures(world: EditWorld) -> list[dict[str, Any]]:
    """Group 1's first person into group 2; group 1 (3 people) scores 0.3 with ages 25-31,
    group 2 (5 people) 0.9 with two allergens and no age range."""
    first, second = world.groups
    one = {**group(1, first[1:], score=0.3), "age_range": {"min": 25, "max": 31}}
    two: dict[str, Any] = {
        **group(2, [*second, first[0]], score=0.9),
        "allergy_summary": {
            "allergens": {"peanut": "severe", "egg": "mild"},
            "severe": ["peanut"],
            "members_with_allergies": 2,
        },
    }
    return [one, two]


def _admin_edit(db: Connection, world: EditWorld, groups: list[dict[str, Any]], **kw: Any) -> None:
    with act_as(db, world.actors["admin"], commit=True) as conn:
        edit_groups(conn, world, groups, **kw)


def test_an_edit_recomputes_what_the_groups_decide(db: Connection, world: EditWorld) -> None:
    saved = _diagnostics(db, world)
    _admin_edit(db, world, _moved_with_figures(world))
    now = _diagnostics(db, world)
    # By hand: total 3 * 0.3 + 5 * 0.9 = 5.4 over 8 people; one group in bins 3 and 9.
    assert now["scores"]["total"] == pytest.approx(5.4)
    assert now["scores"]["mean"] == pytest.approx(5.4 / 8)
    assert (now["scores"]["min"], now["scores"]["max"]) == (0.3, 0.9)
    assert now["scores"]["histogram"] == _histogram((3, 1), (9, 1))
    assert now["counts"]["group_sizes"] == {"3": 1, "5": 1}
    assert now["counts"]["groups"] == 2
    assert now["allergies"]["groups_with_allergies"] == 1
    assert now["allergies"]["mean_allergens_per_group"] == 1.0  # 0 + 2 allergens, 2 groups
    assert (now["ages"]["mean_spread"], now["ages"]["max_spread"]) == (6.0, 6)
    assert now["kosher"]["groups"] == 0  # the edit named both groups not kosher
    # About people, not groups: as saved.
    for section, key in [
        ("counts", "participants"),
        ("counts", "assigned"),
        ("counts", "unassigned_by_reason"),
        ("allergies", "by_allergen"),
        ("allergies", "unique_allergens"),
        ("ages", "by_band"),
        ("kosher", "participants"),
    ]:
        assert now[section][key] == saved[section][key], (section, key)
    assert (now["engine"], now["diets"]) == (saved["engine"], saved["diets"])


def test_undo_brings_back_the_saved_groups_figures(db: Connection, world: EditWorld) -> None:
    saved = _diagnostics(db, world)
    first, second = world.groups
    _admin_edit(db, world, _moved_with_figures(world))
    # The allergy summaries come from the caller, as the API sends them (the edit log
    # keeps none): the saved groups' one severe peanut allergy each.
    summary = {"allergens": {"peanut": "severe"}, "severe": ["peanut"], "members_with_allergies": 1}
    restored = [
        {**group(n, members), "allergy_summary": summary}
        for n, members in [(1, first), (2, second)]
    ]
    _admin_edit(db, world, restored, kind="undo", seq=1)
    now = _diagnostics(db, world)
    # The saved groups (result_payload): both of 4, scoring 0.75, ages 25-29, one
    # allergen each, group 2 kosher.
    assert now["scores"]["mean"] == pytest.approx(0.75)
    assert now["scores"]["histogram"] == _histogram((7, 2))
    assert now["counts"]["group_sizes"] == {"4": 2}
    assert (now["ages"]["mean_spread"], now["ages"]["max_spread"]) == (4.0, 4)
    assert now["allergies"]["groups_with_allergies"] == 2
    assert now["kosher"]["groups"] == 1
    assert now["engine"] == saved["engine"]


def test_the_refresh_holds_for_a_direct_writer(db: Connection, world: EditWorld) -> None:
    group_two: UUID = scalar(
        db, "select id from public.groups where run_id = %s and group_number = 2", [world.run]
    )
    with db.transaction(force_rollback=True):
        db.execute("set local role service_role")
        db.execute("update public.groups set score = 0.25 where id = %s", [group_two])
        db.execute("reset role")
        now = _diagnostics(db, world)
        assert now["scores"]["mean"] == pytest.approx((4 * 0.75 + 4 * 0.25) / 8)
        assert (now["scores"]["min"], now["scores"]["max"]) == (0.25, 0.75)
