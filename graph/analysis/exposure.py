"""Gross and net exposure per facility, party and group (rule R7).

A facility's exposure value is ``outstanding + ccf x undrawn``, converted to the base
currency; ``ccf`` is the facility's own, else the regime's default for its product. A
party's gross exposure is the sum over the facilities it borrows; a group's, the sum over
its members.

The net view applies eligible guarantees (``GUARANTEES`` with ``eligible = true``) by
substitution: the guaranteed part moves from the borrower to the guarantor, capped by the
facility's exposure value when the guarantee names a facility, else by the borrower's
exposure. Decisions where DESIGN is silent:

* Guarantees naming a facility are applied first, then the others; within each, in order
  of facility (or borrower) and guarantor id. Together they never move more than the
  borrower's gross exposure.
* Only the borrower's own exposure is substituted: exposure a guarantor took over by
  substitution is not passed on again by a guarantee of the guarantor.
* The guaranteed ``amount`` is converted with the bank's fx table like facilities.

How it is computed: facility values on arrays; a party's gross sum by ``np.bincount``, made
exact (``math.fsum``, as every sum of exposure is) only for the parties with three or more
facilities, since a sum of one or two values is already exactly rounded. Substitution is
sequential by nature (each guarantee's cap depends on the ones before) and runs over the
eligible guarantees only. A facility's record is built when a caller reads it.

>>> from schema.records import Bank, Facility, Relationship
>>> from schema.regime import load_regime
>>> bank = Bank("B", "CNY", 1000.0, 1200.0, fx={"USD": 7.0})
>>> facilities = [Facility("F1", "A", 100.0, undrawn=50.0, ccf=0.5),
...               Facility("F2", "A", 10.0, currency="USD")]
>>> g = [Relationship("GUARANTEES", "G", "A", amount=60.0, facility="F1", eligible=True)]
>>> result = compute_exposures(bank, load_regime("CN-2018"), facilities, g)
>>> result.facilities["F1"].value, result.facilities["F2"].value
(125.0, 70.0)
>>> result.of("A"), result.of("G")
(Exposure(gross=195.0, net=135.0), Exposure(gross=0.0, net=60.0))
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

import numpy as np

from schema.measure import facility_arrays
from schema.records import Bank, Facility, Relationship
from schema.regime import Regime

__all__ = ["Exposure", "ExposureResult", "FacilityExposure", "Substitution", "compute_exposures"]


@dataclass(frozen=True)
class Exposure:
    """Gross (guarantees ignored) and net (eligible guarantees substituted) exposure."""

    gross: float = 0.0
    net: float = 0.0


@dataclass(frozen=True)
class FacilityExposure:
    """How one facility's exposure value was computed, in base currency."""

    facility: str
    borrower: str
    outstanding: float
    undrawn: float
    ccf: float
    ccf_source: str
    fx_rate: float
    value: float


@dataclass(frozen=True)
class Substitution:
    """Exposure moved from ``borrower`` to ``guarantor`` by an eligible guarantee."""

    guarantor: str
    borrower: str
    facility: str | None
    amount: float
    guarantee: Relationship


@dataclass
class ExposureResult:
    """Exposure of every facility and party, and the substitutions behind the net view."""

    facilities: Mapping[str, FacilityExposure]
    parties: dict[str, Exposure]
    substitutions: list[Substitution] = field(default_factory=list)

    def of(self, party: str) -> Exposure:
        return self.parties.get(party, Exposure())

    def of_parties(self, parties: Iterable[str]) -> Exposure:
        """The summed exposure of a set of parties (a group)."""
        values = [self.of(p) for p in parties]
        return Exposure(math.fsum(e.gross for e in values), math.fsum(e.net for e in values))


class FacilityValues(Mapping[str, FacilityExposure]):
    """Every facility's exposure value as arrays (in input order), and as records by id,
    each built when first read. ``value[i]`` is ``(outstanding + ccf x undrawn) x rate`` of
    facility ``i``; ``outstanding`` and ``undrawn`` are in the facility's currency, so
    ``outstanding * rate`` is the record's ``outstanding`` (base currency) of every facility
    at once."""

    def __init__(self, facilities: Sequence[Facility], regime: Regime, bank: Bank) -> None:
        self._facilities = facilities
        self._regime = regime
        self._built: dict[int, FacilityExposure] = {}
        # one computation with the loader's check of look-through amounts (schema.measure)
        arrays = facility_arrays(facilities, regime, bank)
        self.own_ccf, self.ccf, self.rate = arrays.own_ccf, arrays.ccf, arrays.rate
        self.outstanding, self.undrawn, self.value = arrays.outstanding, arrays.undrawn, arrays.value

    @cached_property
    def position(self) -> dict[str, int]:
        """The position of each facility id (the last one given, as a dict keeps it)."""
        return dict(zip(map(attrgetter("id"), self._facilities), range(len(self._facilities)), strict=True))

    def __getitem__(self, facility: str) -> FacilityExposure:
        i = self.position[facility]
        found = self._built.get(i)
        if found is None:
            found = self._built[i] = self._record(i)
        return found

    @cached_property
    def _columns(self) -> tuple[list[float], list[float], list[float], list[float], list[float]]:
        """The records' numbers as Python floats, converted at once rather than one by one."""
        return ((self.outstanding * self.rate).tolist(), (self.undrawn * self.rate).tolist(),
                self.ccf.tolist(), self.rate.tolist(), self.value.tolist())

    def _record(self, i: int) -> FacilityExposure:
        f = self._facilities[i]
        outstanding, undrawn, ccf, rate, value = self._columns
        if self.own_ccf[i]:
            source = "facility"
        else:
            regime = self._regime
            source = f"{regime.name} {f.product if f.product in regime.ccf else 'default'}"
        return FacilityExposure(f.id, f.borrower, outstanding[i], undrawn[i], ccf[i], source,
                                rate[i], value[i])

    def __contains__(self, facility: object) -> bool:
        return facility in self.position

    def __iter__(self) -> Iterator[str]:
        return iter(self.position)

    def __len__(self) -> int:
        return len(self.position)


def compute_exposures(bank: Bank, regime: Regime, facilities: Iterable[Facility],
                      guarantees: Iterable[Relationship]) -> ExposureResult:
    """R7: exposure of every facility and party, gross and net.

    ``guarantees`` are the current relationships; those that are not eligible
    ``GUARANTEES`` are ignored.
    """
    facilities = facilities if isinstance(facilities, Sequence) else list(facilities)
    values = FacilityValues(facilities, regime, bank)
    names = list(dict.fromkeys(map(attrgetter("borrower"), facilities)))
    number = dict(zip(names, range(len(names)), strict=True))
    borrower = np.fromiter(map(number.__getitem__, map(attrgetter("borrower"), facilities)),
                           dtype=np.int64, count=len(facilities))
    sums = np.bincount(borrower, weights=values.value, minlength=len(names))
    gross_sums = sums.tolist()
    counts = np.bincount(borrower, minlength=len(names))
    many = np.flatnonzero(counts > 2)
    if len(many):
        # a sum of three or more values, exactly rounded like every other sum of exposure
        order = np.argsort(borrower, kind="stable")
        start = np.cumsum(counts) - counts
        ordered = values.value[order]
        for b in many.tolist():
            gross_sums[b] = math.fsum(ordered[start[b]:start[b] + counts[b]].tolist())
    gross = dict(zip(names, gross_sums, strict=True))

    eligible = [g for g in guarantees if g.type == "GUARANTEES" and g.eligible]
    eligible.sort(key=lambda g: (g.facility is None, g.facility or g.target, g.source))
    facility_left: dict[str, float] = {}
    moved_from: dict[str, list[float]] = defaultdict(list)
    moved_to: dict[str, list[float]] = defaultdict(list)
    substitutions = []
    for g in eligible:
        borrower_left = gross.get(g.target, 0.0) - math.fsum(moved_from[g.target])
        if g.facility is None:
            cap = borrower_left
        else:
            left = facility_left.get(g.facility)
            if left is None:
                left = float(values.value[values.position[g.facility]])
            cap = min(left, borrower_left)
        amount = min((g.amount or 0.0) * bank.rate(g.currency), cap)
        if amount <= 0.0:
            continue
        if g.facility is not None:
            facility_left[g.facility] = left - amount
        moved_from[g.target].append(amount)
        moved_to[g.source].append(amount)
        substitutions.append(Substitution(g.source, g.target, g.facility, amount, g))

    parties = dict(zip(names, map(Exposure, gross_sums, [max(v, 0.0) for v in gross_sums]),
                       strict=True))
    # a borrower something moved from has gross exposure, so these are its parties again
    for party in {*(p for p, moved in moved_from.items() if moved), *moved_to}:
        g_value = gross.get(party, 0.0)
        net = g_value - math.fsum(moved_from.get(party, ())) + math.fsum(moved_to.get(party, ()))
        parties[party] = Exposure(g_value, max(net, 0.0))
    return ExposureResult(values, parties, substitutions)
