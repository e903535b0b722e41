"""Integrated ownership (rule R2), by sparse linear algebra.

Let ``A[i, j]`` be the share of ``j`` held directly by ``i``. The integrated ownership of
``X`` in ``Y`` is the sum, over every directed walk of length >= 1 from ``X`` to ``Y``
through ``OWNS`` edges, of the product of the shares along it: the entry ``(X, Y)`` of
``A (I - A)^-1`` [1]_. Cycles (cross-holdings) make the number of walks infinite; the
geometric series still converges because the shares held in each company sum to at most 1,
except through a *closed ring*: companies that hold every share of one another (A owns all
of B and B all of A; R1 allows it). Around such a ring the walks never fade out (``I - A``
is singular on it), so the integrated ownership of a party in anything the ring reaches is
not defined (:class:`schema.errors.ClosedOwnershipRing`); its other entries are.

For a strongly connected set of companies whose shares sum to at most 1 each, the series
diverges exactly when every member's shares are all held within the set (Perron-Frobenius:
the spectral radius of an irreducible non-negative matrix with column sums at most 1 is 1
only if every column sums to 1), which is how a closed ring is found, with a tolerance of
1e-9 (the tolerance of control, R4).

References
----------
.. [1] Brioschi, F., Buzzacchi, L. and Colombo, M. G. (1989). "Risk capital financing and
   the separation of ownership and control in business groups". Journal of Banking &
   Finance 13(5), 747-772.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from graph.analysis.columns import first_occurrences
from schema.errors import ClosedOwnershipRing

__all__ = ["IntegratedColumn", "IntegratedRow", "OwnershipMatrix", "integrated_ownership"]

Holding = tuple[str, str, float]  # owner, owned, share

CLOSED_TOLERANCE = 1e-9


@dataclass(frozen=True)
class IntegratedRow:
    """The integrated ownership of ``owner`` in every party it reaches: ``shares`` where it
    is defined (zeros left out), and ``rings``: each party it is not defined in, with the
    closed ring (sorted ids) the walks to it pass through."""

    owner: str
    shares: dict[str, float]
    rings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def share_in(self, owned: str) -> float:
        """The integrated ownership of the owner in ``owned`` (0.0 when no walk leads there).
        Raises ClosedOwnershipRing when it is not defined."""
        ring = self.rings.get(owned)
        if ring is not None:
            raise ClosedOwnershipRing(self.owner, owned, ring)
        return self.shares.get(owned, 0.0)


@dataclass(frozen=True)
class IntegratedColumn:
    """The integrated ownership of every party in ``owned`` that reaches it: ``shares``
    where it is defined (zeros left out), and ``rings``: each party whose share is not
    defined, with the closed ring its walks to ``owned`` pass through."""

    owned: str
    shares: dict[str, float]
    rings: dict[str, tuple[str, ...]] = field(default_factory=dict)


class OwnershipMatrix:
    """The direct-share matrix ``A`` of a set of holdings, with its party index.

    Parameters
    ----------
    holdings : iterable of (owner, owned, share)
        Direct holdings; several holdings of one pair add up.
    """

    def __init__(self, holdings: Iterable[Holding]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        self.index: dict[str, int] = {}
        for owner, owned, share in holdings:
            rows.append(self.index.setdefault(owner, len(self.index)))
            cols.append(self.index.setdefault(owned, len(self.index)))
            data.append(share)
        self.parties = list(self.index)
        n = len(self.parties)
        self.matrix = sp.csr_array((data, (rows, cols)), shape=(n, n))  # duplicates are summed

    @classmethod
    def from_columns(cls, ids: Sequence[str], owner: np.ndarray, owned: np.ndarray,
                     share: np.ndarray) -> OwnershipMatrix:
        """The matrix of holdings given as columns: ``owner[k]`` holds ``share[k]`` of
        ``owned[k]``, both numbers into ``ids``. Parties are indexed in the order they first
        appear (owner before owned, holding by holding), as the constructor indexes them, so
        the two give the same matrix without a Python step per holding.

        >>> m = OwnershipMatrix.from_columns(["A", "B", "C"], np.array([2, 0]), np.array([1, 2]),
        ...                                  np.array([0.6, 0.3]))
        >>> m.parties, m.matrix.toarray().tolist()
        (['C', 'B', 'A'], [[0.0, 0.6, 0.0], [0.0, 0.0, 0.0], [0.3, 0.0, 0.0]])
        """
        numbers, first = first_occurrences(np.column_stack([owner, owned]).ravel())
        numbers = numbers[np.argsort(first)]
        position = np.zeros(len(ids), dtype=np.int64)
        position[numbers] = np.arange(len(numbers))
        matrix = cls.__new__(cls)
        matrix.parties = [ids[p] for p in numbers.tolist()]
        matrix.index = dict(zip(matrix.parties, range(len(numbers)), strict=True))
        n = len(numbers)
        matrix.matrix = sp.csr_array((share, (position[owner], position[owned])), shape=(n, n))
        return matrix

    def reachable(self, start: int) -> np.ndarray:
        """Indices of the parties reachable from ``start`` by walks of length >= 0."""
        seen = {start}
        frontier = [start]
        indptr, indices = self.matrix.indptr, self.matrix.indices
        while frontier:
            nxt = []
            for i in frontier:
                for j in indices[indptr[i]:indptr[i + 1]]:
                    if j not in seen:
                        seen.add(int(j))
                        nxt.append(int(j))
            frontier = nxt
        return np.array(sorted(seen))

    def row(self, owner: str) -> IntegratedRow:
        """Integrated ownership of ``owner`` in every party it reaches.

        Walks from the owner never leave the set it reaches. The parties a closed ring in
        that set reaches (the ring included) are left undefined; on the rest the system
        ``r (I - A) = a``, where ``a`` is the owner's row of ``A``, is solved: a walk to a
        party the ring does not reach never enters the ring.
        """
        if owner not in self.index:
            return IntegratedRow(owner, {})
        start = self.index[owner]
        reached = self.reachable(start)
        rings: dict[str, tuple[str, ...]] = {}
        undefined = np.zeros(len(self.parties), dtype=bool)
        for ring in self._closed_rings(reached):
            named = tuple(sorted(self.parties[i] for i in ring))
            downstream = self.reachable(int(ring[0]))
            undefined[downstream] = True
            for i in downstream:
                rings.setdefault(self.parties[i], named)
        keep = reached[~undefined[reached]]
        if undefined[start] or len(keep) == 1:
            return IntegratedRow(owner, {}, rings)
        a = self.matrix[keep][:, keep].tocsc()
        position = int(np.searchsorted(keep, start))
        rhs = a[[position], :].toarray().ravel()
        system = (sp.identity(len(keep), format="csc") - a).T.tocsc()
        solved = spla.spsolve(system, rhs)
        shares = {self.parties[keep[k]]: float(v) for k, v in enumerate(solved) if v > 1e-15}
        return IntegratedRow(owner, shares, rings)

    @cached_property
    def _transposed(self) -> sp.csr_array:
        return self.matrix.T.tocsr()

    def upstream(self, owned: int) -> np.ndarray:
        """Indices of the parties from which ``owned`` is reachable (itself included), sorted."""
        found = csgraph.breadth_first_order(self._transposed, owned, directed=True,
                                            return_predecessors=False)
        return np.sort(found)

    def column(self, owned: str) -> IntegratedColumn:
        """Integrated ownership of every party in ``owned``: the column of ``A (I - A)^-1``.

        Only the parties that reach ``owned`` take part (its upstream), so one company's
        column costs its upstream, not the book. A party that reaches a closed ring in that
        set has no defined share (``rings``); on the rest ``(I - A) x = A[:, owned]`` is
        solved: a walk from such a party never enters a ring.

        >>> m = OwnershipMatrix([("A", "B", 0.6), ("B", "C", 0.7), ("C", "B", 0.1)])
        >>> {k: round(v, 4) for k, v in sorted(m.column("C").shares.items())}
        {'A': 0.4516, 'B': 0.7527, 'C': 0.0753}
        """
        if owned not in self.index:
            return IntegratedColumn(owned, {})
        target = self.index[owned]
        reaching = self.upstream(target)
        undefined = np.zeros(len(self.parties), dtype=bool)
        rings: dict[str, tuple[str, ...]] = {}
        for ring in self._closed_rings(reaching):
            named = tuple(sorted(self.parties[i] for i in ring))
            above = self.upstream(int(ring[0]))
            undefined[above] = True
            for i in above.tolist():
                rings.setdefault(self.parties[i], named)
        if undefined[target]:    # it lies on a ring: everything that reaches it reaches the ring
            return IntegratedColumn(owned, {}, rings)
        keep = reaching[~undefined[reaching]]
        a = self.matrix[keep][:, keep].tocsc()
        rhs = a[:, [int(np.searchsorted(keep, target))]].toarray().ravel()
        system = (sp.identity(len(keep), format="csc") - a).tocsc()
        solved = np.atleast_1d(spla.spsolve(system, rhs))
        shares = {self.parties[keep[k]]: float(v) for k, v in enumerate(solved) if v > 1e-15}
        return IntegratedColumn(owned, shares, rings)

    def integrated_row(self, owner: str) -> dict[str, float]:
        """:meth:`row` as a mapping, zeros left out. Raises ClosedOwnershipRing (for the
        first party by id) when the owner reaches a closed ring."""
        found = self.row(owner)
        if found.rings:
            found.share_in(min(found.rings))
        return found.shares

    def _closed_rings(self, parties: np.ndarray) -> list[np.ndarray]:
        """The closed rings among ``parties`` (sorted indices): strongly connected sets whose
        members' shares are all held within the set."""
        a = self.matrix[parties][:, parties].tocoo()
        count, labels = csgraph.connected_components(a, directed=True, connection="strong")
        within = np.zeros(len(parties))
        inside = labels[a.row] == labels[a.col]
        np.add.at(within, a.col[inside], a.data[inside])
        closed = np.ones(count, dtype=bool)
        np.logical_and.at(closed, labels, within >= 1.0 - CLOSED_TOLERANCE)
        return [parties[labels == c] for c in np.flatnonzero(closed)]


def integrated_ownership(holdings: Iterable[Holding] | OwnershipMatrix, owner: str,
                         owned: str) -> float:
    """The integrated ownership of ``owner`` in ``owned`` (R2): entry ``(owner, owned)`` of
    ``A (I - A)^-1``.

    Parameters
    ----------
    holdings : iterable of (owner, owned, share), or an OwnershipMatrix
    owner, owned : party ids

    Returns
    -------
    float
        0.0 when no walk of holdings leads from ``owner`` to ``owned``.

    Raises
    ------
    ClosedOwnershipRing
        When the walks pass through companies owning one another entirely.

    Examples
    --------
    A owns 60% of B, B owns 70% of C and C owns 10% of B (a cross-holding):

    >>> h = [("A", "B", 0.6), ("B", "C", 0.7), ("C", "B", 0.1)]
    >>> round(integrated_ownership(h, "A", "C"), 4)   # 0.42 / 0.93
    0.4516
    """
    matrix = holdings if isinstance(holdings, OwnershipMatrix) else OwnershipMatrix(holdings)
    return matrix.row(owner).share_in(owned)
