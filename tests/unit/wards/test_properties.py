"""Properties checked against brute force: optimal cuts, snapping, boundary moves, rejoining."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, combinations_with_replacement, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.wards.assignment import default_boundaries, rejoined_groups, views_from_boundaries
from engine.wards.balancing import RATE_UNITS, suggest_boundaries
from engine.wards.boundaries import check_boundaries, preview_boundary_move, valid_edges
from engine.wards.models import GROUP_LABELS, Boundaries
from tests.unit.wards.helpers import households_of

small_ward = st.lists(st.integers(1, 6), max_size=9)
ward = st.lists(st.integers(1, 6), max_size=30)
move = st.tuples(st.integers(0, 2), st.floats(-0.2, 1.2))


def all_cuts(count: int) -> list[tuple[Boundaries, list[tuple[int, int]]]]:
    """Every cut whose first min(count, 4) groups are non-empty and the rest empty."""
    cuts = []
    for cut in combinations_with_replacement(range(count + 1), 3):
        spans = list(pairwise((0, *cut, count)))
        if all((end > start) == (index < count) for index, (start, end) in enumerate(spans)):
            cuts.append(((cut[0], cut[1], cut[2]), spans))
    return cuts


def brute_force(weights: Sequence[int], *, tie_on_sizes: bool) -> tuple[int, tuple[int, ...]]:
    """(the least largest group, the tie-rule winner) over all cuts, by enumeration."""
    scored = []
    for cut, spans in all_cuts(len(weights)):
        loads = tuple(sum(weights[start:end]) for start, end in spans)
        scored.append((max(loads), loads if tie_on_sizes else cut))
    best = min(largest for largest, _ in scored)
    return best, max(choice for largest, choice in scored if largest == best)


@settings(max_examples=300, deadline=None)
@given(sizes=small_ward)
def test_default_is_the_brute_force_optimum_with_earlier_groups_larger(sizes: list[int]) -> None:
    households = households_of(sizes)
    loads = [
        view.member_count
        for view in views_from_boundaries(households, default_boundaries(households))
    ]
    best, winner = brute_force(sizes, tie_on_sizes=True)
    assert max(loads) == best
    assert tuple(loads) == winner


@settings(max_examples=300, deadline=None)
@given(sizes=small_ward, data=st.data())
def test_balancing_by_attendance_is_the_brute_force_optimum(
    sizes: list[int], data: st.DataObject
) -> None:
    households = households_of(sizes)
    members = [m for h in households for m in h.members]
    with_history = data.draw(
        st.lists(st.sampled_from(members), unique=True) if members else st.just([])
    )
    rates = {m: data.draw(st.floats(0, 1)) for m in with_history}
    suggestion = suggest_boundaries(households, by="attendance", participation_rates=rates)
    weights = [sum(round(rates.get(m, 1.0) * RATE_UNITS) for m in h.members) for h in households]
    best, winner = brute_force(weights, tie_on_sizes=False)
    assert suggestion.boundaries == winner
    assert round(max(suggestion.loads, default=0) * RATE_UNITS) == best


@settings(max_examples=300, deadline=None)
@given(sizes=ward, moves=st.lists(move, max_size=12))
def test_boundary_moves_keep_households_whole_and_groups_contiguous(
    sizes: list[int], moves: list[tuple[int, float]]
) -> None:
    households = households_of(sizes)
    order = [m for h in households for m in h.members]
    prefix = list(accumulate(sizes, initial=0))
    boundaries = default_boundaries(households)
    groups = views_from_boundaries(households, boundaries)
    for boundary, fraction in moves:
        allowed = valid_edges(boundaries, boundary=boundary, household_count=len(sizes))
        preview = preview_boundary_move(
            households, boundaries, boundary=boundary, fraction=fraction
        )
        check_boundaries(preview.boundaries, len(sizes))
        moved = preview.boundaries[boundary]
        assert moved in allowed
        target = fraction * prefix[-1]
        nearest = min(allowed, key=lambda edge: (abs(prefix[edge] - target), edge))
        assert moved == nearest
        assert [b for i, b in enumerate(preview.boundaries) if i != boundary] == [
            b for i, b in enumerate(boundaries) if i != boundary
        ]
        assert [m for g in preview.groups for m in g.members] == order
        for household in households:
            holders = [g for g in preview.groups if set(household.members) & set(g.members)]
            assert len(holders) == 1
            assert set(household.members) <= set(holders[0].members)
        untouched = [i for i in range(4) if i not in (boundary, boundary + 1)]
        assert all(preview.groups[i] == groups[i] for i in untouched)
        # `moved` is exactly the households whose group changed, each whole.
        label_before = {h: g.label for g in groups for h in g.household_keys}
        label_after = {h: g.label for g in preview.groups for h in g.household_keys}
        assert [(m.household_key, m.from_group, m.to_group) for m in preview.moved] == [
            (h.key, label_before[h.key], label_after[h.key])
            for h in households
            if label_before[h.key] != label_after[h.key]
        ]
        boundaries, groups = preview.boundaries, preview.groups


@settings(max_examples=300, deadline=None)
@given(sizes=ward, data=st.data())
def test_rejoining_keeps_each_households_stored_members_together_with_least_moves(
    sizes: list[int], data: st.DataObject
) -> None:
    households = households_of(sizes)
    members = [m for h in households for m in h.members]
    labels = st.sampled_from(GROUP_LABELS)
    stored = data.draw(
        st.dictionaries(st.sampled_from(members), labels) if members else st.just({})
    )
    moves = rejoined_groups(households, stored)
    after = {**stored, **moves}
    assert set(after) == set(stored)  # nobody gains or loses a stored group
    for household in households:
        kept = [stored[h] for h in household.members if h in stored]
        groups = {after[h] for h in household.members if h in after}
        assert len(groups) <= 1
        moved = [h for h in household.members if h in moves]
        # The household's most common group stays: as few of its members move as can.
        assert len(moved) == len(kept) - max((kept.count(g) for g in set(kept)), default=0)
