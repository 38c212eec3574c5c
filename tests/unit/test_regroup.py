"""The refinement steps on their own: each is exact where it claims to be, none ever loses."""

from __future__ import annotations

import random
from itertools import combinations, permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping.models import AllergyProfile, Severity
from engine.grouping.options import GroupingOptions
from engine.grouping.search.anneal import anneal
from engine.grouping.search.dissolve import dissolve_groups
from engine.grouping.search.exact_windows import exact_windows
from engine.grouping.search.exchange import best_assignment, cyclic_exchanges
from engine.grouping.search.limits import never_stop
from engine.grouping.search.pairs import best_split
from engine.grouping.search.resplit import resplit
from engine.grouping.search.rules import PoolRules
from engine.grouping.search.scoring import GroupScorer, MemberFactory, MemberFacts, severe_ok
from engine.grouping.survey.profile import ParticipantProfile

OPTIONS = GroupingOptions(age_policy="loose", max_allergy_count=1)
RULES = PoolRules(GroupScorer(OPTIONS), range(4, 7), OPTIONS.max_allergy_count)


def pool(seed: int, count: int) -> list[MemberFacts]:
    rng = random.Random(seed)
    factory = MemberFactory(RULES.scorer)
    members = []
    for index in range(count):
        severity: dict[str, Severity] = {}
        if rng.random() < 0.4:
            severity[rng.choice(["peanut", "sesame", "milk"])] = rng.choice(["mild", "severe"])
        profile = ParticipantProfile(
            participant_id=f"p{index}",
            age=rng.choice([22, 25, 31, 44, 67]),
            kosher=False,
            diet=rng.choice(["omnivore", "vegan"]),
            allergies=AllergyProfile(allergies=sorted(severity), severity=severity),
        )
        members.append(factory.facts(index, profile))
    return members


def valid(groups: list[list[MemberFacts]]) -> bool:
    return all(len(g) in RULES.sizes and severe_ok(g, RULES.severe_limit) for g in groups) and len(
        {m.index for g in groups for m in g}
    ) == sum(len(g) for g in groups)


def total(groups: list[list[MemberFacts]]) -> tuple[int, float]:
    return sum(len(g) for g in groups), sum(RULES.scorer.value(g) for g in groups)


def no_worse(found: tuple[int, float], than: tuple[int, float]) -> bool:
    """The spec's order, with room for the rounding of sums taken in another order."""
    return found[0] > than[0] or (found[0] == than[0] and found[1] >= than[1] - 1e-9)


def chunks(members: list[MemberFacts], size: int) -> list[list[MemberFacts]]:
    groups = [members[i : i + size] for i in range(0, len(members) - size + 1, size)]
    return [g for g in groups if severe_ok(g, RULES.severe_limit)]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.randoms(use_true_random=False))
def test_best_assignment_is_the_best_permutation(n: int, rng: random.Random) -> None:
    gains = [[rng.choice([rng.random() * 5, -1e9]) for _ in range(n)] for _ in range(n)]
    assignment = best_assignment(gains)
    assert sorted(assignment) == list(range(n))
    best = max(sum(gains[i][p[i]] for i in range(n)) for p in permutations(range(n)))
    # Sums of other terms round differently near -1e9 (float spacing ~1e-7); a worse
    # assignment is worse by far more than this tolerance.
    assert sum(gains[i][assignment[i]] for i in range(n)) == pytest.approx(best, rel=0, abs=1e-6)


def test_best_split_finds_the_best_of_every_split() -> None:
    for seed in range(30):
        members = pool(seed, 11)
        one, two = members[:5], members[5:]
        split = best_split(one, two, RULES)
        value = RULES.scorer.value
        best = value(one) + value(two)
        for size in (5, 6):
            for side in combinations(members, size):
                other = [m for m in members if m not in side]
                if len(other) in RULES.sizes and valid([list(side), other]):
                    best = max(best, value(list(side)) + value(other))
        found = value(one) + value(two) if split is None else sum(value(g) for g in split)
        assert found >= best - 1e-9
        assert split is None or valid(list(split))


def test_the_steps_keep_groupings_valid_and_never_lose() -> None:
    for seed in range(20):
        members = pool(seed, 40)
        groups = chunks(members, 5)
        placed = {m.index for g in groups for m in g}
        left_out = [m for m in members if m.index not in placed]
        before = total(groups)

        walked = anneal(
            groups, left_out, RULES, steps=4000, rng=random.Random(seed), stop=never_stop
        )
        assert valid(walked.groups) and no_worse(total(walked.groups), before)
        placed_after = [m.index for g in walked.groups for m in g]
        assert sorted(placed_after + [m.index for m in walked.left_out]) == list(range(40))

        groups = [list(g) for g in walked.groups]
        cyclic_exchanges(groups, RULES, rounds=10, rng=random.Random(seed))
        assert valid(groups) and no_worse(total(groups), total(walked.groups))

        cut = resplit(groups, walked.left_out, RULES)
        if cut is not None:
            assert valid(cut[0]) and total(cut[0]) > total(groups)
            groups = cut[0]
        dissolved = [list(g) for g in groups]
        dissolve_groups(dissolved, RULES)
        assert valid(dissolved) and total(dissolved)[1] >= total(groups)[1] - 1e-9

        regrouped = [list(g) for g in dissolved]
        still_out = [m for m in members if m.index not in {x.index for g in dissolved for x in g}]
        still_out, _ = exact_windows(regrouped, still_out, RULES, random.Random(seed))
        assert valid(regrouped) and no_worse(total(regrouped), total(dissolved))
        placed_now = [m.index for g in regrouped for m in g]
        assert sorted(placed_now + [m.index for m in still_out]) == list(range(40))
