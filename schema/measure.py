"""A facility's exposure value (R7, R14), computed once for the loader and the analysis.

The loader checks that the look-through amounts of a product stay within its exposure
value (R15), and the analysis reports that value: both call :func:`facility_arrays`, since
``graph/`` and ``loaders/`` import only ``schema/`` of each other's (DESIGN section 1). A
facility's value is its own part plus its commitment, in base currency (R14): the own part
is ``outstanding x rate`` (for an ``off_balance`` item, whose ``outstanding`` is the
notional, ``ccf x outstanding x rate``), the commitment ``ccf x undrawn x rate``. ``ccf`` is
the facility's own, else the regime's default for its product, raised to the regime's
``ccf_floor`` when it has one (BASEL, LEX30: a ccf only ever converts an off-balance item or
a commitment, so the floor applies to every ccf); ``rate`` the bank's fx rate of its
currency. :mod:`graph.analysis.categories` says which G14 column each part goes to.

>>> from schema.records import Bank, Facility
>>> from schema.regime import load_regime
>>> bank = Bank("B", "CNY", 1000.0, 1200.0, fx={"USD": 7.0})
>>> arrays = facility_arrays([Facility("F1", "A", 100.0, undrawn=50.0, ccf=0.5),
...                           Facility("F2", "A", 10.0, currency="USD")],
...                          load_regime("CN-2018"), bank)
>>> arrays.value.tolist()        # 100 + 0.5 x 50; 10 x 7
[125.0, 70.0]
>>> basel = facility_arrays([Facility("F3", "A", 200.0, ccf=0.05, category="off_balance")],
...                         load_regime("BASEL"), bank)
>>> basel.ccf.tolist(), basel.own.tolist(), bool(basel.floored[0])     # floored to 10%
([0.1], [20.0], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from schema.records import Bank, Facility
from schema.regime import Regime

__all__ = ["LOOKED_THROUGH", "OFF_BALANCE", "FacilityArrays", "facility_arrays"]

LOOKED_THROUGH = frozenset({"am_product", "abs"})
"""The facility categories whose holdings are looked through to their underlyings (R15);
only they may have rows in ``underlyings`` and ``product_parties``."""

OFF_BALANCE = "off_balance"
"""The category whose ``outstanding`` is a notional, converted by its ccf (R14)."""


@dataclass(frozen=True)
class FacilityArrays:
    """Per facility, in input order: whether it gives its own ccf, the ccf used (floored),
    whether the floor raised it, the fx rate, ``outstanding`` and ``undrawn`` (in its
    currency), its own part and commitment (``potential``) and its exposure value
    ``own + potential`` (base currency)."""

    own_ccf: np.ndarray
    ccf: np.ndarray
    rate: np.ndarray
    outstanding: np.ndarray
    undrawn: np.ndarray
    value: np.ndarray
    floored: np.ndarray
    own: np.ndarray
    potential: np.ndarray


def facility_arrays(facilities: Sequence[Facility], regime: Regime, bank: Bank) -> FacilityArrays:
    """The exposure values of ``facilities`` (R7, R14) and what they are made of, as arrays."""
    n = len(facilities)

    def column(name: str) -> list:
        return list(map(attrgetter(name), facilities))

    currencies, products, ccfs = column("currency"), column("product"), column("ccf")
    rates = {c: bank.rate(c) for c in dict.fromkeys(currencies)}
    defaults = {p: regime.ccf_for(p) for p in dict.fromkeys(products)}
    own_ccf = np.fromiter((c is not None for c in ccfs), dtype=bool, count=n)
    ccf = np.fromiter((defaults[p] if c is None else c for c, p in zip(ccfs, products, strict=True)),
                      dtype=np.float64, count=n)
    floor = regime.ccf_floor
    floored = ccf < floor if floor is not None else np.zeros(n, dtype=bool)
    if floor is not None:
        ccf = np.maximum(ccf, floor)
    rate = np.fromiter(map(rates.__getitem__, currencies), dtype=np.float64, count=n)
    outstanding = np.fromiter(map(attrgetter("outstanding"), facilities), dtype=np.float64, count=n)
    undrawn = np.fromiter(map(attrgetter("undrawn"), facilities), dtype=np.float64, count=n)
    off = np.fromiter((c == OFF_BALANCE for c in map(attrgetter("category"), facilities)), dtype=bool,
                      count=n)
    drawn = outstanding * rate
    own = np.where(off, ccf * drawn, drawn)
    potential = ccf * (undrawn * rate)
    return FacilityArrays(own_ccf, ccf, rate, outstanding, undrawn, own + potential, floored, own,
                          potential)
