"""The adjacency index of the graph queries, built on columns.

:func:`graph.stores.queries.adjacency` walks every relationship in Python (a date test and
two list appends each) for every set of types and date asked: about a second per 100k
parties. Here the relationships' types, ends and validity dates are read into arrays once
per dataset (:class:`Endpoints`), and an index for some types and a date is a vectorised
filter and one stable sort of the ends (:meth:`Endpoints.adjacency`): a compressed row
layout from which :class:`ColumnAdjacency` hands each entity its relationships when a query
asks for them, in the order the dict index has them.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from operator import attrgetter
from types import NoneType

import numpy as np
import pyarrow as pa

from schema.records import Relationship

__all__ = ["ColumnAdjacency", "Endpoints"]


class ColumnAdjacency(Mapping[str, list[Relationship]]):
    """Each entity's relationships (as :func:`graph.stores.queries.adjacency` gives them),
    from a compressed row layout: the relationships of the entity numbered ``c`` are
    ``relationships[rows[starts[c]:starts[c + 1]]]``. Entities without any are not keys.
    Read-only: each list is made when first asked for."""

    def __init__(self, relationships: Sequence[Relationship], codes: Mapping[str, int],
                 starts: np.ndarray, rows: np.ndarray) -> None:
        self._relationships = relationships
        self._codes = codes
        # array.array rather than NumPy: an item of it is a Python int in a tenth of the time,
        # and a query asks for thousands of entities, one at a time
        self._starts = array("q", starts.astype(np.int64).tobytes())
        self._rows = array("q", rows.astype(np.int64).tobytes())
        self._lists: dict[str, list[Relationship]] = {}

    def __getitem__(self, entity: str) -> list[Relationship]:
        found = self.get(entity)
        if found is None:
            raise KeyError(entity)
        return found

    def get(self, entity: str, default: object = None) -> list[Relationship] | object:
        """``entity``'s relationships, else ``default``: what the queries ask. A list is
        made on the first ask and kept, so a walk that comes back to an entity (or the next
        query) finds it as fast as in a dict."""
        found = self._lists.get(entity)
        if found is None:
            code = self._codes.get(entity)
            if code is None:
                return default
            relationships, starts = self._relationships, self._starts
            found = self._lists[entity] = [
                relationships[row] for row in self._rows[starts[code]:starts[code + 1]]]
        return found if found else default

    def __iter__(self) -> Iterator[str]:
        starts = self._starts
        return (entity for entity, code in self._codes.items() if starts[code] < starts[code + 1])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Endpoints:
    """The type, ends and validity dates of every relationship of a dataset, as arrays:
    ends as numbers over the distinct ends (``codes``), dates as days (NaT for none)."""

    def __init__(self, relationships: Sequence[Relationship]) -> None:
        self.relationships = relationships
        count = len(relationships)
        self.codes = _numbering()
        self.source = _numbers(self.codes, map(attrgetter("source"), relationships), count)
        self.target = _numbers(self.codes, map(attrgetter("target"), relationships), count)
        self.type_codes = _numbering()
        self.type = _numbers(self.type_codes, map(attrgetter("type"), relationships), count)
        # numbering done: from now on an unknown key is unknown, not a new number
        self.codes.default_factory = self.type_codes.default_factory = None
        # through Arrow: NumPy converts date objects one by one, some 25 times slower
        self.valid_from = _days(list(map(attrgetter("valid_from"), relationships)))
        self.valid_to = _days(list(map(attrgetter("valid_to"), relationships)))

    @staticmethod
    def usable(relationships: Sequence[Relationship]) -> bool:
        """Whether the relationships' types and ends are strings and their dates dates or
        None, as the record classes say: the arrays hold nothing else. (A ``datetime`` is a
        ``date`` to Python but would lose its time of day here.)"""
        def kinds(name: str) -> set[type]:
            return set(map(type, map(attrgetter(name), relationships)))

        return ((kinds("source") | kinds("target") | kinds("type")) <= {str}
                and (kinds("valid_from") | kinds("valid_to")) <= {date, NoneType})

    def adjacency(self, types: frozenset[str] | None, as_of: date) -> ColumnAdjacency:
        """The index of the relationships of ``types`` (None: all) current on ``as_of``.

        Each entity's list keeps the relationships' order, and a relationship from an
        entity to itself is in its list twice, as in the dict index: the ends are laid out
        source, target, source, target, ... before the stable sort by entity."""
        day = np.datetime64(as_of, "D")
        # NaT compares false with everything: an open end never excludes
        current = ~(day < self.valid_from) & ~(day > self.valid_to)
        if types is not None:
            wanted = [self.type_codes[t] for t in types if t in self.type_codes]
            current &= np.isin(self.type, np.array(wanted, dtype=self.type.dtype))
        rows = np.flatnonzero(current).astype(np.int64)
        ends = np.empty(2 * len(rows), dtype=self.source.dtype)
        ends[0::2], ends[1::2] = self.source[rows], self.target[rows]
        order = np.argsort(ends, kind="stable")
        starts = np.zeros(len(self.codes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=len(self.codes)), out=starts[1:])
        return ColumnAdjacency(self.relationships, self.codes, starts,
                               np.repeat(rows, 2)[order])


def _days(dates: list[date | None]) -> np.ndarray:
    """Dates as ``datetime64[D]``, None as NaT."""
    return pa.array(dates, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _numbering() -> defaultdict[str, int]:
    """A mapping that gives each new key the next number, 0, 1, 2, ... (its size when the
    key arrives), all in C when it is read through ``map``."""
    numbering: defaultdict[str, int] = defaultdict()
    numbering.default_factory = numbering.__len__
    return numbering


def _numbers(numbering: defaultdict[str, int], keys: Iterable[str], count: int) -> np.ndarray:
    """The number of each of ``count`` keys, numbering the new ones."""
    return np.fromiter(map(numbering.__getitem__, keys), dtype=np.int64, count=count)
