"""The flow relaxation of a plan: seats kept only as far as a flow can keep them.

A kind flows to a kitchen's node for its size (the discretion cost is the kitchen's),
and from there to one of the kitchen's venues (the area and price cost is the
venue's). A venue is a chain of nodes, one per group size, largest first: the edge out
of size s's node carries every group of size s or more there, at most seats // s of
them, and the last at most the venue's free places (one node when its seats cannot
bind). Groups no venue takes flow to an overflow node at a cost above any plan's, so
the least cost places the most. A branch of the search is the same network with one
(venue, size) edge lowered, re-solved from its parent's flow (`FlowNetwork.lower`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.venues.flow import FlowNetwork
from engine.venues.kinds import Kind, Kitchen, Room, Weights

Counts = dict[tuple[int, int], int]  # (kind, room) -> groups


@dataclass(frozen=True, slots=True)
class Shape:
    """The network's edges by meaning; shared by a relaxation and all its branches."""

    kind_edges: dict[tuple[int, int], int]  # (kind, kitchen) -> edge
    # (kitchen, size) -> [(kind, edge)] in kind order, and the kitchen's rooms' edges
    into: dict[tuple[int, int], list[tuple[int, int]]]
    room_edges: dict[tuple[int, int], int]  # (room, size) -> edge from the kitchen's node


class Relaxation:
    """One solved relaxation: its network, and the plan and objective it gives."""

    __slots__ = ("_problem", "_shape", "network", "objective", "used")

    def __init__(self, problem: Problem, network: FlowNetwork, shape: Shape) -> None:
        self._problem, self.network, self._shape = problem, network, shape
        # room -> size -> groups, read off the venue edges (no pairing needed for it)
        self.used: dict[int, dict[int, int]] = {}
        placed = cost = 0
        for (room, size), edge in shape.room_edges.items():
            flow = network.flow_on(edge)
            if flow:
                self.used.setdefault(room, {})[size] = flow
                placed += flow
                cost += network.cost_on(edge)
        cost += sum(network.cost_on(edge) for edge in shape.kind_edges.values())
        self.objective = (-placed, cost)

    def counts(self) -> Counts:
        """The plan as (kind, room) -> groups."""
        return self._problem.pairs(self.network, self._shape)

    def edge_flow(self, room: int, size: int) -> int:
        return self.network.flow_on(self._shape.room_edges[(room, size)])

    def branch(self, *cuts: tuple[int, int, int]) -> Relaxation:
        """This relaxation with, for each (room, size, cap), at most `cap` groups of `size`
        at venue `room`."""
        network = self.network.copy()
        for room, size, cap in cuts:
            network.lower(self._shape.room_edges[(room, size)], cap)
        return Relaxation(self._problem, network, self._shape)


@dataclass(frozen=True, slots=True)
class Problem:
    kinds: Sequence[Kind]
    rooms: Sequence[Room]
    layout: Sequence[Kitchen]
    weights: Weights

    def solve(self) -> Relaxation:
        kinds, rooms = self.kinds, self.rooms
        total = sum(kind.count for kind in kinds)
        network = FlowNetwork(len(kinds) + 2)
        sink, overflow = len(kinds), len(kinds) + 1
        sizes = sorted({kind.size for kind in kinds})
        chains = [_chain(network, sizes, room, sink) for room in rooms]
        entry: dict[tuple[int, int], int] = {}
        room_edges: dict[tuple[int, int], int] = {}
        worst = 0
        for c, kitchen in enumerate(self.layout):
            for size in sizes:
                entry[(c, size)] = node = network.add_node()
                for r in kitchen.rooms:
                    room = rooms[r]
                    limit = min(room.free_groups, room.free_seats // size)
                    cost = self.weights.room_cost(room, size)
                    worst = max(worst, cost)
                    if limit > 0:
                        room_edges[(r, size)] = network.add_edge(node, chains[r][size], limit, cost)
        kind_edges: dict[tuple[int, int], int] = {}
        for k, kind in enumerate(kinds):
            for c, kitchen in enumerate(self.layout):
                if kitchen.feeds(kind):
                    cost = self.weights.kitchen_cost(kind, kitchen)
                    worst = max(worst, cost)
                    kind_edges[(k, c)] = network.add_edge(
                        k, entry[(c, kind.size)], kind.count, cost
                    )
        big = (total + 1) * (2 * worst + 1)
        network.add_edge(overflow, sink, total, 0)
        for k, kind in enumerate(kinds):
            network.add_edge(k, overflow, kind.count, big)
        # The largest kinds first (measured: fewer nodes settled per route than the most
        # constrained first); the least cost is the same in any order.
        order = sorted(range(len(kinds)), key=lambda k: (kinds[k].count, k))
        network.ship([(k, kinds[k].count) for k in order], sink)
        into: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (k, c), edge in sorted(kind_edges.items()):
            into.setdefault((c, kinds[k].size), []).append((k, edge))
        return Relaxation(self, network, Shape(kind_edges, into, room_edges))

    def pairs(self, network: FlowNetwork, shape: Shape) -> Counts:
        """Which kind went to which venue: within a kitchen and size any pairing costs the same."""
        counts: Counts = {}
        for (c, size), edges in shape.into.items():
            supply = [[k, network.flow_on(edge)] for k, edge in edges]
            supply = [pair for pair in supply if pair[1]]
            for r in self.layout[c].rooms:
                edge = shape.room_edges.get((r, size))
                need = network.flow_on(edge) if edge is not None else 0
                while need:
                    take = min(need, supply[0][1])
                    counts[(supply[0][0], r)] = counts.get((supply[0][0], r), 0) + take
                    supply[0][1] -= take
                    need -= take
                    if not supply[0][1]:
                        supply.pop(0)
        return counts


def _chain(network: FlowNetwork, sizes: Sequence[int], room: Room, sink: int) -> dict[int, int]:
    """The venue's size nodes (size -> node), chained largest to smallest into the sink."""
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
