"""The exact reference model: a pool's best grouping by one CP-SAT set-partitioning model.

Every valid group of the pool is a candidate, counted up to exchanging people the score
and the rules cannot tell apart (same age, kosher, diet and allergies), which keeps the
models of small pools small enough for CP-SAT to prove optimal. CP-SAT works on
integers, so each group's n*score is scaled by SCALE and rounded; a bonus per person
placed makes one more placed beat any change of total, as in the spec's order.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engine.grouping.options import GroupingOptions
from tests.unit.factories import Person
from tests.unit.reference import group_is_valid, reference_score

SCALE = 1_000_000


def kinds_of(pool: Sequence[Person]) -> list[list[Person]]:
    """People the score and the rules cannot tell apart, together (in id order)."""
    by_kind: dict[tuple[object, ...], list[Person]] = {}
    for person in pool:
        key = (person.age, person.kosher, person.diet, tuple(sorted(person.allergies.items())))
        by_kind.setdefault(key, []).append(person)
    return [by_kind[key] for key in sorted(by_kind, key=str)]


def multisets(
    kinds: Sequence[Sequence[Person]], options: GroupingOptions
) -> Iterator[tuple[tuple[int, ...], list[Person]]]:
    """Every valid group up to exchanging alike people: (count of each kind, members)."""
    low, high = options.min_group_size, options.target_group_size
    limit = options.max_allergy_count
    counts = [0] * len(kinds)

    def walk(position: int, size: int, severe: frozenset[str]) -> Iterator[int]:
        if position == len(kinds):
            if size >= low:
                yield size
            return
        yield from walk(position + 1, size, severe)
        kind = kinds[position]
        held = severe | kind[0].severe
        if len(held) > limit:
            return
        for take in range(1, min(len(kind), high - size) + 1):
            counts[position] = take
            yield from walk(position + 1, size + take, held)
        counts[position] = 0

    for _ in walk(0, 0, frozenset()):
        members = [p for kind, c in zip(kinds, counts, strict=True) for p in kind[:c]]
        yield tuple(counts), members


def count_candidates(kinds: Sequence[Sequence[Person]], options: GroupingOptions) -> int:
    """How many multisets `multisets` would yield, ignoring the allergy rule (an upper bound)."""
    low, high = options.min_group_size, options.target_group_size
    ways = [1] + [0] * high
    for kind in kinds:
        new = ways[:]
        for size in range(high + 1):
            for take in range(1, len(kind) + 1):
                if size + take <= high:
                    new[size + take] += ways[size]
        ways = new
    return sum(ways[low:])


@dataclass(slots=True)
class Solved:
    groups: list[list[Person]]
    status: str
    seconds: float


def solve_partition(
    pool: Sequence[Person],
    options: GroupingOptions,
    *,
    seconds: float,
    workers: int,
    hint: Sequence[Sequence[Person]] = (),
) -> Solved:
    """The best grouping of `pool` by one set-partitioning model over its valid groups."""
    started = time.perf_counter()
    kinds = kinds_of(pool)
    model = cp_model.CpModel()
    chosen: list[tuple[cp_model.IntVar, tuple[int, ...]]] = []
    terms = []
    bonus = SCALE * (len(pool) + 1)  # one more placed beats any change of total
    uses: list[list[tuple[cp_model.IntVar, int]]] = [[] for _ in kinds]
    hint_counts = _hint_counts(hint, kinds)
    for counts, members in multisets(kinds, options):
        if not group_is_valid(members, options):
            continue
        copies = min(len(kinds[k]) // c for k, c in enumerate(counts) if c)
        var = model.new_int_var(0, copies, "")
        value = round(len(members) * reference_score(members, options) * SCALE)
        terms.append(var * (bonus * len(members) + value))
        chosen.append((var, counts))
        for k, c in enumerate(counts):
            if c:
                uses[k].append((var, c))
        model.add_hint(var, hint_counts.get(counts, 0))
    for k, kind in enumerate(kinds):
        if uses[k]:
            model.add(sum(c * var for var, c in uses[k]) <= len(kind))
    model.maximize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    # Measured on these models: presolve costs more than it saves (seconds on a pool of
    # 14 with 5,600 groups), and the full linear relaxation closes the bound fastest.
    solver.parameters.cp_model_presolve = False
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved([list(g) for g in hint], solver.status_name(status), 0.0)
    used = [(counts, solver.value(var)) for var, counts in chosen]
    groups = _groups_of(used, kinds)
    return Solved(groups, solver.status_name(status), time.perf_counter() - started)


def _groups_of(
    used: Sequence[tuple[tuple[int, ...], int]], kinds: Sequence[Sequence[Person]]
) -> list[list[Person]]:
    """The people of each group chosen: (count of each kind, copies), kinds handed out in turn."""
    groups = []
    taken = [0] * len(kinds)
    for counts, copies in used:
        for _ in range(copies):
            group: list[Person] = []
            for k, c in enumerate(counts):
                group += kinds[k][taken[k] : taken[k] + c]
                taken[k] += c
            groups.append(group)
    return groups


def _hint_counts(
    hint: Sequence[Sequence[Person]], kinds: Sequence[Sequence[Person]]
) -> dict[tuple[int, ...], int]:
    kind_of = {p.id: k for k, kind in enumerate(kinds) for p in kind}
    found: dict[tuple[int, ...], int] = {}
    for group in hint:
        counts = [0] * len(kinds)
        for person in group:
            counts[kind_of[person.id]] += 1
        found[tuple(counts)] = found.get(tuple(counts), 0) + 1
    return found
