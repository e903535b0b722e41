"""Guarantee circles and chains (rule R10), and cross-holdings.

A guarantee circle (担保圈) is a strongly connected component of two or more parties in the
graph of current ``GUARANTEES`` edges (guarantor -> borrower): every member guarantees,
directly or through the others, every other member's debt. A guarantee chain (担保链) is a
path of guarantees. A cross-holding is a strongly connected component of two or more
companies in the ``OWNS`` graph: shares held round in a ring.

Chains are measured on the condensation of the guarantee graph (every circle shrunk to one
node), where they are paths of a directed acyclic graph; a chain passing through a circle
lists the circle by its id (``circle:...``) in its steps.

>>> from schema.records import Relationship as R
>>> g = [R("GUARANTEES", "A", "B", amount=10.0), R("GUARANTEES", "B", "C", amount=20.0),
...      R("GUARANTEES", "C", "A", amount=30.0), R("GUARANTEES", "X", "Y", amount=5.0)]
>>> [c.members for c in guarantee_circles(g)]
[('A', 'B', 'C')]
>>> guarantee_circles(g)[0].total_guaranteed
60.0
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.analysis.components import components, groups_of
from schema.records import Bank, Relationship

__all__ = ["GuaranteeChain", "GuaranteeCircle", "cross_holdings", "guarantee_chains",
           "guarantee_circles"]


@dataclass(frozen=True)
class GuaranteeCircle:
    """A ring of mutual guarantees: its members and the guarantees among them.
    ``total_guaranteed`` sums their amounts, in base currency."""

    id: str
    members: tuple[str, ...]
    guarantees: tuple[Relationship, ...]
    total_guaranteed: float


@dataclass(frozen=True)
class GuaranteeChain:
    """A longest path of guarantees: ``steps`` from the first guarantor to the last
    borrower; a step through a circle is the circle's id."""

    steps: tuple[str, ...]

    @property
    def length(self) -> int:
        return len(self.steps) - 1


def _circle_id(members: Iterable[str]) -> str:
    return "circle:" + hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()[:10]


def _guarantee_graph(relationships: Iterable[Relationship]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for r in relationships:
        if r.type == "GUARANTEES":
            if graph.has_edge(r.source, r.target):
                graph.edges[r.source, r.target]["edges"].append(r)
            else:
                graph.add_edge(r.source, r.target, edges=[r])
    return graph


def guarantee_circles(relationships: Iterable[Relationship], bank: Bank | None = None
                      ) -> list[GuaranteeCircle]:
    """R10: every guarantee circle, largest first (then by id).

    Parameters
    ----------
    relationships : current relationships (only ``GUARANTEES`` are read)
    bank : converts amounts in other currencies to the base currency (default: amounts are
        taken as they are)
    """
    graph = _guarantee_graph(relationships)
    circles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        inside = sorted(
            (r for _, _, data in graph.subgraph(component).edges(data=True) for r in data["edges"]),
            key=lambda r: r.identity)
        rate = bank.rate if bank else (lambda _c: 1.0)
        total = math.fsum((r.amount or 0.0) * rate(r.currency) for r in inside)
        members = tuple(sorted(component))
        circles.append(GuaranteeCircle(_circle_id(members), members, tuple(inside), total))
    circles.sort(key=lambda c: (-len(c.members), c.id))
    return circles


def guarantee_chains(relationships: Iterable[Relationship], top: int = 10) -> list[GuaranteeChain]:
    """The ``top`` longest guarantee chains (at least one step), longest first.

    One chain is reported per end node of the condensed graph: the longest path ending
    there, ties broken by the smallest ids, so the answer is deterministic.

    >>> from schema.records import Relationship as R
    >>> g = [R("GUARANTEES", a, b, amount=1.0) for a, b in [("A", "B"), ("B", "C"), ("X", "C")]]
    >>> [c.steps for c in guarantee_chains(g)]
    [('A', 'B', 'C'), ('A', 'B')]
    """
    graph = _guarantee_graph(relationships)
    if graph.number_of_edges() == 0:
        return []
    condensed = nx.condensation(graph)
    label = {}
    for node, data in condensed.nodes(data=True):
        members = data["members"]
        label[node] = next(iter(members)) if len(members) == 1 else _circle_id(members)
    best: dict[int, tuple[str, ...]] = {}
    for node in nx.topological_sort(condensed):
        candidates = [(label[node],)]
        for parent in condensed.predecessors(node):
            candidates.append((*best[parent], label[node]))
        best[node] = min(candidates, key=lambda steps: (-len(steps), steps))
    chains = sorted((GuaranteeChain(steps) for steps in best.values() if len(steps) > 1),
                    key=lambda c: (-c.length, c.steps))
    return chains[:top]


def cross_holdings(relationships: Iterable[Relationship]) -> list[tuple[str, ...]]:
    """Rings of companies holding shares in one another (strongly connected components of
    two or more in the ``OWNS`` graph), largest first.

    >>> from schema.records import Relationship as R
    >>> cross_holdings([R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "A", share=0.1),
    ...                 R("OWNS", "B", "C", share=0.7)])
    [('A', 'B')]
    """
    nodes, labels = components(((r.source, r.target) for r in relationships if r.type == "OWNS"),
                               strong=True)
    rings = [tuple(sorted(c)) for c in groups_of(nodes, labels) if len(c) > 1]
    return sorted(rings, key=lambda ring: (-len(ring), ring))
