"""Tier 1 capital for a sample portfolio, chosen from the book once it is written.

While clusters are written, :class:`LargestExposures` keeps the largest gross exposures of
groups and of single parties (a few dozen, never the whole book); :meth:`~LargestExposures.tier1`
then picks the capital that makes the regime's limits bite: some groups at the group limit,
a breach of the single-party limit, a handful of large exposures.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from schema.regime import load_regime

__all__ = ["REGIME", "LargestExposures"]

REGIME = load_regime("CN-2018")
"""The regime the portfolio is written for (``bank.toml``): its CCFs weight the undrawn
parts and its limits size tier 1 capital."""

_KEEP = 64


class LargestExposures:
    """The largest gross exposures (CNY) of groups and of single parties seen so far."""

    __slots__ = ("_groups", "_parties")

    def __init__(self) -> None:
        self._groups: list[float] = []
        self._parties: list[float] = []

    def note(self, groups: Iterable[float], parties: Iterable[float]) -> None:
        """Note the gross exposures of groups and of single parties."""
        for exposure in groups:
            _push(self._groups, exposure)
        for exposure in parties:
            _push(self._parties, exposure)

    def tier1(self) -> int:
        """Tier 1 capital from the largest gross exposures, rounded to three significant
        digits: the three largest groups at or above the group limit of the regime
        (CN-2018: 20%), unless that puts a single party above 25% (then tier 1 is raised to
        keep it at 25%); and at least three parties above the regime's large-exposure
        threshold (CN-2018: 2.5%), unless that puts a single party above 40% (in very small
        books only)."""
        group_limit = next(float(limit["limit"]) for limit in REGIME.limits
                           if limit["check"] == "group")
        large = float(REGIME.large_exposure["threshold"])
        groups = sorted(self._groups, reverse=True)
        parties = sorted(self._parties, reverse=True)
        tier1 = max(groups[min(2, len(groups) - 1)] / group_limit, parties[0] / 0.25)
        if len(parties) >= 3 and parties[2] <= large * tier1:
            tier1 = max(parties[2] / large * 0.99, parties[0] / 0.40)
        digits = 10 ** max(0, int(math.log10(tier1)) - 2)
        return max(1, int(tier1 // digits * digits))


def _push(heap: list[float], value: float) -> None:
    if len(heap) < _KEEP:
        heapq.heappush(heap, value)
    elif value > heap[0]:
        heapq.heapreplace(heap, value)
