"""Annealing for small and mid-size pools: moves and swaps that may lose for a while.

The local search only takes steps that improve on their own, and the score has
plateaus and steps (the age penalty stops growing at a 10-year spread; the
majority-allergic penalty and the most common diet switch at a threshold), so the
optimum is often two or three changes away, none of which pays alone: gathering the
age outliers of several groups into one group whose spread is already at the cap,
say. Simulated annealing walks there: a random member moves to a random group (or an
empty one, or out), or two members of different groups swap; a change that loses `d`
is still taken with probability exp(-d / T), the temperature T falling geometrically.

The number of groups is free. Empty groups are kept at hand, and a group below the
minimum size is allowed while the walk goes on, at a cost for each missing member
that grows as the walk cools; the groupings kept are only ever valid ones (members of
a group below the minimum count as left out), and the best of them, by the spec's
order (most placed, then the highest total), is what the walk returns. Every group
keeps the size and severe-allergen limits at every step.

The walk is a fixed number of steps drawn from the `rng` passed in, so it is
deterministic for a seed; `stop` is asked every STOP_EVERY steps.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from engine.grouping.search.limits import StopRule
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import MemberFacts, severe_ok

STOP_EVERY = 512
START_TEMPERATURE = 0.25
END_TEMPERATURE = 0.004
# The cost of a missing member of a group below the minimum, at the start and the end.
START_SHORTFALL = 0.3
END_SHORTFALL = 3.0
EMPTY_GROUPS = 2
# Half the proposals are swaps; of both kinds, most pair a member with one near in age
# (within NEAR_REACH groups' worth of members), the rest with anyone or any group. A
# member without an age adds nothing to a group's spread, so is near to everyone.
SWAP_SHARE = 0.5
NEAR_SHARE = 0.7
NEAR_REACH = 2


@dataclass(slots=True)
class Annealed:
    groups: list[list[MemberFacts]]
    left_out: list[MemberFacts]
    stopped: bool
    seen: dict[int, float]


def anneal(
    groups: list[list[MemberFacts]],
    left_out: list[MemberFacts],
    rules: PoolRules,
    *,
    steps: int,
    rng: random.Random,
    stop: StopRule,
) -> Annealed:
    """The best valid grouping seen on a walk of `steps` steps from `groups`."""
    walk = _Walk(groups, left_out, rules)
    stopped = walk.run(steps, rng, stop)
    best_groups, best_out = walk.best_grouping()
    return Annealed(best_groups, best_out, stopped, walk.seen)


class _Walk:
    """The walk's state: slot 0 holds the left-out, the others are groups, some empty."""

    def __init__(
        self, groups: list[list[MemberFacts]], left_out: list[MemberFacts], rules: PoolRules
    ) -> None:
        self.rules = rules
        self.low = rules.sizes.start
        self.high = rules.sizes.stop - 1
        self.slots: list[list[MemberFacts]] = [list(left_out)]
        self.slots += [list(g) for g in groups] + [[] for _ in range(EMPTY_GROUPS)]
        # In age order, so that a member's neighbours in the list are near in age.
        self.members = sorted(
            (m for slot in self.slots for m in slot),
            key=lambda m: (-1 if m.age is None else m.age, m.diet, m.index),
        )
        self.where = [0] * (max((m.index for m in self.members), default=0) + 1)
        for number, slot in enumerate(self.slots):
            for m in slot:
                self.where[m.index] = number
        self.values = [0.0] + [self.value(slot, START_SHORTFALL) for slot in self.slots[1:]]
        self.best = self.true_objective()
        self.best_slots = [list(slot) for slot in self.slots]
        # Every valid group the walk formed, by its members' bit mask: its value.
        self.seen: dict[int, float] = {}

    def value(self, slot: list[MemberFacts], shortfall: float) -> float:
        """The walk's value of a group: n*score, less the shortfall of a group too small."""
        n = len(slot)
        if n == 0:
            return 0.0
        value = self.rules.scorer.value_of_kinds(tuple(sorted([m.kind for m in slot])), slot)
        if n < self.low:
            return value - shortfall * (self.low - n)
        return value

    def true_objective(self) -> tuple[int, float]:
        placed, total = 0, 0.0
        for number, slot in enumerate(self.slots):
            if number and len(slot) >= self.low:
                placed += len(slot)
                total += self.values[number]
        return placed, total

    def run(self, steps: int, rng: random.Random, stop: StopRule) -> bool:  # noqa: C901
        """`steps` proposals; True when `stop` cut the walk short.

        One loop with everything at hand: this is the engine's innermost loop on small
        pools, and a call per proposal would double its cost.
        """
        members, slots, values, where = self.members, self.slots, self.values, self.where
        count, slot_count = len(members), len(slots)
        if steps <= 0 or count < 2:
            return False
        low, high, limit = self.low, self.high, self.rules.severe_limit
        reach = NEAR_REACH * high
        value, rand, exp = self.value, rng.random, math.exp
        cached, value_of_kinds = self.rules.scorer.cached, self.rules.scorer.value_of_kinds
        cooling = (END_TEMPERATURE / START_TEMPERATURE) ** (1 / steps)
        growth = (END_SHORTFALL / START_SHORTFALL) ** (1 / steps)
        temperature, shortfall = START_TEMPERATURE, START_SHORTFALL
        placed, total = self.best
        seen = self.seen
        for step in range(steps):
            if step % STOP_EVERY == 0:
                if stop():
                    return True
                shortfall = START_SHORTFALL * growth**step
                for number in range(1, slot_count):
                    if 0 < len(slots[number]) < low:
                        values[number] = value(slots[number], shortfall)
            temperature *= cooling
            rank = int(rand() * count)
            one = members[rank]
            source = where[one.index]
            two: MemberFacts | None = None
            roll = rand()
            if roll < SWAP_SHARE:
                # Most partners are near in age (members are in age order), some anywhere.
                if roll < NEAR_SHARE * SWAP_SHARE:
                    other = rank + int((rand() * 2 - 1) * reach)
                    other = min(count - 1, max(0, other))
                else:
                    other = int(rand() * count)
                two = members[other]
                target = where[two.index]
                if target == source or one.kind == two.kind:
                    continue
                new_source = [two if m is one else m for m in slots[source]]
                new_target = [one if m is two else m for m in slots[target]]
                if source and two.severe and not severe_ok(new_source, limit):
                    continue
            elif roll < SWAP_SHARE + (1 - SWAP_SHARE) * NEAR_SHARE:
                other = min(count - 1, max(0, rank + int((rand() * 2 - 1) * reach)))
                target = where[members[other].index]
                if target == source or (target and len(slots[target]) >= high):
                    continue
                new_source = [m for m in slots[source] if m is not one]
                new_target = [*slots[target], one]
            else:
                target = int(rand() * slot_count)
                if target == source or (target and len(slots[target]) >= high):
                    continue
                new_source = [m for m in slots[source] if m is not one]
                new_target = [*slots[target], one]
            if target and one.severe and not severe_ok(new_target, limit):
                continue
            # value() inlined for groups of allowed size: the cache answers most of them.
            if source == 0:
                value_source = 0.0
            elif len(new_source) >= low:
                key = tuple(sorted([m.kind for m in new_source]))
                value_source = cached(key) or value_of_kinds(key, new_source)
            else:
                value_source = value(new_source, shortfall)
            if target == 0:
                value_target = 0.0
            elif len(new_target) >= low:
                key = tuple(sorted([m.kind for m in new_target]))
                value_target = cached(key) or value_of_kinds(key, new_target)
            else:
                value_target = value(new_target, shortfall)
            delta = value_source + value_target - values[source] - values[target]
            if delta < 0 and rand() >= exp(delta / temperature):
                continue
            for number, sign in ((source, -1), (target, -1)):
                if number and len(slots[number]) >= low:
                    placed += sign * len(slots[number])
                    total += sign * values[number]
            slots[source], slots[target] = new_source, new_target
            values[source], values[target] = value_source, value_target
            where[one.index] = target
            if two is not None:
                where[two.index] = source
            for number in (source, target):
                if number and len(slots[number]) >= low:
                    placed += len(slots[number])
                    total += values[number]
                    seen[sum([1 << m.index for m in slots[number]])] = values[number]
            if placed > self.best[0] or (placed == self.best[0] and total > self.best[1] + 1e-9):
                self.best = (placed, total)
                self.best_slots = [list(slot) for slot in slots]
        return False

    def best_grouping(self) -> tuple[list[list[MemberFacts]], list[MemberFacts]]:
        groups = [slot for slot in self.best_slots[1:] if len(slot) >= self.low]
        left_out = list(self.best_slots[0])
        left_out += [m for slot in self.best_slots[1:] if 0 < len(slot) < self.low for m in slot]
        return groups, left_out
