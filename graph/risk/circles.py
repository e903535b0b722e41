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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.analysis import Analysis
from graph.risk.columns import Book
from schema.records import Bank, Relationship, collector_paused

__all__ = ["GuaranteeChain", "GuaranteeCircle", "circles_of", "cross_holdings", "guarantee_chains",
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


@dataclass(frozen=True)
class _Graph:
    """A directed graph of relationships over interned nodes, with its strongly connected
    components (SciPy's compressed sparse graph routines, not one object per node)."""

    nodes: list[str]
    source: np.ndarray
    target: np.ndarray
    records: list[Relationship]
    labels: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, relationships: Iterable[Relationship], kind: str) -> _Graph:
        """The graph of the relationships of type ``kind``."""
        records = [r for r in relationships if r.type == kind]
        index: dict[str, int] = {}
        source = np.fromiter((index.setdefault(r.source, len(index)) for r in records), dtype=np.int64,
                             count=len(records))
        target = np.fromiter((index.setdefault(r.target, len(index)) for r in records), dtype=np.int64,
                             count=len(records))
        return cls._build(list(index), source, target, records)

    @classmethod
    def on(cls, book: Book, kind: str, *, touched: bool = True) -> _Graph:
        """The same graph from the book's edges of type ``kind``: on the parties they touch,
        or with ``touched=False`` on every party (for components alone, where renumbering
        would cost more than the isolated nodes)."""
        edges = book.edges(kind)
        if not touched:
            return cls._build(book.parties, edges.source, edges.target, edges.records)
        used, inverse = np.unique(np.concatenate([edges.source, edges.target]), return_inverse=True)
        inverse = inverse.reshape(-1)
        nodes = [book.parties[k] for k in used.tolist()]
        return cls._build(nodes, inverse[:len(edges.records)], inverse[len(edges.records):], edges.records)

    @classmethod
    def _build(cls, nodes: list[str], source: np.ndarray, target: np.ndarray,
               records: list[Relationship]) -> _Graph:
        n = len(nodes)
        # booleans: parallel edges add up to one edge, where small integers could wrap to 0
        matrix = sp.csr_array((np.ones(len(records), dtype=bool), (source, target)), shape=(n, n))
        _, labels = connected_components(matrix, directed=True, connection="strong")
        return cls(nodes, source, target, records, labels, np.bincount(labels, minlength=1))

    def rings(self) -> list[list[int]]:
        """The components of two or more nodes, as node positions in node order."""
        inside = np.flatnonzero(self.sizes[self.labels] > 1)
        inside = inside[np.argsort(self.labels[inside], kind="stable")]
        starts = np.flatnonzero(np.r_[True, np.diff(self.labels[inside]) != 0]) if len(inside) else inside
        return [ring.tolist() for ring in np.split(inside, starts[1:])] if len(inside) else []


@collector_paused()
def guarantee_circles(relationships: Iterable[Relationship], bank: Bank | None = None
                      ) -> list[GuaranteeCircle]:
    """R10: every guarantee circle, largest first (then by id).

    Parameters
    ----------
    relationships : current relationships (only ``GUARANTEES`` are read)
    bank : converts amounts in other currencies to the base currency (default: amounts are
        taken as they are)
    """
    return _circles(_Graph.of(relationships, "GUARANTEES"), bank)


def _circles(graph: _Graph, bank: Bank | None) -> list[GuaranteeCircle]:
    # a guarantee is inside a circle when both its ends are in the same one
    inside = graph.labels[graph.source] == graph.labels[graph.target]
    inside &= graph.sizes[graph.labels[graph.source]] > 1
    by_circle: dict[int, list[Relationship]] = defaultdict(list)
    for k in np.flatnonzero(inside).tolist():
        by_circle[int(graph.labels[graph.source[k]])].append(graph.records[k])
    rate = bank.rate if bank else (lambda _c: 1.0)
    circles = []
    for ring in graph.rings():
        guarantees = sorted(by_circle[int(graph.labels[ring[0]])], key=lambda r: r.identity)
        total = math.fsum((r.amount or 0.0) * rate(r.currency) for r in guarantees)
        members = tuple(sorted(graph.nodes[k] for k in ring))
        circles.append(GuaranteeCircle(_circle_id(members), members, tuple(guarantees), total))
    circles.sort(key=lambda c: (-len(c.members), c.id))
    return circles


@collector_paused()
def guarantee_chains(relationships: Iterable[Relationship], top: int = 10) -> list[GuaranteeChain]:
    """The ``top`` longest guarantee chains (at least one step), longest first.

    One chain is reported per end node of the condensed graph: the longest path ending
    there, ties broken by the smallest ids, so the answer is deterministic.

    The condensed graph is a DAG; peeling it from its sources (Kahn's algorithm, a frontier
    at a time) gives each node the length of the longest path ending there, its level. A
    chain ending at a node of level ``l`` continues the best chain of one of its parents of
    level ``l - 1``: the parent whose chain comes first by ids. Ranking each level's chains
    by (the parent's rank, the node's own id) orders them as their steps compare, so no
    chain is built but the ``top`` reported.

    >>> from schema.records import Relationship as R
    >>> g = [R("GUARANTEES", a, b, amount=1.0) for a, b in [("A", "B"), ("B", "C"), ("X", "C")]]
    >>> [c.steps for c in guarantee_chains(g)]
    [('A', 'B', 'C'), ('A', 'B')]
    """
    return _chains(_Graph.of(relationships, "GUARANTEES"), top)


def _chains(graph: _Graph, top: int) -> list[GuaranteeChain]:
    if not graph.records:
        return []
    n = len(graph.sizes)
    label = [""] * n
    for ring in graph.rings():
        label[graph.labels[ring[0]]] = _circle_id(graph.nodes[k] for k in ring)
    for k in np.flatnonzero(graph.sizes[graph.labels] == 1).tolist():
        label[graph.labels[k]] = graph.nodes[k]
    name_rank = np.empty(n, dtype=np.int64)
    name_rank[sorted(range(n), key=label.__getitem__)] = np.arange(n)

    source, target = graph.labels[graph.source], graph.labels[graph.target]
    between = source != target
    pairs = np.unique(np.stack([source[between], target[between]], axis=1), axis=0).reshape(-1, 2)
    parent_of, child_of = pairs[:, 0], pairs[:, 1]
    out = sp.csr_array((np.ones(len(pairs), dtype=np.int8), (parent_of, child_of)), shape=(n, n))
    waiting = np.bincount(child_of, minlength=n)
    level = np.zeros(n, dtype=np.int64)
    frontier, depth = np.flatnonzero(waiting == 0), 1
    while len(frontier):
        level[frontier] = depth
        reached = out[frontier].indices
        waiting -= np.bincount(reached, minlength=n)
        frontier = np.unique(reached[waiting[reached] == 0])
        depth += 1

    best_parent = np.full(n, -1, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    first = np.flatnonzero(level == 1)
    rank[first] = np.argsort(np.argsort(name_rank[first]))
    feeds = level[parent_of] == level[child_of] - 1
    parent_of, child_of = parent_of[feeds], child_of[feeds]
    for depth in range(2, int(level.max()) + 1):
        here = level[child_of] == depth
        parents, children = parent_of[here], child_of[here]
        order = np.lexsort((rank[parents], children))      # each child's best parent first
        children, parents = children[order], parents[order]
        starts = np.r_[True, children[1:] != children[:-1]]
        nodes, chosen = children[starts], parents[starts]
        best_parent[nodes] = chosen
        rank[nodes] = np.argsort(np.lexsort((name_rank[nodes], rank[chosen])))

    ends = np.flatnonzero(level > 1)
    ends = ends[np.lexsort((rank[ends], -level[ends]))][:top]
    chains = []
    for end in ends.tolist():
        steps = [end]
        while best_parent[steps[-1]] >= 0:
            steps.append(int(best_parent[steps[-1]]))
        chains.append(GuaranteeChain(tuple(label[k] for k in reversed(steps))))
    return chains


@collector_paused()
def cross_holdings(relationships: Iterable[Relationship]) -> list[tuple[str, ...]]:
    """Rings of companies holding shares in one another (strongly connected components of
    two or more in the ``OWNS`` graph), largest first.

    >>> from schema.records import Relationship as R
    >>> cross_holdings([R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "A", share=0.1),
    ...                 R("OWNS", "B", "C", share=0.7)])
    [('A', 'B')]
    """
    return _rings(_Graph.of(relationships, "OWNS"))


def _rings(graph: _Graph) -> list[tuple[str, ...]]:
    rings = [tuple(sorted(graph.nodes[k] for k in ring)) for ring in graph.rings()]
    return sorted(rings, key=lambda ring: (-len(ring), ring))


@collector_paused()
def circles_of(analysis: Analysis, top: int = 10
               ) -> tuple[list[GuaranteeCircle], list[GuaranteeChain], list[tuple[str, ...]]]:
    """The guarantee circles, the ``top`` longest chains and the cross-holdings of an
    analysed book, as :func:`guarantee_circles` (in base currency), :func:`guarantee_chains`
    and :func:`cross_holdings` give them on its current relationships; one guarantee graph
    serves the first two, read from the book's shared arrays (:class:`Book`)."""
    book = Book.of(analysis)
    guarantees = _Graph.on(book, "GUARANTEES")
    return (_circles(guarantees, analysis.dataset.bank), _chains(guarantees, top),
            _rings(_Graph.on(book, "OWNS", touched=False)))
