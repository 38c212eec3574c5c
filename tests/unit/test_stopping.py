"""The stopping rule and the clock are passed in: runs driven by fake time, no sleeping."""

from __future__ import annotations

from typing import Any

from engine.grouping.models import GroupingResult
from engine.grouping.options import GroupingOptions
from engine.grouping.run import run_grouping
from engine.grouping.search.limits import MaxRuntime, first_of, never_stop
from tests.unit.factories import DIETS, Person
from tests.unit.reference import group_is_valid

# One loose pool of 40: large enough for the local search, which is what a stop cuts short.
OPTIONS = GroupingOptions(age_policy="loose")
POPULATION = [
    Person(
        f"p{i:02}",
        age=25 + i % 10,
        diet=DIETS[i % 3],
        allergies={"sesame": "mild"} if i % 2 else {},
    )
    for i in range(40)
]


class FakeClock:
    """A clock that moves only when told to, or by `tick` seconds at every reading."""

    def __init__(self, tick: float = 0.0) -> None:
        self.now = 0.0
        self.tick = tick

    def __call__(self) -> float:
        reading = self.now
        self.now += self.tick
        return reading


def run(**kwargs: Any) -> GroupingResult:
    return run_grouping([p.as_input() for p in POPULATION], OPTIONS, **kwargs)


def assert_valid(result: GroupingResult) -> None:
    by_id = {p.id: p for p in POPULATION}
    placed = [m for g in result.groups for m in g.members]
    queued = [e.participant_id for e in result.unassigned]
    assert sorted(placed + queued) == sorted(by_id), "everyone exactly once"
    assert result.groups
    for group in result.groups:
        assert group_is_valid([by_id[m] for m in group.members], OPTIONS)


def test_max_runtime_fires_only_once_its_limit_has_passed_on_its_clock() -> None:
    clock = FakeClock()
    stop = MaxRuntime(2.0, clock)
    assert not stop()
    clock.now = 2.0
    assert not stop()
    clock.now = 2.5
    assert stop()


def test_max_runtime_counts_from_the_reading_it_is_given() -> None:
    clock = FakeClock()
    clock.now = 10.0
    assert MaxRuntime(1.0, clock, started=8.0)()
    assert not MaxRuntime(1.0, clock)()


def test_first_of_fires_when_any_rule_does_and_never_without_rules() -> None:
    assert not first_of()()
    assert first_of(never_stop, lambda: True)()
    assert not first_of(never_stop, never_stop)()


def test_a_stop_rule_that_fires_at_once_stops_early_and_still_gives_valid_groups() -> None:
    result = run(stop=lambda: True, clock=FakeClock())
    assert result.diagnostics.engine.stopped_early is True
    assert result.diagnostics.engine.elapsed_ms == 0.0
    assert_valid(result)


def test_the_time_limit_is_read_on_the_clock_given() -> None:
    # Every reading moves the clock by a second, so a half-second limit is over at once.
    result = run(time_limit_s=0.5, clock=FakeClock(tick=1.0))
    assert result.diagnostics.engine.stopped_early is True
    assert_valid(result)


def test_a_clock_that_stands_still_never_reaches_the_time_limit() -> None:
    result = run(time_limit_s=0.5, clock=FakeClock())
    assert result.diagnostics.engine.stopped_early is False
    assert result.diagnostics.engine.elapsed_ms == 0.0
    unlimited = run()
    assert (result.groups, result.unassigned) == (unlimited.groups, unlimited.unassigned)
