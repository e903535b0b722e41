"""Exposure as a ledger of entries (party, G14 column, amount), summed exactly per party.

Every figure of R14-R16 is a sum of entries: a facility's own part and its commitment at its
borrower (or, looked through, at the obligors and the anonymous client), then what
mitigation moves (negative at the party it leaves, positive at the party it reaches). The
sums are correctly rounded (:func:`math.fsum`, as every sum of exposure is), by NumPy for
runs of one or two entries and fsum for longer ones.

>>> ledger = Ledger()
>>> ledger.add(np.array([0, 0, 0, 1]), np.array([0, 0, 0, 4]), np.array([0.1, 0.2, 0.3, 5.0]))
>>> by_column, totals = ledger.sums(2)
>>> by_column.tolist(), totals.tolist()
([[0.6, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 5.0, 0.0]], [0.6, 5.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.analysis.categories import CATEGORIES

__all__ = ["Ledger", "Move", "exact_sums"]


def exact_sums(keys: np.ndarray, values: np.ndarray, n: int, *, order: np.ndarray | None = None
               ) -> np.ndarray:
    """The fsum of the ``values`` of each key in ``[0, n)`` (0.0 for a key without any).
    ``order``, when given, is a stable sort of ``keys`` (one made for a finer key that sorts
    the same way serves too)."""
    sums = np.zeros(n)
    if not len(keys):
        return sums
    if order is None:
        order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    counts = np.bincount(keys, minlength=n)
    filled = np.flatnonzero(counts)
    starts = np.cumsum(counts) - counts
    sums[filled] = np.add.reduceat(values, starts[filled])
    long = np.flatnonzero(counts > 2)
    if len(long):
        listed = values.tolist()
        sums[long] = [math.fsum(listed[s:s + c]) for s, c in
                      zip(starts[long].tolist(), counts[long].tolist(), strict=True)]
    return sums


class Ledger:
    """Entries added as arrays (``party`` numbers, ``column`` numbers into CATEGORIES,
    ``amount`` in base currency), summed when asked."""

    def __init__(self) -> None:
        self._party: list[np.ndarray] = []
        self._column: list[np.ndarray] = []
        self._amount: list[np.ndarray] = []

    def add(self, party: np.ndarray, column: np.ndarray, amount: np.ndarray) -> None:
        self._party.append(np.asarray(party, dtype=np.int64))
        self._column.append(np.asarray(column, dtype=np.int64))
        self._amount.append(np.asarray(amount, dtype=np.float64))

    def extend(self, other: Ledger) -> Ledger:
        """A ledger holding the entries of this one and then those of ``other``."""
        both = Ledger()
        both._party, both._column, both._amount = (self._party + other._party,
                                                   self._column + other._column,
                                                   self._amount + other._amount)
        return both

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not self._party:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return (np.concatenate(self._party), np.concatenate(self._column),
                np.concatenate(self._amount))

    def sums(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Each party's sum per column, an ``(n, 6)`` array, and over every column (exact,
        not the sum of the column sums); one sort serves both, since entries sorted by
        party and column are sorted by party."""
        party, column, amount = self._arrays()
        width = len(CATEGORIES)
        keys = party * width + column
        order = np.argsort(keys, kind="stable")
        return (exact_sums(keys, amount, n * width, order=order).reshape(n, width),
                exact_sums(party, amount, n, order=order))


@dataclass(frozen=True)
class Move:
    """Exposure one rule moved, with the rows that moved it (the evidence of R15 and R16).

    ``kind`` is ``look_through`` (R15: from the product to an obligor or the anonymous
    client; before mitigation), ``reduction`` (R16: reducing collateral; ``target`` is
    None), ``substitution`` (R16: substituting collateral, to its issuer) or ``guarantee``
    (R16: an eligible guarantee, to the guarantor). ``category`` is the G14 column it moved
    in; ``rows`` the underlying, collateral or guarantee records and ``origins`` where they
    were read (``collateral.csv:4``).
    """

    kind: str
    facility: str | None
    source: str
    target: str | None
    category: str
    amount: float
    rows: tuple[Any, ...]

    @property
    def origins(self) -> tuple[str | None, ...]:
        return tuple(getattr(r, "origin", None) for r in self.rows)
