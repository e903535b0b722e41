"""Concentration of the book (rule R9): HHI and top-N share, by group, industry or region.

The Herfindahl-Hirschman index of a book split into buckets is the sum of the squared
shares of total gross exposure, times 10,000: 10,000 when one bucket holds everything,
near 0 when exposure is spread thin [1]_. Shares of 40/30/20/10 give
1,600 + 900 + 400 + 100 = 3,000.

>>> c = concentration({"A": 40.0, "B": 30.0, "C": 20.0, "D": 10.0}, top=2)
>>> round(c.hhi, 6), c.top_share
(3000.0, 0.7)

References
----------
.. [1] Rhoades, S. A. (1993). "The Herfindahl-Hirschman index". Federal Reserve Bulletin 79,
   188-189.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from graph.analysis import Analysis
from graph.risk.columns import Book, segment_sums
from schema.records import collector_paused

__all__ = ["DIMENSIONS", "Concentration", "ConcentrationItem", "concentration",
           "concentration_by"]

DIMENSIONS = ("group", "industry", "region")
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class ConcentrationItem:
    """One bucket: its key, gross exposure and share of the total."""

    key: str
    exposure: float
    share: float


@dataclass(frozen=True)
class Concentration:
    """HHI, the share of the ``top`` largest buckets, and every bucket, largest first."""

    dimension: str
    hhi: float
    top: int
    top_share: float
    total: float
    items: tuple[ConcentrationItem, ...]


def concentration(exposure_by_key: Mapping[str, float], top: int = 10,
                  dimension: str = "group") -> Concentration:
    """HHI and top-``top`` share of the buckets in ``exposure_by_key`` (gross exposure).

    Buckets with no exposure are left out. An empty book has HHI 0 and top share 0.
    """
    values = np.fromiter(exposure_by_key.values(), dtype=float, count=len(exposure_by_key))
    return _concentration(list(exposure_by_key), values, top, dimension)


def _concentration(keys: list[str], values: np.ndarray, top: int, dimension: str) -> Concentration:
    """:func:`concentration` of buckets given as keys and an array of their exposures."""
    total = math.fsum(values.tolist())
    items: tuple[ConcentrationItem, ...] = ()
    shares: list[float] = []
    if total > 0:
        held = np.flatnonzero(values > 0)
        held = held[np.lexsort((np.array([keys[k] for k in held.tolist()], dtype=str), -values[held]))]
        exposures = values[held].tolist()
        shares = (values[held] / total).tolist()
        items = tuple(map(ConcentrationItem, [keys[k] for k in held.tolist()], exposures, shares))
    hhi = math.fsum(share ** 2 for share in shares) * 10_000
    return Concentration(dimension, hhi, top, math.fsum(shares[:top]), total, items)


@collector_paused()
def concentration_by(analysis: Analysis, dimension: str = "group", top: int = 10) -> Concentration:
    """R9 on the analysed book: buckets are groups (by id), industries or regions of the
    borrowing parties (``(unknown)`` when the party has none)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"expected a dimension among {', '.join(DIMENSIONS)}, got {dimension!r}")
    book = Book.of(analysis)
    if dimension == "group":
        # a group's bucket is its members' exposure; groups nobody in borrows hold 0 and are
        # left out, as buckets with no exposure are
        return _concentration([g.id for g in analysis.groups], book.group_arrays(analysis.groups).gross,
                              top, dimension)
    keys = [key or UNKNOWN for key in map(attrgetter(dimension), book.exposed_entities)]
    number = {key: k for k, key in enumerate(dict.fromkeys(keys))}
    bucket = np.fromiter(map(number.__getitem__, keys), dtype=np.int64, count=len(keys))
    gross = book.gross[book.exposed_positions][np.argsort(bucket, kind="stable")]
    return _concentration(list(number), segment_sums(gross, np.bincount(bucket, minlength=len(number))),
                          top, dimension)
