"""Small random events for the venue planner's tests: groups and venues, hypothesis-built."""

from __future__ import annotations

from hypothesis import strategies as st

from engine.venues.models import PlanGroup, PlanRequest, Venue

ALLERGENS = ("peanut", "sesame", "milk", "gluten")
SEVERITY = st.sampled_from(("mild", "moderate", "severe"))


@st.composite
def groups(draw: st.DrawFn, count: int) -> list[PlanGroup]:
    made = []
    for number in range(1, count + 1):
        allergens = draw(st.dictionaries(st.sampled_from(ALLERGENS), SEVERITY, max_size=3))
        made.append(
            PlanGroup(
                id=f"g{number}",
                number=number,
                size=draw(st.integers(2, 7)),
                kosher=draw(st.booleans()),
                allergens=allergens,
                members_with_allergies=1 if allergens else 0,
            )
        )
    return made


@st.composite
def venues(draw: st.DrawFn, count: int) -> list[Venue]:
    made = []
    for number in range(1, count + 1):
        made.append(
            Venue(
                id=f"v{number}",
                name=f"Venue {number}",
                kosher=draw(st.booleans()),
                group_capacity=draw(st.integers(1, 3)),
                seat_capacity=draw(st.integers(2, 16)),
                keeps_out=tuple(draw(st.sets(st.sampled_from(ALLERGENS)))),
                area=draw(st.sampled_from((None, "north", "south"))),
                cost=draw(st.one_of(st.none(), st.integers(0, 9))),
                active=draw(st.integers(0, 5)) > 0,
            )
        )
    return made


@st.composite
def requests(draw: st.DrawFn, max_groups: int, max_venues: int) -> PlanRequest:
    group_count = draw(st.integers(0, max_groups))
    venue_count = draw(st.integers(0, max_venues))
    return PlanRequest(
        groups=tuple(draw(groups(group_count))),
        venues=tuple(draw(venues(venue_count))),
        preferred_areas=tuple(draw(st.sets(st.sampled_from(("north", "south")), max_size=1))),
    )
