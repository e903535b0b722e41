"""Neighbourhood, ownership-chain and path queries over a dataset held in memory.

The embedded store answers these from its dataset by walking an adjacency index
(:func:`adjacency`, built once per dataset); the Neo4j store answers the same questions in
Cypher (``graph/stores/neo4j.py``), and the parity suite holds the two to the same answers.
All queries look at the relationships current on ``as_of`` and at entities only
(facilities and declared groups are not traversed).

Results are sorted so that both stores give them in the same order: a subgraph's entities
by id and relationships by (type, source, target, facility, valid_from); paths by the
sequence of their relationships' identities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from schema.records import Dataset, Entity, Relationship

__all__ = ["MAX_HOPS", "OWNERSHIP", "Adjacency", "Path", "Subgraph", "adjacency", "check_hops",
           "neighbourhood", "ownership_chains", "paths", "sort_paths"]

MAX_HOPS = 6

OWNERSHIP = ("OWNS",)
"""The relationship types ownership chains follow."""

Path = tuple[Relationship, ...]

Adjacency = Mapping[str, Sequence[Relationship]]
"""Each entity's relationships, in either direction (:func:`adjacency`; the embedded store
builds the same from columns, :mod:`graph.stores.endpoints`)."""


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
                  types: Iterable[str] | None = None, as_of: date | None = None,
                  index: Adjacency | None = None) -> Subgraph:
    """The entities within ``hops`` steps of ``entity_id`` (in either direction, over
    relationships of ``types``), and every such relationship among them. ``index`` is
    :func:`adjacency` of the same dataset, types and date (built here when not given)."""
    check_hops(hops)
    if entity_id not in dataset.entities:
        return Subgraph((), ())
    index = adjacency(dataset, types, as_of) if index is None else index
    reached = {entity_id}
    frontier = [entity_id]
    for _ in range(hops):
        layer = []
        for node in frontier:
            for r in index.get(node, ()):
                other = r.target if r.source == node else r.source
                if other not in reached:
                    reached.add(other)
                    layer.append(other)
        frontier = layer
    inside = {id(r): r for node in reached for r in index.get(node, ())
              if r.source in reached and r.target in reached}
    return Subgraph(tuple(dataset.entities[i] for i in sorted(reached)),
                    tuple(sorted(inside.values(), key=lambda r: r.identity)))


def ownership_chains(dataset: Dataset, entity_id: str, direction: str = "up",
                     max_hops: int = 4, *, as_of: date | None = None,
                     index: Adjacency | None = None) -> list[Path]:
    """Every chain of ``OWNS`` edges of 1 to ``max_hops`` steps ending at ``entity_id``
    (``up``: its owners, their owners, ...) or starting from it (``down``: its holdings).
    A chain uses each relationship at most once (as a Cypher path does), so cross-holdings
    give finite answers. Each chain is listed from the entity outwards. ``index`` is
    :func:`adjacency` of the same dataset and date over ``OWNS`` alone."""
    check_hops(max_hops)
    if direction not in ("up", "down"):
        raise ValueError(f"expected direction 'up' or 'down', got {direction!r}")
    index = adjacency(dataset, OWNERSHIP, as_of) if index is None else index
    found: list[Path] = []

    def walk(node: str, chain: Path) -> None:
        for r in index.get(node, ()):
            near, far = (r.target, r.source) if direction == "up" else (r.source, r.target)
            if near != node or any(r is used for used in chain):
                continue
            longer = (*chain, r)
            found.append(longer)
            if len(longer) < max_hops:
                walk(far, longer)

    walk(entity_id, ())
    return sort_paths(found)


def adjacency(dataset: Dataset, types: Iterable[str] | None = None,
              as_of: date | None = None) -> Adjacency:
    """Each entity's current relationships of ``types``, in either direction: the index
    the queries walk. Building it reads every relationship, so a store answering many
    queries over one dataset builds it once and passes it in."""
    index: dict[str, list[Relationship]] = {}
    for r in _current(dataset, types, as_of):
        index.setdefault(r.source, []).append(r)
        index.setdefault(r.target, []).append(r)
    return index


def paths(dataset: Dataset, from_id: str, to_id: str, max_hops: int = 4, *,
          types: Iterable[str] | None = None, as_of: date | None = None,
          index: Adjacency | None = None) -> list[Path]:
    """Every shortest connection between two entities over relationships of ``types``,
    in either direction, of at most ``max_hops`` steps. Where two entities are joined by
    several relationships, each gives its own path.

    A breadth-first search from ``from_id``, layer by layer, that stops at the layer
    reaching ``to_id`` or after ``max_hops`` layers, so it visits only the neighbourhood it
    needs; each entity keeps every relationship that reached it from the layer before, and
    the paths are read back from ``to_id``. ``index`` is :func:`adjacency` of the same
    dataset, types and date (built here when not given).

    Example: with A OWNS B, B OWNS D, A MANAGES C and C OWNS D, the paths from A to D are
    (A-B, B-D) and (A-C, C-D); with ``max_hops=1`` there are none.
    """
    check_hops(max_hops)
    if from_id == to_id or from_id not in dataset.entities or to_id not in dataset.entities:
        return []
    index = adjacency(dataset, types, as_of) if index is None else index
    reached_by: dict[str, list[Relationship]] = {from_id: []}
    frontier = [from_id]
    for _ in range(max_hops):
        layer: dict[str, list[Relationship]] = {}
        for node in frontier:
            for r in index.get(node, ()):
                other = r.target if r.source == node else r.source
                if other not in reached_by:
                    layer.setdefault(other, []).append(r)
        reached_by.update(layer)
        if to_id in layer or not layer:
            break
        frontier = list(layer)
    if to_id not in reached_by:
        return []

    def back(node: str) -> list[Path]:
        if node == from_id:
            return [()]
        return [(*head, r) for r in reached_by[node]
                for head in back(r.source if r.target == node else r.target)]

    return sort_paths(back(to_id))
