"""Neighbourhood, ownership-chain and path queries over a dataset held in memory.

The embedded store answers these from its dataset with NetworkX; the Neo4j store answers
the same questions in Cypher (``graph/neo4j_store.py``), and the parity suite holds the two
to the same answers. All queries look at the relationships current on ``as_of`` and at
entities only (facilities and declared groups are not traversed).

Results are sorted so that both stores give them in the same order: a subgraph's entities
by id and relationships by (type, source, target, facility, valid_from); paths by the
sequence of their relationships' identities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise, product

import networkx as nx

from schema.records import Dataset, Entity, Relationship

__all__ = ["MAX_HOPS", "Path", "Subgraph", "check_hops", "neighbourhood", "ownership_chains",
           "paths", "sort_paths"]

MAX_HOPS = 6

Path = tuple[Relationship, ...]


@dataclass(frozen=True)
class Subgraph:
    """Entities and the current relationships among them."""

    entities: tuple[Entity, ...]
    relationships: tuple[Relationship, ...]


def check_hops(hops: int) -> int:
    """Hop counts are bounded: they are written into Cypher patterns, and paths grow
    exponentially with them."""
    if not isinstance(hops, int) or isinstance(hops, bool) or not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"expected a number of hops from 1 to {MAX_HOPS}, got {hops!r}")
    return hops


def sort_paths(found: Iterable[Path]) -> list[Path]:
    """Paths without repeats, in the order of their relationships' identities."""
    unique = {tuple(r.identity for r in p): p for p in found}
    return [unique[key] for key in sorted(unique)]


def _current(dataset: Dataset, types: Iterable[str] | None, as_of: date | None) -> list[Relationship]:
    return dataset.current_relationships(as_of or date.today(), types)


def neighbourhood(dataset: Dataset, entity_id: str, hops: int = 1, *,
                  types: Iterable[str] | None = None, as_of: date | None = None) -> Subgraph:
    """The entities within ``hops`` steps of ``entity_id`` (in either direction, over
    relationships of ``types``), and every such relationship among them."""
    check_hops(hops)
    if entity_id not in dataset.entities:
        return Subgraph((), ())
    relationships = _current(dataset, types, as_of)
    graph = nx.Graph()
    graph.add_node(entity_id)
    graph.add_edges_from((r.source, r.target) for r in relationships)
    reached = nx.single_source_shortest_path_length(graph, entity_id, cutoff=hops)
    inside = [r for r in relationships if r.source in reached and r.target in reached]
    return Subgraph(tuple(dataset.entities[i] for i in sorted(reached)),
                    tuple(sorted(inside, key=lambda r: r.identity)))


def ownership_chains(dataset: Dataset, entity_id: str, direction: str = "up",
                     max_hops: int = 4, *, as_of: date | None = None) -> list[Path]:
    """Every chain of ``OWNS`` edges of 1 to ``max_hops`` steps ending at ``entity_id``
    (``up``: its owners, their owners, ...) or starting from it (``down``: its holdings).
    A chain uses each relationship at most once (as a Cypher path does), so cross-holdings
    give finite answers. Each chain is listed from the entity outwards."""
    check_hops(max_hops)
    if direction not in ("up", "down"):
        raise ValueError(f"expected direction 'up' or 'down', got {direction!r}")
    step: dict[str, list[Relationship]] = {}
    for r in _current(dataset, ["OWNS"], as_of):
        step.setdefault(r.target if direction == "up" else r.source, []).append(r)
    found: list[Path] = []

    def walk(node: str, chain: Path) -> None:
        for r in step.get(node, ()):
            if any(r is used for used in chain):
                continue
            longer = (*chain, r)
            found.append(longer)
            if len(longer) < max_hops:
                walk(r.source if direction == "up" else r.target, longer)

    walk(entity_id, ())
    return sort_paths(found)


def paths(dataset: Dataset, from_id: str, to_id: str, max_hops: int = 4, *,
          types: Iterable[str] | None = None, as_of: date | None = None) -> list[Path]:
    """Every shortest connection between two entities over relationships of ``types``,
    in either direction, of at most ``max_hops`` steps. Where two entities are joined by
    several relationships, each gives its own path."""
    check_hops(max_hops)
    if from_id == to_id or from_id not in dataset.entities or to_id not in dataset.entities:
        return []
    between: dict[frozenset[str], list[Relationship]] = {}
    graph = nx.Graph()
    for r in _current(dataset, types, as_of):
        graph.add_edge(r.source, r.target)
        between.setdefault(frozenset((r.source, r.target)), []).append(r)
    if from_id not in graph or to_id not in graph:
        return []
    try:
        node_paths = list(nx.all_shortest_paths(graph, from_id, to_id))
    except nx.NetworkXNoPath:
        return []
    if len(node_paths[0]) - 1 > max_hops:
        return []
    found = []
    for nodes in node_paths:
        hops = [between[frozenset(pair)] for pair in pairwise(nodes)]
        found.extend(product(*hops))
    return sort_paths(found)
