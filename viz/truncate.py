"""Keeping a view small enough to stay usable, and saying what was cut.

Above :data:`MAX_NODES` parties a view keeps the most relevant ones: those nearest to the
view's focus (the party of a neighbourhood, a group's controllers, a circle's members), then
the largest exposures, then by id, and the relationships among those kept. What was left out
is counted and named in a :class:`Cut`, which every view shows as a note above the network.

>>> from schema.records import Relationship as R
>>> edges = [R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "C", share=0.6),
...          R("OWNS", "A", "D", share=0.6)]
>>> kept, cut = keep_most_relevant(["A", "B", "C", "D"], edges, focus=["A"],
...                                exposure={"D": 5.0}, max_nodes=3)
>>> sorted(kept), cut.left_out
(['A', 'B', 'D'], ('C',))
>>> cut.note("parties")[:60]
'Showing 3 of 4 parties and 2 of 3 relationships: the view is'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from schema.records import Relationship

__all__ = ["MAX_NODES", "Cut", "keep_most_relevant"]

MAX_NODES = 2000
"""The default cap of parties in one view."""

_NAMED = 12


@dataclass(frozen=True)
class Cut:
    """What a view left out: counts, and the ids of the parties left out (most relevant
    first)."""

    total_nodes: int
    shown_nodes: int
    total_edges: int
    shown_edges: int
    max_nodes: int
    left_out: tuple[str, ...]

    @property
    def truncated(self) -> bool:
        return self.shown_nodes < self.total_nodes or self.shown_edges < self.total_edges

    def note(self, what: str = "parties") -> str:
        """The sentence shown above a truncated view ('' when nothing was cut)."""
        if not self.truncated:
            return ""
        named = ", ".join(self.left_out[:_NAMED])
        more = len(self.left_out) - _NAMED
        if more > 0:
            named += f" and {more:,} more"
        return (f"Showing {self.shown_nodes:,} of {self.total_nodes:,} {what} and "
                f"{self.shown_edges:,} of {self.total_edges:,} relationships: the view is "
                f"limited to {self.max_nodes:,} {what}, the nearest to the focus and then the "
                f"largest exposures. Left out: {named}.")


def keep_most_relevant(nodes: Iterable[str], relationships: Iterable[Relationship], *,
                       focus: Iterable[str] = (), exposure: Mapping[str, float] | None = None,
                       max_nodes: int = MAX_NODES) -> tuple[set[str], Cut]:
    """The parties to show (at most ``max_nodes``) and the :class:`Cut` that describes it.

    Distance is counted in hops from the nearest ``focus`` party over ``relationships`` in
    either direction; parties not connected to the focus come last.
    """
    if max_nodes < 1:
        raise ValueError(f"expected a node cap of at least 1, got {max_nodes}")
    order = list(dict.fromkeys(nodes))
    inside = set(order)
    edges = [r for r in relationships if r.source in inside and r.target in inside]
    if len(order) <= max_nodes:
        return inside, Cut(len(order), len(order), len(edges), len(edges), max_nodes, ())
    exposure = exposure or {}
    graph = nx.Graph()
    graph.add_nodes_from(order)
    graph.add_edges_from((r.source, r.target) for r in edges)
    sources = [f for f in dict.fromkeys(focus) if f in inside]
    distance = nx.multi_source_dijkstra_path_length(graph, sources) if sources else {}
    ranked = sorted(order, key=lambda n: (distance.get(n, math.inf), -exposure.get(n, 0.0), n))
    kept = set(ranked[:max_nodes])
    shown = sum(1 for r in edges if r.source in kept and r.target in kept)
    return kept, Cut(len(order), len(kept), len(edges), shown, max_nodes,
                     tuple(ranked[max_nodes:]))
