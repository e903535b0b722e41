"""The analysed book as arrays over interned parties, for the risk rules (DESIGN section 6).

A party is its position in ``dataset.entities``; a group its position in ``analysis.groups``.
:class:`Book` reads the analysis once into NumPy arrays (exposures, group membership, entity
flags, relationships by type) that every rule of :mod:`graph.risk` shares, so a rule costs a
few array operations over the book and builds records only for what it reports.

The exposure model of DESIGN 3b is here as arrays too: ``before`` and ``after``
(``(parties, 6)``, the G14 columns of R14 in
:data:`graph.analysis.categories.CATEGORIES` order, before and after mitigation),
``moved_out`` and ``moved_in`` (R16), ``exempt`` (R13), ``interbank`` (by ``is_bank`` or
class), and ``checked``: what R8 checks of each party under the regime's
``limits_apply_to`` (:attr:`Book.basis`), summed per group in ``GroupArrays.checked``.

Sums stay exact: the rules define a sum as :func:`math.fsum` gives it (correctly rounded,
whatever the order), and :func:`segment_sums` gives the same numbers on arrays.

>>> segment_sums(np.array([0.1, 0.2, 0.3, 1.0, 1e100, 1.0, -1e100]), np.array([3, 0, 1, 3]))
array([0.6, 0. , 1. , 1. ])
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import ParamSpec, TypeVar

import numpy as np

from graph.analysis import Analysis
from graph.analysis.categories import CATEGORIES
from graph.analysis.groups import Group
from schema.records import Entity, Relationship

__all__ = ["Book", "Edges", "GroupArrays", "segment_counts", "segment_sums"]

P = ParamSpec("P")
R = TypeVar("R")


def segment_sums(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The sum of each run of ``sizes[k]`` consecutive ``values``, equal to ``math.fsum`` of
    it.

    NumPy adds a run of one or two values with a single rounding, which is what fsum returns
    for them; longer runs, where a running sum could round differently, go through fsum.
    Most runs in a book are short (a party's facilities, a small group's members), so few
    take the slow path.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    sums = np.zeros(len(sizes))
    ends = np.cumsum(sizes)
    starts = ends - sizes
    filled = sizes > 0
    if filled.any():
        sums[filled] = np.add.reduceat(values, starts[filled])
    long = np.flatnonzero(sizes > 2)
    if len(long):
        listed = values.tolist()
        sums[long] = [math.fsum(listed[s:e]) for s, e in zip(starts[long].tolist(), ends[long].tolist(),
                                                            strict=True)]
    return sums


def segment_counts(flags: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """How many of each run of ``sizes[k]`` consecutive booleans are true."""
    counts = np.zeros(len(sizes), dtype=np.int64)
    filled = sizes > 0
    if filled.any():
        starts = np.cumsum(sizes) - sizes
        counts[filled] = np.add.reduceat(flags.astype(np.int64), starts[filled])
    return counts


@dataclass(frozen=True)
class Edges:
    """The relationships of one type: their source and target positions and the records, in
    the order of ``analysis.relationships``."""

    source: np.ndarray
    target: np.ndarray
    records: list[Relationship]


@dataclass(frozen=True)
class GroupArrays:
    """Groups as runs over ``members`` (party positions, group by group in member order):
    group ``k`` holds the ``sizes[k]`` members after the first ``sum(sizes[:k])``; ``gross``
    and ``net`` are the groups' summed exposures (as :meth:`Analysis.group_exposure`),
    ``checked`` the sum of their members' :attr:`Book.checked` (what R8 checks)."""

    members: np.ndarray
    sizes: np.ndarray
    gross: np.ndarray
    net: np.ndarray
    checked: np.ndarray


_BOOKS: dict[int, Book] = {}


class Book:
    """One analysis as arrays; each array is built on first use and kept.

    :meth:`of` gives the one Book of an analysis, so that the rules of an assessment and
    every later scenario on it (a cascade, a DebtRank, a concentration the API is asked
    for) share its arrays. It lives as long as the analysis: it refers to it weakly, and
    is dropped when the analysis is.
    """

    def __init__(self, analysis: Analysis) -> None:
        self._analysis = weakref.ref(analysis)
        self._edges: dict[str, Edges] = {}
        self._records: dict[str, list[Relationship]] = {}

    @classmethod
    def of(cls, analysis: Analysis) -> Book:
        """The Book of ``analysis``, built on the first call."""
        book = _BOOKS.get(id(analysis))
        if book is None or book._analysis() is not analysis:
            book = _BOOKS[id(analysis)] = cls(analysis)
            weakref.finalize(analysis, _BOOKS.pop, id(analysis), None)
        return book

    @property
    def analysis(self) -> Analysis:
        analysis = self._analysis()
        if analysis is None:
            raise ReferenceError("the analysis of this book is gone")
        return analysis

    @cached_property
    def parties(self) -> list[str]:
        """Party ids, in the order of ``dataset.entities``."""
        return list(self.analysis.dataset.entities)

    @cached_property
    def position(self) -> dict[str, int]:
        return dict(zip(self.parties, range(len(self.parties)), strict=True))

    def positions(self, ids: Sequence[str]) -> np.ndarray:
        """The positions of the parties ``ids`` (KeyError for an unknown one)."""
        return np.fromiter(map(self.position.__getitem__, ids), dtype=np.int64, count=len(ids))

    @cached_property
    def exposed(self) -> list[str]:
        """The parties with an exposure entry (a borrower, or a guarantor that took exposure
        over), in id order: the parties that have limit checks."""
        return sorted(self.analysis.exposures.parties)

    @cached_property
    def exposed_positions(self) -> np.ndarray:
        """The positions of :attr:`exposed`."""
        return self.positions(self.exposed)

    @cached_property
    def exposed_entities(self) -> list[Entity]:
        """The records of :attr:`exposed`."""
        return list(map(self.analysis.dataset.entities.__getitem__, self.exposed))

    @cached_property
    def _exposures(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.parties)
        gross, net = np.zeros(n), np.zeros(n)
        parties = self.analysis.exposures.parties
        at = self.positions(list(parties))
        gross[at] = [e.gross for e in parties.values()]
        net[at] = [e.net for e in parties.values()]
        return gross, net

    @property
    def gross(self) -> np.ndarray:
        """Every party's gross exposure (0 without one)."""
        return self._exposures[0]

    @property
    def net(self) -> np.ndarray:
        return self._exposures[1]

    @cached_property
    def _breakdown(self) -> dict[str, np.ndarray]:
        """The arrays of ``ExposureResult.columns`` by party position (0 without
        exposure)."""
        columns = self.analysis.exposures.columns
        n = len(self.parties)
        found = {"before": np.zeros((n, len(CATEGORIES))), "after": np.zeros((n, len(CATEGORIES))),
                 "moved_out": np.zeros(n), "moved_in": np.zeros(n), "exempt": np.zeros(n, dtype=bool),
                 "non_exempt": np.zeros(n)}
        if columns.parties:
            at = self.positions(columns.parties)
            for name, values in found.items():
                values[at] = getattr(columns, name)
        return found

    @property
    def before(self) -> np.ndarray:
        """Every party's exposure before mitigation per G14 column, ``(parties, 6)`` in
        CATEGORIES order (R14)."""
        return self._breakdown["before"]

    @property
    def after(self) -> np.ndarray:
        """Every party's exposure after mitigation per G14 column (R14, R16)."""
        return self._breakdown["after"]

    @property
    def moved_out(self) -> np.ndarray:
        """What mitigation took out of each party (转出, R16)."""
        return self._breakdown["moved_out"]

    @property
    def moved_in(self) -> np.ndarray:
        """What mitigation brought onto each party (转入, R16)."""
        return self._breakdown["moved_in"]

    @property
    def exempt(self) -> np.ndarray:
        """Whether each party is exempt (R13)."""
        return self._breakdown["exempt"]

    @property
    def basis(self) -> str:
        """What R8 checks: ``net`` (after mitigation, without exempt exposure; the shipped
        regimes) or ``gross`` (before mitigation, exempt included: the rule before DESIGN
        3b), as the regime's ``limits_apply_to`` says."""
        return self.analysis.regime.limits_apply_to

    @property
    def checked(self) -> np.ndarray:
        """Every party's exposure as R8 checks it (see :attr:`basis`)."""
        return self._breakdown["non_exempt"] if self.basis == "net" else self.gross

    @cached_property
    def interbank(self) -> np.ndarray:
        """Whether each party is interbank (同业) for R8: ``is_bank``, or a class in the
        regime's ``interbank_classes``."""
        interbank = self.analysis.regime.is_interbank
        read = attrgetter("kind", "is_bank", "counterparty_class")
        return np.fromiter((interbank(*read(e)) for e in self.analysis.dataset.entities.values()),
                           dtype=bool, count=len(self.parties))

    def entity_flag(self, name: str) -> np.ndarray:
        """A boolean field of every entity (``is_bank``, ``is_gsib``) as an array."""
        return self._entity_fields[name]

    @property
    def net_assets(self) -> np.ndarray:
        """Every entity's net assets, NaN where it gives none."""
        return self._entity_fields["net_assets"]

    @cached_property
    def _entity_fields(self) -> dict[str, np.ndarray]:
        # one pass over the entities for every field the rules read
        read = attrgetter("is_bank", "is_gsib", "net_assets")
        is_bank, is_gsib, net_assets = zip(*map(read, self.analysis.dataset.entities.values()),
                                           strict=True) if self.parties else ((), (), ())
        return {"is_bank": np.array(is_bank, dtype=bool), "is_gsib": np.array(is_gsib, dtype=bool),
                "net_assets": np.array([np.nan if v is None else v for v in net_assets], dtype=float)}

    def group_arrays(self, groups: Sequence[Group]) -> GroupArrays:
        """``groups`` as runs of member positions, with their exposures; those of
        ``analysis.groups`` are built once."""
        if groups is self.analysis.groups:
            return self._analysis_groups
        return self._group_arrays(groups)

    @cached_property
    def _analysis_groups(self) -> GroupArrays:
        return self._group_arrays(self.analysis.groups)

    def _group_arrays(self, groups: Sequence[Group]) -> GroupArrays:
        sizes = np.fromiter(map(len, map(attrgetter("members"), groups)), dtype=np.int64,
                            count=len(groups))
        members = self.positions(list(chain.from_iterable(map(attrgetter("members"), groups))))
        return GroupArrays(members, sizes, segment_sums(self.gross[members], sizes),
                           segment_sums(self.net[members], sizes),
                           segment_sums(self.checked[members], sizes))

    def group_columns(self, groups: Sequence[Group]) -> tuple[np.ndarray, np.ndarray]:
        """The G14 columns of each of ``groups``, before and after mitigation: two
        ``(groups, 6)`` arrays, each entry the exact sum over the group's members (R14)."""
        arrays = self.group_arrays(groups)
        members, sizes = arrays.members, arrays.sizes
        before, after = (np.column_stack([segment_sums(values[members, c], sizes)
                                          for c in range(len(CATEGORIES))])
                         for values in (self.before, self.after))
        return before, after

    @cached_property
    def group_index(self) -> np.ndarray:
        """The position in ``analysis.groups`` of every party's group."""
        arrays = self._analysis_groups
        index = np.zeros(len(self.parties), dtype=np.int64)
        index[arrays.members] = np.repeat(np.arange(len(arrays.sizes)), arrays.sizes)
        return index

    @cached_property
    def group_ids(self) -> list[str]:
        """The id of every party's group, by position."""
        ids = [g.id for g in self.analysis.groups]
        return [ids[k] for k in self.group_index.tolist()]

    @cached_property
    def _by_type(self) -> dict[str, np.ndarray]:
        """The rows of ``analysis.relationships`` of each type."""
        types = list(map(attrgetter("type"), self.analysis.relationships))
        number = {kind: k for k, kind in enumerate(dict.fromkeys(types))}
        code = np.fromiter(map(number.__getitem__, types), dtype=np.int64, count=len(types))
        order = np.argsort(code, kind="stable")
        counts = np.bincount(code, minlength=len(number))
        ends = np.cumsum(counts)
        return {kind: order[end - count:end]
                for kind, count, end in zip(number, counts.tolist(), ends.tolist(), strict=True)}

    def records(self, kind: str) -> list[Relationship]:
        """The current relationships of type ``kind``, in the order of the analysis."""
        if kind not in self._records:
            relationships = self.analysis.relationships
            rows = self._by_type.get(kind, np.zeros(0, dtype=np.int64))
            self._records[kind] = [relationships[k] for k in rows.tolist()]
        return self._records[kind]

    def edges(self, kind: str) -> Edges:
        """The current relationships of type ``kind``, as positions."""
        if kind not in self._edges:
            records = self.records(kind)
            self._edges[kind] = Edges(self.positions(list(map(attrgetter("source"), records))),
                                      self.positions(list(map(attrgetter("target"), records))), records)
        return self._edges[kind]
