"""Manual edits: accepted exactly when the grouping stays valid, refusals name the rule,
undo and redo give back the exact states."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.grouping.continuity.edits import RULES, EditRefusedError, Move, RunEditor, Swap
from engine.grouping.continuity.requests import PairRequests
from engine.grouping.continuity.stable import run_stable
from engine.grouping.options import GroupingOptions
from tests.unit.continuity.pair_reference import binding, keeps_pairs
from tests.unit.factories import Person, people
from tests.unit.reference import group_is_valid, reference_score

options_st = st.builds(
    GroupingOptions,
    kosher_only=st.booleans(),
    age_policy=st.sampled_from(["banded", "loose"]),
    max_allergy_count=st.integers(0, 3),
    min_group_size=st.sampled_from([2, 3]),
    fallback_group_size=st.just(3),
    target_group_size=st.sampled_from([4, 5]),
)


def _valid(
    groups: dict[int, tuple[str, ...]],
    by_id: dict[str, Person],
    bind: list[set[str]],
    apart: list[tuple[str, str]],
    options: GroupingOptions,
) -> bool:
    return all(
        group_is_valid([by_id[m] for m in g], options) for g in groups.values()
    ) and keeps_pairs(list(groups.values()), bind, apart)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=people(min_size=6, max_size=24), options=options_st, data=st.data())
def test_edits_are_accepted_exactly_when_valid_and_undo_is_exact(
    population: list[Person], options: GroupingOptions, data: st.DataObject
) -> None:
    ids = [p.id for p in population]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1])
    together = data.draw(st.lists(pair, max_size=2))
    apart = data.draw(st.lists(pair, max_size=2))
    pairs = PairRequests(tuple(together), tuple(apart))
    inputs = [p.as_input() for p in population]
    result = run_stable(inputs, options, pairs=pairs)
    if len(result.groups) < 2:
        return
    editor = RunEditor(inputs, options, {g.number: g.members for g in result.groups}, pairs=pairs)
    by_id = {p.id: p for p in population}
    bind = binding(population, together, apart, options)
    placed = [m for g in result.groups for m in g.members]
    numbers = [g.number for g in result.groups]
    history = [editor.state]
    for _ in range(6):
        if data.draw(st.booleans()):
            edit: Move | Swap = Move(
                data.draw(st.sampled_from(placed)), data.draw(st.sampled_from(numbers))
            )
        else:
            edit = Swap(data.draw(st.sampled_from(placed)), data.draw(st.sampled_from(placed)))
        before = editor.state
        naive = _naive(dict(before), edit)
        try:
            after = editor.apply(edit)
        except EditRefusedError as refusal:
            assert refusal.rule in RULES and refusal.people
            assert editor.state == before
            assert not _valid(naive, by_id, bind, apart, options)
            continue
        assert dict(after) == naive
        assert _valid(naive, by_id, bind, apart, options)
        history.append(after)
        for group in editor.groups():
            assert (
                abs(group.score - reference_score([by_id[m] for m in group.members], options))
                < 1e-9
            )
    for expected in reversed(history[:-1]):
        assert editor.undo() == expected
    for expected in history[1:]:
        assert editor.redo() == expected


def _naive(groups: dict[int, tuple[str, ...]], edit: Move | Swap) -> dict[int, tuple[str, ...]]:
    where = {m: n for n, g in groups.items() for m in g}
    if isinstance(edit, Move):
        home = where[edit.participant_id]
        groups[home] = tuple(m for m in groups[home] if m != edit.participant_id)
        groups[edit.to_group] = (*groups[edit.to_group], edit.participant_id)
    else:
        a, b = where[edit.first], where[edit.second]
        if a == b:
            return groups
        groups[a] = tuple(edit.second if m == edit.first else m for m in groups[a])
        groups[b] = tuple(edit.first if m == edit.second else m for m in groups[b])
    return groups


def test_a_refusal_names_the_rule_and_the_people() -> None:
    population = [Person(f"a{i}", age=30) for i in range(4)] + [
        Person(f"b{i}", age=31) for i in range(4)
    ]
    options = GroupingOptions(age_policy="loose")
    inputs = [p.as_input() for p in population]
    editor = RunEditor(inputs, options, {1: ("a0", "a1", "a2", "a3"), 2: ("b0", "b1", "b2", "b3")})
    try:
        editor.apply(Move("a0", 2))
    except EditRefusedError as refusal:
        assert (refusal.rule, refusal.people, refusal.group) == ("size", ["a0"], 1)
    else:
        raise AssertionError("a group of three was accepted")
    apart = RunEditor(inputs, options, dict(editor.state), pairs=PairRequests((), (("a0", "b1"),)))
    try:
        apart.apply(Swap("a1", "b0"))
        apart.apply(Swap("a2", "b1"))
    except EditRefusedError as refusal:
        assert (refusal.rule, refusal.people) == ("apart", ["a0", "b1"])
    else:
        raise AssertionError("an apart pair was seated together")
