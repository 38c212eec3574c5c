"""Minimum-cost flow of fixed supplies: successive shortest paths, one source at a time.

Each unit of supply is routed from its own node along a shortest path in the residual
network (Dijkstra on reduced costs, stopped as soon as the sink is settled, as the
Hungarian method does row by row), and the potentials of the nodes settled are moved
by their distance less the path's, which keeps every residual edge's reduced cost
non-negative. When all supply is routed no residual cycle has negative cost, so the
flow is of least cost. Exact (integer costs, no floats) and deterministic (edges are
scanned in the order they were added, heap ties broken by node number).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

INFINITE = 1 << 62


class NoRouteError(RuntimeError):
    """Supply that cannot reach the sink (the caller's network lacks an overflow edge)."""


class FlowNetwork:
    """A directed network of capacitated, costed edges; edge e's residual twin is e ^ 1."""

    __slots__ = ("_cap", "_cost", "_head", "_potential", "_to")

    def __init__(self, nodes: int) -> None:
        self._head: list[list[int]] = [[] for _ in range(nodes)]
        self._to: list[int] = []
        self._cap: list[int] = []
        self._cost: list[int] = []
        self._potential = [0] * nodes

    def add_node(self) -> int:
        self._head.append([])
        self._potential.append(0)
        return len(self._head) - 1

    def add_edge(self, tail: int, head: int, capacity: int, cost: int) -> int:
        """Add tail -> head (cost >= 0); return the edge's index (for `flow_on`)."""
        index = len(self._to)
        self._head[tail].append(index)
        self._to.append(head)
        self._cap.append(capacity)
        self._cost.append(cost)
        self._head[head].append(index + 1)
        self._to.append(tail)
        self._cap.append(0)
        self._cost.append(-cost)
        return index

    def flow_on(self, edge: int) -> int:
        return self._cap[edge ^ 1]

    def cost_on(self, edge: int) -> int:
        """What the flow over the edge costs."""
        return self._cap[edge ^ 1] * self._cost[edge]

    def copy(self) -> FlowNetwork:
        """An independent network in the same state (flows and potentials included)."""
        twin = FlowNetwork(0)
        # The shape (heads, ends, costs) never changes once built: only shared.
        twin._head = self._head
        twin._to = self._to
        twin._cost = self._cost
        twin._cap = list(self._cap)
        twin._potential = list(self._potential)
        return twin

    def lower(self, edge: int, capacity: int) -> None:
        """Cut the edge's capacity to `capacity`, re-routing the flow over it at least cost.

        Each unit taken off leaves its tail with one too many and its head one short;
        a shortest path from tail to head around the edge mends both, as in `ship`. Such
        a path exists whenever the flow's sources can also reach the sink another way
        (the planner's overflow node makes sure of it).
        """
        cap, to = self._cap, self._to
        flow = cap[edge ^ 1]
        cap[edge] = 0
        while flow > capacity:
            cap[edge ^ 1] = capacity
            pushed, _ = self._route(to[edge ^ 1], to[edge], flow - capacity)
            flow -= pushed
            cap[edge ^ 1] = flow
        cap[edge] = capacity - flow

    def ship(self, supplies: Sequence[tuple[int, int]], sink: int) -> int:
        """Route every (node, amount) of supply to `sink` at least total cost; return it."""
        total = 0
        for node, amount in supplies:
            while amount:
                pushed, cost = self._route(node, sink, amount)
                amount -= pushed
                total += pushed * cost
        return total

    def _route(self, source: int, sink: int, amount: int) -> tuple[int, int]:
        head, to, cap, cost, potential = (
            self._head,
            self._to,
            self._cap,
            self._cost,
            self._potential,
        )
        dist = [INFINITE] * len(head)
        dist[source] = 0
        via = [-1] * len(head)
        settled: list[int] = []
        heap = [(0, source)]
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            d, node = pop(heap)
            if d > dist[node]:
                continue  # a stale entry: the node was settled nearer
            settled.append(node)
            if node == sink:
                break
            base = d + potential[node]
            # No path through a node at least as far as the sink's best label so far
            # can be shorter (reduced costs are non-negative): such nodes wait unpushed.
            bound = dist[sink]
            for edge in head[node]:
                if cap[edge]:
                    other = to[edge]
                    candidate = base + cost[edge] - potential[other]
                    if candidate < dist[other] and candidate < bound:
                        dist[other] = candidate
                        via[other] = edge
                        push(heap, (candidate, other))
                        if other == sink:
                            bound = candidate
        else:
            raise NoRouteError("supply cannot reach the sink")
        reach = dist[sink]
        for node in settled:
            potential[node] += dist[node] - reach
        return self._push(source, sink, via, amount)

    def _push(self, source: int, sink: int, via: list[int], amount: int) -> tuple[int, int]:
        """Push up to `amount` along the path `via` leads back from sink to source."""
        cap, to, cost = self._cap, self._to, self._cost
        pushed = amount
        node = sink
        while node != source:
            edge = via[node]
            pushed = min(pushed, cap[edge])
            node = to[edge ^ 1]
        node = sink
        path_cost = 0
        while node != source:
            edge = via[node]
            cap[edge] -= pushed
            cap[edge ^ 1] += pushed
            path_cost += cost[edge]
            node = to[edge ^ 1]
        return pushed, path_cost
