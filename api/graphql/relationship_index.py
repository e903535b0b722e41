"""Each party's current relationships by type and direction, on arrays.

The API asks for the relationships of ``(entity id, relationship type, direction)`` keys, a
page of parties at a time. A dict of lists built up front costs a Python append per
relationship end (seconds for a million parties, and the memory of millions of small
lists); here every relationship end is a number (``party * types + type``) in one sorted
array per direction, and a key's relationships are found by bisection when asked for.

Direction ``out``: the entity is the source; ``in``: the target; ``both``: either end, for
the undirected kinds (``RELATIVE_OF``), which have no ``out`` or ``in``. A key's
relationships come in input order.

>>> from schema.records import Relationship as R
>>> rels = [R("OWNS", "A", "B", share=0.5), R("RELATIVE_OF", "P", "Q"), R("OWNS", "C", "B")]
>>> index = RelationshipIndex(rels, undirected={"RELATIVE_OF"})
>>> [[(r.source, r.target) for r in found] for found in index.lookup(
...     [("B", "OWNS", "in"), ("Q", "RELATIVE_OF", "both"), ("Q", "RELATIVE_OF", "in"),
...      ("Z", "OWNS", "out")])]
[[('A', 'B'), ('C', 'B')], [('P', 'Q')], [], []]
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from operator import attrgetter

import numpy as np

from graph.analysis.columns import PartyIndex, RelationshipTypes
from schema.records import Relationship

__all__ = ["RelationshipIndex"]


class _Ends:
    """Relationship ends as sorted keys, with the relationship row of each."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.lexsort((rows, keys))
        self.keys = keys[order]
        self.rows = rows[order]

    def rows_of(self, keys: np.ndarray) -> list[np.ndarray]:
        low = np.searchsorted(self.keys, keys, side="left")
        high = np.searchsorted(self.keys, keys, side="right")
        return [self.rows[a:b] for a, b in zip(low.tolist(), high.tolist(), strict=True)]


class RelationshipIndex:
    """The relationships of ``(entity, type, direction)`` keys; see the module docstring.

    ``index`` and ``types``, when given, are the party numbers and type codes the analysis
    already made for the same relationships (saving a pass over them)."""

    def __init__(self, relationships: Sequence[Relationship], *, undirected: Collection[str],
                 index: PartyIndex | None = None, types: RelationshipTypes | None = None) -> None:
        if types is None or types.relationships is not relationships:
            types = RelationshipTypes.of(relationships)
        source_ids = list(map(attrgetter("source"), relationships))
        target_ids = list(map(attrgetter("target"), relationships))
        if index is None:
            index = PartyIndex.of([*source_ids, *target_ids])
        self._relationships = relationships
        self._index = index
        self._type_code = {name: code for code, name in enumerate(types.names)}
        self._undirected = {name for name in types.names if name in undirected}
        width = max(len(types.names), 1)
        self._width = width
        source = index.numbers(source_ids)
        target = index.numbers(target_ids)
        code = types.code.astype(np.int64)
        rows = np.arange(len(relationships), dtype=np.int64)
        is_undirected = np.isin(code, [self._type_code[t] for t in self._undirected])
        directed = ~is_undirected
        self._ends = {
            "out": _Ends(source[directed] * width + code[directed], rows[directed]),
            "in": _Ends(target[directed] * width + code[directed], rows[directed]),
            "both": _Ends(np.concatenate([source[is_undirected], target[is_undirected]]) * width
                          + np.tile(code[is_undirected], 2),
                          np.tile(rows[is_undirected], 2)),
        }

    def lookup(self, keys: Sequence[tuple[str, str, str]]) -> list[list[Relationship]]:
        """The relationships of each ``(entity id, type, direction)`` key, in input order
        (empty for an unknown entity or type, or a direction the type does not have)."""
        found: list[list[Relationship]] = [[] for _ in keys]
        by_direction: dict[str, tuple[list[int], list[int]]] = {}
        for position, (entity, rel_type, direction) in enumerate(keys):
            number = self._index.number.get(entity)
            code = self._type_code.get(rel_type)
            if number is None or code is None or direction not in self._ends or (
                    (direction == "both") != (rel_type in self._undirected)):
                continue
            positions, wanted = by_direction.setdefault(direction, ([], []))
            positions.append(position)
            wanted.append(number * self._width + code)
        relationships = self._relationships
        for direction, (positions, wanted) in by_direction.items():
            rows_of = self._ends[direction].rows_of(np.asarray(wanted, dtype=np.int64))
            for position, rows in zip(positions, rows_of, strict=True):
                found[position] = [relationships[i] for i in rows.tolist()]
        return found
