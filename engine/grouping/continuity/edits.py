"""Manual edits of a run: move or swap people between groups, each checked against the
hard rules, with undo and redo.

An edit is accepted only when every group it changes stays valid: its size allowed,
kosher kept apart under `kosher_only`, one age band under `banded`, at most the limit of
distinct severe allergens, no apart pair inside, no together component split. A refusal
(`EditRefusedError`) names the rule and the people, never an answer or an allergen.
Accepted edits rescore the groups they change; group numbers never change. Undo gives
back exactly the grouping before the edit, redo the one after it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.grouping.continuity.pairs import plan_pairs
from engine.grouping.continuity.requests import PairRequests
from engine.grouping.continuity.stable import NO_PAIRS
from engine.grouping.errors import GroupingError
from engine.grouping.models import Group, Participant
from engine.grouping.options import GroupingOptions
from engine.grouping.report.assembly import PoolOutcome, assemble_groups
from engine.grouping.search.pools import PoolKey, triage
from engine.grouping.search.rules import PoolRules, PoolSolution
from engine.grouping.search.scoring import GroupScorer, MemberFactory, MemberFacts, severe_ok
from engine.grouping.survey.intake import validated_participants

Grouping = tuple[tuple[int, tuple[str, ...]], ...]
RULES = (
    "unknown-person",
    "unknown-group",
    "size",
    "kosher",
    "age-band",
    "severe-allergy-limit",
    "apart",
    "together",
)


@dataclass(frozen=True, slots=True)
class Move:
    participant_id: str
    to_group: int


@dataclass(frozen=True, slots=True)
class Swap:
    first: str
    second: str


Edit = Move | Swap


class EditRefusedError(GroupingError, ValueError):
    """An edit that would break `rule`; `people` are the participants it concerns."""

    def __init__(self, rule: str, people: Sequence[str], group: int | None = None) -> None:
        self.rule, self.people, self.group = rule, sorted(people), group
        where = f" in group {group}" if group is not None else ""
        super().__init__(f"refused by the {rule} rule{where}: {', '.join(self.people)}")


class RunEditor:
    """One run's groups under edits, checked against `options` and the pair requests."""

    def __init__(
        self,
        participants: Sequence[Participant | Mapping[str, Any]],
        options: GroupingOptions,
        groups: Mapping[int, Sequence[str]],
        *,
        pairs: PairRequests = NO_PAIRS,
        run_date: date | None = None,
    ) -> None:
        people, _ = validated_participants(participants)
        triaged = triage(
            sorted(people, key=lambda p: p.id),
            options,
            as_of=options.as_of or run_date or date.today(),
        )
        scorer = GroupScorer(options)
        factory = MemberFactory(scorer)
        self._profiles = {p.participant_id: p for p in triaged.profiles}
        self._pool: dict[str, PoolKey] = {}
        self._facts: dict[str, MemberFacts] = {}
        for key, pool in triaged.pools.items():
            for index, profile in enumerate(pool):
                self._pool[profile.participant_id] = key
                self._facts[profile.participant_id] = factory.facts(index, profile)
        self._options = options
        self._rules = PoolRules(
            scorer,
            range(options.min_group_size, options.target_group_size + 1),
            options.max_allergy_count,
        )
        known = {p.id for p in people}
        self._plan = plan_pairs(
            pairs,
            known,
            self._pool,
            self._profiles,
            largest=options.target_group_size,
            severe_limit=options.max_allergy_count,
        )
        self.state: Grouping = tuple(sorted((n, tuple(m)) for n, m in groups.items()))
        self._undo: list[Grouping] = []
        self._redo: list[Grouping] = []

    def apply(self, edit: Edit) -> Grouping:
        """The grouping after `edit`, now current; `EditRefusedError` leaves it unchanged."""
        groups = dict(self.state)
        where = {m: n for n, members in groups.items() for m in members}
        moving = [edit.participant_id] if isinstance(edit, Move) else [edit.first, edit.second]
        for person in moving:
            if person not in where:
                raise EditRefusedError("unknown-person", [person])
        if isinstance(edit, Move):
            if edit.to_group not in groups:
                raise EditRefusedError("unknown-group", moving, edit.to_group)
            home = where[edit.participant_id]
            groups[home] = tuple(m for m in groups[home] if m != edit.participant_id)
            groups[edit.to_group] = (*groups[edit.to_group], edit.participant_id)
            changed = [home, edit.to_group]
        else:
            a, b = where[edit.first], where[edit.second]
            if a != b:  # within one group a swap changes nothing
                groups[a] = tuple(edit.second if m == edit.first else m for m in groups[a])
                groups[b] = tuple(edit.first if m == edit.second else m for m in groups[b])
            changed = [a, b]
        for number in dict.fromkeys(changed):
            self._check(number, groups[number], moving)
        self._check_together(groups, moving)
        self._undo.append(self.state)
        self._redo.clear()
        self.state = tuple(sorted(groups.items()))
        return self.state

    def undo(self) -> Grouping:
        if not self._undo:
            raise EditRefusedError("nothing-to-undo", [])
        self._redo.append(self.state)
        self.state = self._undo.pop()
        return self.state

    def redo(self) -> Grouping:
        if not self._redo:
            raise EditRefusedError("nothing-to-redo", [])
        self._undo.append(self.state)
        self.state = self._redo.pop()
        return self.state

    def _check(self, number: int, members: Sequence[str], moving: Sequence[str]) -> None:
        options = self._options
        if len(members) not in self._rules.sizes:
            raise EditRefusedError("size", moving, number)
        if any(m not in self._pool for m in members):
            raise EditRefusedError("size", [m for m in members if m not in self._pool], number)
        keys = {self._pool[m] for m in members}
        if options.kosher_only and len({k[0] for k in keys}) > 1:
            raise EditRefusedError("kosher", moving, number)
        if options.age_policy == "banded" and len({k[1] for k in keys}) > 1:
            raise EditRefusedError("age-band", moving, number)
        if not severe_ok([self._facts[m] for m in members], options.max_allergy_count):
            raise EditRefusedError("severe-allergy-limit", moving, number)
        inside = set(members)
        for m in members:
            clash = self._plan.apart.get(m, frozenset()) & inside
            if clash:
                raise EditRefusedError("apart", [m, *clash], number)

    def _check_together(self, groups: Mapping[int, Sequence[str]], moving: Sequence[str]) -> None:
        where = {m: n for n, members in groups.items() for m in members}
        for person in moving:
            component = self._plan.together.get(person, frozenset())
            apart_from = [m for m in component if where.get(m) != where[person]]
            if apart_from:
                raise EditRefusedError("together", [person, *apart_from])

    def groups(self, numbers: Collection[int] | None = None) -> list[Group]:
        """The current groups (or those of `numbers`), each scored afresh, under their own
        numbers."""
        shown = []
        for number, members in self.state:
            if numbers is not None and number not in numbers:
                continue
            key = self._pool[members[0]]
            profiles = [self._profiles[m] for m in members]
            facts = [MemberFacts(i, *_rest(self._facts[m])) for i, m in enumerate(members)]
            outcome = PoolOutcome(key, profiles, PoolSolution([facts], []), self._rules)
            [group] = assemble_groups([outcome], self._options)
            shown.append(group.model_copy(update={"number": number}))
        return shown


def _rest(facts: MemberFacts) -> tuple[Any, ...]:
    return (facts.age, facts.diet, facts.kosher, facts.allergens, facts.severe, facts.kind)
