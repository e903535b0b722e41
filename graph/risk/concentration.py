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
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from graph.analysis import Analysis

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
    total = math.fsum(exposure_by_key.values())
    ranked = sorted(((k, v) for k, v in exposure_by_key.items() if v > 0),
                    key=lambda kv: (-kv[1], kv[0]))
    items = tuple(ConcentrationItem(k, v, v / total) for k, v in ranked) if total > 0 else ()
    hhi = math.fsum(item.share ** 2 for item in items) * 10_000
    top_share = math.fsum(item.share for item in items[:top])
    return Concentration(dimension, hhi, top, top_share, total, items)


def concentration_by(analysis: Analysis, dimension: str = "group", top: int = 10) -> Concentration:
    """R9 on the analysed book: buckets are groups (by id), industries or regions of the
    borrowing parties (``(unknown)`` when the party has none)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"expected a dimension among {', '.join(DIMENSIONS)}, got {dimension!r}")
    buckets: dict[str, list[float]] = defaultdict(list)
    entities = analysis.dataset.entities
    for party, exposure in analysis.exposures.parties.items():
        if dimension == "group":
            key = analysis.group_by_member[party].id
        else:
            key = getattr(entities[party], dimension) or UNKNOWN
        buckets[key].append(exposure.gross)
    return concentration({k: math.fsum(v) for k, v in buckets.items()}, top, dimension)
