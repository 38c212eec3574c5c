"""The exact matching: groups of one kind share a node, seats are kept by branch and bound.

Groups that no rule or cost can tell apart (same kosher flag, severe allergens, other
allergens and size) are one *kind*, a node of the flow with that many units of supply;
a venue is a node whose edge to the sink carries its free group places. A min-cost
max-flow over that network is the best plan when seats are ignored: its flow is the
most groups placeable and its cost (see `edge_cost`) the lexicographic rest of the
objective. Seats make the problem a multiple knapsack (NP-hard in general), so they are
kept by branch and bound on that relaxation: a venue over its seats in the relaxed plan
holds some kind k with x groups, and every plan that keeps the seats has, for some k
there, at most x - 1 of them, so branching on "at most x - 1 of kind k here" for each k
loses no valid plan. A branch whose relaxed value is no better than the best valid plan
found is cut. The relaxation is tightened by a venue's seats / smallest size it could
take, and the first valid plan comes from repairing the root's relaxed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.venues.flow import FlowNetwork

Objective = tuple[int, int]  # (-groups placed, cost): smaller is better


@dataclass(frozen=True, slots=True)
class Kind:
    kosher: bool
    severe: frozenset[str]
    discretionary: frozenset[str]
    size: int
    count: int


@dataclass(frozen=True, slots=True)
class Room:
    """A venue as the matching sees it: what it guarantees and what it has left."""

    kosher: bool
    keeps_out: frozenset[str]
    free_groups: int
    free_seats: int
    outside_area: bool
    price: int

    def accepts(self, kind: Kind) -> bool:
        return (
            (self.kosher or not kind.kosher)
            and kind.severe <= self.keeps_out
            and kind.size <= self.free_seats
        )


@dataclass(frozen=True, slots=True)
class Weights:
    """Scales that make one integer cost lexicographic: discretion, then area, then price."""

    area: int
    discretion: int

    @classmethod
    def for_problem(cls, kinds: Sequence[Kind], rooms: Sequence[Room]) -> Weights:
        groups = sum(kind.count for kind in kinds)
        most = max((kind.size for kind in kinds), default=0)
        price = max((room.price for room in rooms), default=0)
        area = groups * price * most + 1
        return cls(area=area, discretion=(groups + 1) * area)

    def edge_cost(self, kind: Kind, room: Room) -> int:
        left = len(kind.discretionary - room.keeps_out)
        return left * self.discretion + room.outside_area * self.area + room.price * kind.size


Counts = dict[tuple[int, int], int]  # (kind, room) -> groups
Caps = dict[tuple[int, int], int]  # (room, size) -> most groups of that size there


@dataclass(slots=True)
class Matching:
    counts: Counts
    objective: Objective
    optimal: bool = True
    caps: Caps = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Kitchen:
    """Venues the rules and the discretion cost cannot tell apart: same kosher, same list."""

    kosher: bool
    keeps_out: frozenset[str]
    rooms: tuple[int, ...]


def kitchens(rooms: Sequence[Room]) -> list[Kitchen]:
    by_key: dict[tuple[bool, frozenset[str]], list[int]] = {}
    for r, room in enumerate(rooms):
        by_key.setdefault((room.kosher, room.keeps_out), []).append(r)
    keys = sorted(by_key, key=lambda key: (key[0], sorted(key[1])))
    return [Kitchen(key[0], key[1], tuple(by_key[key])) for key in keys]


def best_matching(
    kinds: Sequence[Kind], rooms: Sequence[Room], *, node_budget: int = 200
) -> Matching:
    """The best valid plan: most groups placed, then least cost, seats kept.

    `node_budget` bounds the branch and bound (relaxations solved); when it runs out
    the best valid plan found is returned with `optimal` false.
    """
    weights = Weights.for_problem(kinds, rooms)
    layout = kitchens(rooms)
    root = _relaxed(kinds, rooms, layout, weights, {})
    best = _repaired(root, kinds, rooms, weights)
    stack = [root]
    explored = 0
    while stack:
        node = stack.pop()
        if node.objective >= best.objective:
            continue
        used = _seats_by_size(node.counts, kinds)
        over = next((r for r in sorted(used) if _seats(used[r]) > rooms[r].free_seats), None)
        if over is None:
            best = node
            continue
        for size, count in sorted(used[over].items(), reverse=True):
            explored += 1
            if explored > node_budget:
                best.optimal = False
                return best
            caps = {**node.caps, (over, size): count - 1}
            child = _relaxed(kinds, rooms, layout, weights, caps)
            if child.objective < best.objective:
                stack.append(child)
    return best


def _seats(by_size: dict[int, int]) -> int:
    return sum(size * count for size, count in by_size.items())


def _seats_by_size(counts: Counts, kinds: Sequence[Kind]) -> dict[int, dict[int, int]]:
    used: dict[int, dict[int, int]] = {}
    for (k, r), count in counts.items():
        sizes = used.setdefault(r, {})
        sizes[kinds[k].size] = sizes.get(kinds[k].size, 0) + count
    return used


def _relaxed(
    kinds: Sequence[Kind],
    rooms: Sequence[Room],
    layout: Sequence[Kitchen],
    weights: Weights,
    caps: Caps,
) -> Matching:
    """The least-cost plan with seats kept only as far as a flow can keep them.

    A kind flows to a kitchen's node for its size (the discretion cost is the
    kitchen's), and from there to one of the kitchen's venues (the area and price cost
    is the venue's). A venue is a chain of nodes, one per group size, largest first:
    the edge out of size s's node carries every group of size s or more there, at
    most seats // s of them, and the last at most the venue's free places. Groups no
    venue takes flow to an overflow node at a cost above any plan's, so the least cost
    places the most.
    """
    total_groups = sum(kind.count for kind in kinds)
    network = FlowNetwork(len(kinds) + 2)
    sink, overflow = len(kinds), len(kinds) + 1
    sizes = sorted({kind.size for kind in kinds})
    chains = [_chain(network, sizes, room, sink) for room in rooms]
    entry: dict[tuple[int, int], int] = {}  # (kitchen, size) -> node
    room_edges: dict[tuple[int, int, int], int] = {}  # (kitchen, size, room) -> edge
    worst = 0
    for c, kitchen in enumerate(layout):
        for size in sizes:
            node = network.add_node()
            entry[(c, size)] = node
            for r in kitchen.rooms:
                room = rooms[r]
                limit = min(
                    room.free_groups, room.free_seats // size, caps.get((r, size), total_groups)
                )
                if limit > 0:
                    cost = room.outside_area * weights.area + room.price * size
                    worst = max(worst, cost)
                    room_edges[(c, size, r)] = network.add_edge(node, chains[r][size], limit, cost)
    kind_edges: dict[tuple[int, int], int] = {}
    for k, kind in enumerate(kinds):
        for c, kitchen in enumerate(layout):
            if (kitchen.kosher or not kind.kosher) and kind.severe <= kitchen.keeps_out:
                cost = len(kind.discretionary - kitchen.keeps_out) * weights.discretion
                worst = max(worst, cost)
                kind_edges[(k, c)] = network.add_edge(k, entry[(c, kind.size)], kind.count, cost)
    big = (total_groups + 1) * (2 * worst + 1)
    network.add_edge(overflow, sink, total_groups, 0)
    for k, kind in enumerate(kinds):
        network.add_edge(k, overflow, kind.count, big)
    # The largest kinds first (measured: fewer nodes settled per route than the most
    # constrained first); the least cost is the same in any order.
    order = sorted(range(len(kinds)), key=lambda k: (-kinds[k].count, k))
    total = network.ship([(k, kinds[k].count) for k in order], sink)
    counts = _pairs(kinds, layout, sizes, network, kind_edges, room_edges)
    placed = sum(counts.values())
    return Matching(counts, (-placed, total - (total_groups - placed) * big), caps=caps)


def _pairs(
    kinds: Sequence[Kind],
    layout: Sequence[Kitchen],
    sizes: Sequence[int],
    network: FlowNetwork,
    kind_edges: dict[tuple[int, int], int],
    room_edges: dict[tuple[int, int, int], int],
) -> Counts:
    """Which kind went to which venue: within a kitchen and size, any pairing costs the same."""
    counts: Counts = {}
    for c, kitchen in enumerate(layout):
        for size in sizes:
            supply = [
                [k, network.flow_on(kind_edges[(k, c)])]
                for k, kind in enumerate(kinds)
                if kind.size == size and (k, c) in kind_edges
            ]
            supply = [pair for pair in supply if pair[1]]
            for r in kitchen.rooms:
                edge = room_edges.get((c, size, r))
                need = network.flow_on(edge) if edge is not None else 0
                while need:
                    take = min(need, supply[0][1])
                    key = (supply[0][0], r)
                    counts[key] = counts.get(key, 0) + take
                    supply[0][1] -= take
                    need -= take
                    if not supply[0][1]:
                        supply.pop(0)
    return counts


def _chain(network: FlowNetwork, sizes: Sequence[int], room: Room, sink: int) -> dict[int, int]:
    """The venue's size nodes (size -> node), chained largest to smallest into the sink.

    When its seats cannot bind (every place could take the largest group), one node.
    """
    ordered = sorted(sizes, reverse=True)
    if not ordered or room.free_seats >= room.free_groups * ordered[0]:
        node = network.add_node()
        network.add_edge(node, sink, room.free_groups, 0)
        return dict.fromkeys(ordered, node)
    nodes = {size: network.add_node() for size in ordered}
    for size, smaller in zip(ordered, [*ordered[1:], None], strict=False):
        target = sink if smaller is None else nodes[smaller]
        places = room.free_seats // size
        if smaller is None:
            places = min(places, room.free_groups)
        network.add_edge(nodes[size], target, places, 0)
    return nodes


def _repaired(
    node: Matching, kinds: Sequence[Kind], rooms: Sequence[Room], weights: Weights
) -> Matching:
    """A valid plan from a relaxed one: shed the largest groups where seats run over,
    then seat each shed group at the cheapest venue that still has room."""
    counts = dict(node.counts)
    groups = [0] * len(rooms)
    seats = [0] * len(rooms)
    for (k, r), count in counts.items():
        groups[r] += count
        seats[r] += kinds[k].size * count
    shed: list[int] = []
    for r, room in enumerate(rooms):
        here = sorted((k for k, rr in counts if rr == r), key=lambda k: (-kinds[k].size, k))
        for k in here:
            while seats[r] > room.free_seats and counts[(k, r)]:
                counts[(k, r)] -= 1
                groups[r] -= 1
                seats[r] -= kinds[k].size
                shed.append(k)
    for k in shed:
        kind = kinds[k]
        options = [
            (weights.edge_cost(kind, room), r)
            for r, room in enumerate(rooms)
            if room.accepts(kind)
            and groups[r] < room.free_groups
            and seats[r] + kind.size <= room.free_seats
        ]
        if options:
            _, r = min(options)
            counts[(k, r)] = counts.get((k, r), 0) + 1
            groups[r] += 1
            seats[r] += kind.size
    counts = {key: count for key, count in counts.items() if count}
    placed = sum(counts.values())
    cost = sum(weights.edge_cost(kinds[k], rooms[r]) * n for (k, r), n in counts.items())
    return Matching(counts, (-placed, cost))
