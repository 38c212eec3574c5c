"""The sentences and fixes an organiser reads for a group no venue can take."""

from __future__ import annotations

import pytest

from engine.grouping.options import GroupingOptions
from engine.venues.errors import DuplicateIdError, PinRefusedError
from engine.venues.models import Pin, PlanGroup, PlanRequest, Venue
from engine.venues.planner import plan_venues


def group(number: int, *, size: int = 5, kosher: bool = False, **allergens: str) -> PlanGroup:
    return PlanGroup.model_validate(
        {
            "id": f"g{number}",
            "number": number,
            "size": size,
            "kosher": kosher,
            "allergens": allergens,
            "members_with_allergies": 1 if allergens else 0,
            "age_band": "25-29",
        }
    )


def venue(
    name: str, *, kosher: bool = False, groups: int = 2, seats: int = 12, **kw: object
) -> Venue:
    return Venue.model_validate(
        {"id": name, "name": name.title(), "kosher": kosher, "group_capacity": groups,
         "seat_capacity": seats, **kw}
    )  # fmt: skip


def only_unplaced(request: PlanRequest, options: GroupingOptions | None = None):  # type: ignore[no-untyped-def]
    plan = plan_venues(request, options=options)
    assert len(plan.unplaced) == 1
    return plan.unplaced[0]


def test_no_kosher_venue_keeps_sesame_out() -> None:
    request = PlanRequest(
        groups=(group(1, kosher=True, sesame="severe"),),
        venues=(
            venue("alma", kosher=True, keeps_out=("peanut",)),
            venue("bistro", keeps_out=("sesame",)),
        ),
    )
    entry = only_unplaced(request)
    assert entry.rule == "allergen"
    assert entry.sentence == "no kosher venue keeps sesame out"
    assert [(b["venue_id"], b["rule"], b["allergens"]) for b in entry.venues] == [
        ("alma", "allergen", ["sesame"]),
        ("bistro", "kosher", []),
    ]
    # Alma has room: keeping sesame out is the one change that would place the group.
    assert [(c.kind, c.venue_id, c.allergens) for c in entry.changes] == [
        ("add-allergens", "alma", ["sesame"])
    ]
    assert entry.changes[0].sentence == "Alma keeping sesame out would place the group"


def test_all_three_kosher_venues_are_full() -> None:
    kosher = [venue(name, kosher=True, groups=1, seats=6) for name in ("a", "b", "c")]
    groups = tuple(group(n, kosher=True) for n in range(1, 5))
    plan = plan_venues(PlanRequest(groups=groups, venues=(*kosher, venue("d", groups=5, seats=40))))
    assert [u.group_id for u in plan.unplaced] == ["g4"]
    entry = plan.unplaced[0]
    assert entry.rule == "full"
    assert entry.sentence == "all 3 kosher venues are full"
    assert {(b["venue_id"], b["rule"]) for b in entry.venues} == {
        ("a", "full"),
        ("b", "full"),
        ("c", "full"),
        ("d", "kosher"),
    }
    assert [(c.kind, c.venue_id, c.more_groups, c.more_seats) for c in entry.changes] == [
        ("more-capacity", "a", 1, 4)
    ]
    assert (
        entry.changes[0].sentence == "A taking 1 more group and 4 more seats would place the group"
    )


def test_the_only_venue_that_keeps_peanut_out_is_full() -> None:
    request = PlanRequest(
        groups=(group(1, peanut="severe"), group(2, peanut="severe", size=4)),
        venues=(venue("a", groups=1, keeps_out=("peanut",), cost=10), venue("b")),
    )
    entry = only_unplaced(request)
    assert entry.group_id == "g1"  # at 10 a seat, the group of 4 costs less than the one of 5
    assert entry.sentence == "the only venue that keeps peanut out is full"


def test_moving_the_allergic_member_places_the_group() -> None:
    # g1's one allergic member (severe sesame) can join g2, whose venue keeps sesame out.
    request = PlanRequest(
        groups=(group(1, sesame="severe"), group(2, size=4)),
        venues=(venue("a", groups=1, keeps_out=("sesame",)), venue("b", groups=1)),
    )
    plan = plan_venues(request, options=GroupingOptions())
    assert [p.group_id for p in plan.placements] == ["g2"] or len(plan.unplaced) == 0
    request = PlanRequest(
        groups=(group(1, sesame="severe"), group(2, size=5)),
        venues=(venue("a", groups=1, keeps_out=("sesame",)), venue("b", groups=1)),
        pins=(Pin(group_id="g2", venue_id="a"),),
    )
    entry = only_unplaced(request, GroupingOptions())
    moves = [c for c in entry.changes if c.kind == "move-member"]
    assert [(c.to_group, c.venue_id) for c in moves] == [("2", "b")]
    # Without the run's options the grouping rules cannot be checked: no move is offered.
    assert all(c.kind != "move-member" for c in only_unplaced(request).changes)


def test_no_move_breaks_the_group_sizes() -> None:
    request = PlanRequest(
        groups=(group(1, sesame="severe"), group(2, size=6)),
        venues=(venue("a", groups=1, keeps_out=("sesame",)), venue("b", groups=1)),
        pins=(Pin(group_id="g2", venue_id="a"),),
    )
    # g2 already has target_group_size (6) members.
    entry = only_unplaced(request, GroupingOptions())
    assert all(c.kind != "move-member" for c in entry.changes)


def test_a_pin_is_kept_and_the_rest_planned_around_it() -> None:
    request = PlanRequest(
        groups=(group(1), group(2)),
        venues=(venue("a", groups=1, cost=10), venue("b", groups=1, cost=50)),
        pins=(Pin(group_id="g1", venue_id="b"),),
    )
    plan = plan_venues(request)
    assert {(p.group_id, p.venue_id, p.pinned) for p in plan.placements} == {
        ("g1", "b", True),
        ("g2", "a", False),
    }


@pytest.mark.parametrize(
    ("pin", "field"),
    [
        (Pin(group_id="g9", venue_id="a"), "pins[0].group_id"),
        (Pin(group_id="g1", venue_id="zz"), "pins[0].venue_id"),
        (Pin(group_id="g1", venue_id="a"), "pins[0]"),  # a keeps no sesame out
    ],
)
def test_a_pin_that_breaks_a_rule_is_refused_naming_it(pin: Pin, field: str) -> None:
    request = PlanRequest(groups=(group(1, sesame="severe"),), venues=(venue("a"),), pins=(pin,))
    with pytest.raises(PinRefusedError) as refused:
        plan_venues(request)
    assert refused.value.field == field


def test_two_venues_with_one_id_are_refused() -> None:
    with pytest.raises(DuplicateIdError) as refused:
        plan_venues(PlanRequest(groups=(), venues=(venue("a"), venue("a"))))
    assert refused.value.field == "venues"


def test_an_unknown_allergen_key_is_refused() -> None:
    with pytest.raises(ValueError, match="keeps_out"):
        venue("a", keeps_out=("kiwi",))


def test_input_order_does_not_change_the_plan() -> None:
    groups = tuple(
        group(n, size=4 + n % 3, peanut="moderate" if n % 2 else "mild") for n in range(1, 9)
    )
    venues = (venue("a", cost=5), venue("b", keeps_out=("peanut",), cost=7), venue("c", cost=5))
    one = plan_venues(PlanRequest(groups=groups, venues=venues))
    other = plan_venues(PlanRequest(groups=groups[::-1], venues=venues[::-1]))
    assert one == other


def test_a_copy_with_other_allergens_is_read_afresh() -> None:
    alma = venue("alma", keeps_out=("milk",))
    assert alma.kept == {"milk"}
    assert alma.model_copy(update={"keeps_out": ("egg",)}).kept == {"egg"}
    sesame = group(1, sesame="severe")
    assert sesame.severe() == {"sesame"}
    assert sesame.model_copy(update={"allergens": {}}).severe() == frozenset()
