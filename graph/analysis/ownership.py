"""Integrated ownership (rule R2), by sparse linear algebra.

Let ``A[i, j]`` be the share of ``j`` held directly by ``i``. The integrated ownership of
``X`` in ``Y`` is the sum, over every directed walk of length >= 1 from ``X`` to ``Y``
through ``OWNS`` edges, of the product of the shares along it: the entry ``(X, Y)`` of
``A (I - A)^-1`` [1]_. Cycles (cross-holdings) make the number of walks infinite; the
geometric series still converges because the shares held in each company sum to at most 1.

References
----------
.. [1] Brioschi, F., Buzzacchi, L. and Colombo, M. G. (1989). "Risk capital financing and
   the separation of ownership and control in business groups". Journal of Banking &
   Finance 13(5), 747-772.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from schema.errors import AnalysisError

__all__ = ["OwnershipMatrix", "integrated_ownership"]

Holding = tuple[str, str, float]  # owner, owned, share


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

    def integrated_row(self, owner: str) -> dict[str, float]:
        """Integrated ownership of ``owner`` in every party it reaches (zeros left out).

        Solves ``r (I - A) = a`` on the parties reachable from ``owner``, where ``a`` is
        the owner's row of ``A``: walks from the owner never leave that set.
        """
        if owner not in self.index:
            return {}
        sub = self.reachable(self.index[owner])
        if len(sub) == 1:
            return {}
        a = self.matrix[sub][:, sub].tocsc()
        position = int(np.searchsorted(sub, self.index[owner]))
        rhs = a[[position], :].toarray().ravel()
        system = (sp.identity(len(sub), format="csc") - a).T.tocsc()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", spla.MatrixRankWarning)
            row = spla.spsolve(system, rhs)
        if not np.all(np.isfinite(row)):
            raise self._degenerate(sub)
        return {self.parties[sub[k]]: float(v) for k, v in enumerate(row) if v > 1e-15}

    def _degenerate(self, sub: np.ndarray) -> AnalysisError:
        names = ", ".join(self.parties[i] for i in sub[:10])
        return AnalysisError(
            "integrated ownership is undefined: the companies "
            f"{names} own one another entirely (a closed ring of 100% holdings)"
        )


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
    AnalysisError
        When the walks never fade out: companies owning one another entirely.

    Examples
    --------
    A owns 60% of B, B owns 70% of C and C owns 10% of B (a cross-holding):

    >>> h = [("A", "B", 0.6), ("B", "C", 0.7), ("C", "B", 0.1)]
    >>> round(integrated_ownership(h, "A", "C"), 4)   # 0.42 / 0.93
    0.4516
    """
    matrix = holdings if isinstance(holdings, OwnershipMatrix) else OwnershipMatrix(holdings)
    return matrix.integrated_row(owner).get(owned, 0.0)

