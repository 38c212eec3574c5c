"""A run's edit log read back: undo and redo follow the usual stacks of whole states, and
the people edits placed are those not in their saved group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.grouping.continuity.history import LoggedEdit, edited_people, revert_target

Groups = dict[int, tuple[str, ...]]
SAVED: Groups = {1: ("a", "b", "c"), 2: ("d", "e", "f"), 3: ("g", "h", "i")}

ops_st = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from("abcdefghi"), st.sampled_from([1, 2, 3])),
        st.tuples(st.sampled_from(["undo", "redo"]), st.just(""), st.just(0)),
    ),
    max_size=25,
)


def _moved(groups: Groups, person: str, to: int) -> Groups:
    return {
        n: tuple(m for m in ms if m != person) + ((person,) if n == to else ())
        for n, ms in groups.items()
    }


def _changed(
    old: Groups, new: Groups
) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    numbers = [n for n in old if set(old[n]) != set(new[n])]
    return {n: old[n] for n in numbers}, {n: new[n] for n in numbers}


@given(ops_st)
def test_the_log_undoes_and_redoes_as_stacks_of_whole_states(
    ops: list[tuple[str, str, int]],
) -> None:
    # The reference: whole states on two stacks, as an editor holds them in memory.
    state: Groups = dict(SAVED)
    undo: list[Groups] = []
    redo: list[Groups] = []
    log: list[LoggedEdit] = []
    for kind, person, to in ops:
        if kind == "move":
            new = _moved(state, person, to)
            if new == state:
                continue
            undo.append(state)
            redo.clear()
            before, after = _changed(state, new)
            log.append(LoggedEdit(len(log) + 1, "move", before, after))
            state = new
            continue
        target = revert_target(log, kind)  # type: ignore[arg-type]
        stack, other = (undo, redo) if kind == "undo" else (redo, undo)
        assert (target is None) == (not stack)
        if target is None:
            continue
        wanted = target.before if kind == "undo" else target.after
        other.append(state)
        state = stack.pop()
        assert {n: set(ms) for n, ms in wanted.items()} == {n: set(state[n]) for n in wanted}
        before = {n: state_n for n, state_n in (other[-1]).items() if n in wanted}
        log.append(LoggedEdit(len(log) + 1, kind, before, dict(wanted), target.seq))  # type: ignore[arg-type]
    now = {m: n for n, ms in state.items() for m in ms}
    placed = {m for n, ms in SAVED.items() for m in ms if now[m] != n}
    assert edited_people(log, now) == placed
