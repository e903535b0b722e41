"""Parties interned to integers, and relationships of some kinds as integer arrays.

The rules run on these arrays (and on SciPy sparse matrices built from them) rather than on
one Python object per party: a million parties cost a few arrays, not a million dicts.

Parties are numbered in the sorted order of their ids, so that sorting numbers sorts ids: the
rules' tie-breaks "by id" (members of a family, holdings of a holder by target) become
integer sorts, with no string compared after interning.

>>> from schema.records import Relationship as R
>>> index = PartyIndex.of(["B", "A", "C"])
>>> index.ids, index.numbers(["C", "A", "Z"]).tolist()
(['A', 'B', 'C'], [2, 0, -1])
>>> edges = EdgeArrays.of([R("OWNS", "A", "B", share=0.6), R("MANAGES", "C", "A"),
...                        R("CONTROLS", "B", "C")], index, ("OWNS", "CONTROLS"))
>>> edges.row.tolist(), edges.source.tolist(), edges.target.tolist(), edges.kind.tolist()
([0, 2], [0, 1], [1, 2], [0, 1])
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from schema.records import Relationship

__all__ = ["EdgeArrays", "PartyIndex", "RelationshipTypes", "csr_pointer", "first_occurrences", "ranges",
           "run_starts"]


@dataclass(frozen=True)
class PartyIndex:
    """Party ids in sorted order (``ids``) and the number of each (``number``)."""

    ids: list[str]
    number: dict[str, int]

    @classmethod
    def of(cls, ids: Iterable[str]) -> PartyIndex:
        ordered = sorted(set(ids))
        return cls(ordered, {p: i for i, p in enumerate(ordered)})

    def __len__(self) -> int:
        return len(self.ids)

    def numbers(self, ids: Iterable[str]) -> np.ndarray:
        """The number of each id, -1 for an id not in the index."""
        ids = ids if isinstance(ids, list) else list(ids)
        try:
            return np.fromiter(map(self.number.__getitem__, ids), dtype=np.int64, count=len(ids))
        except KeyError:
            get = self.number.get
            return np.fromiter((get(p, -1) for p in ids), dtype=np.int64, count=len(ids))


@dataclass(frozen=True)
class RelationshipTypes:
    """The type of every relationship of a list as a small integer (``code``; ``names`` in
    order of first appearance), read in one pass, so that each rule picks its kinds by an
    array comparison rather than by its own loop over every relationship."""

    relationships: Sequence[Relationship]
    names: list[str]
    code: np.ndarray

    @classmethod
    def of(cls, relationships: Sequence[Relationship]) -> RelationshipTypes:
        codes: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        code = np.fromiter(map(codes.__getitem__, map(attrgetter("type"), relationships)),
                           dtype=np.int16, count=len(relationships))
        return cls(relationships, list(codes), code)

    def rows(self, kinds: Sequence[str]) -> np.ndarray:
        """Positions of the relationships of the given kinds, in input order."""
        wanted = [self.names.index(k) for k in kinds if k in self.names]
        return np.flatnonzero(np.isin(self.code, wanted))


@dataclass(frozen=True)
class EdgeArrays:
    """The relationships of some kinds, one entry per relationship in input order.

    ``row`` is the position in the relationship list (to find the record again for
    evidence), ``kind`` the position of its type in the kinds asked for, ``share`` its share
    with a missing share as 0.0 (as the rules read it). Relationships naming a party the
    index does not know are left out: a dataset's relationships name its parties (the
    loader checks it).
    """

    row: np.ndarray
    source: np.ndarray
    target: np.ndarray
    kind: np.ndarray
    share: np.ndarray

    @classmethod
    def of(cls, relationships: Sequence[Relationship], index: PartyIndex,
           kinds: Sequence[str], types: RelationshipTypes | None = None) -> EdgeArrays:
        """The arrays of ``kinds``; ``types``, when given for the same list, saves reading
        every relationship's type again."""
        if types is None or types.relationships is not relationships:
            types = RelationshipTypes.of(relationships)
        rows = types.rows(kinds)
        picked = [relationships[i] for i in rows.tolist()]
        source = index.numbers(list(map(attrgetter("source"), picked)))
        target = index.numbers(list(map(attrgetter("target"), picked)))
        position = np.full(len(types.names), -1, dtype=np.int8)
        for k, kind in enumerate(kinds):
            if kind in types.names:
                position[types.names.index(kind)] = k
        share = np.fromiter((s or 0.0 for s in map(attrgetter("share"), picked)),
                            dtype=np.float64, count=len(picked))
        known = (source >= 0) & (target >= 0)
        return cls(rows[known], source[known], target[known], position[types.code[rows]][known],
                   share[known])

    def __len__(self) -> int:
        return len(self.row)


def csr_pointer(sorted_keys: np.ndarray, n: int) -> np.ndarray:
    """For keys sorted ascending in ``[0, n)``: ``pointer[k]:pointer[k + 1]`` is the slice
    holding key ``k``."""
    return np.searchsorted(sorted_keys, np.arange(n + 1))


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, s + c)`` for each start and count, in order.

    >>> ranges(np.array([5, 0, 2]), np.array([2, 0, 3])).tolist()
    [5, 6, 2, 3, 4]
    """
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total)


def run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values begins in a sorted array.

    >>> run_starts(np.array([1, 1, 4, 7, 7, 7])).tolist()
    [0, 2, 3]
    """
    if not len(sorted_values):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])


def first_occurrences(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and the position of the first occurrence of each: what
    ``np.unique(values, return_index=True)`` gives, by one stable sort (NumPy's unique
    hashes, which is slower on the arrays here).

    >>> [a.tolist() for a in first_occurrences(np.array([7, 1, 7, 4, 1]))]
    [[1, 4, 7], [1, 3, 0]]
    """
    order = np.argsort(values, kind="stable")
    starts = run_starts(values[order])
    return values[order][starts], order[starts]
