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
from collections.abc import Iterable
from dataclasses import dataclass, field

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

    facilities: dict[str, FacilityExposure]
    parties: dict[str, Exposure]
    substitutions: list[Substitution] = field(default_factory=list)

    def of(self, party: str) -> Exposure:
        return self.parties.get(party, Exposure())

    def of_parties(self, parties: Iterable[str]) -> Exposure:
        """The summed exposure of a set of parties (a group)."""
        values = [self.of(p) for p in parties]
        return Exposure(math.fsum(e.gross for e in values), math.fsum(e.net for e in values))


def compute_exposures(bank: Bank, regime: Regime, facilities: Iterable[Facility],
                      guarantees: Iterable[Relationship]) -> ExposureResult:
    """R7: exposure of every facility and party, gross and net.

    ``guarantees`` are the current relationships; those that are not eligible
    ``GUARANTEES`` are ignored.
    """
    by_facility: dict[str, FacilityExposure] = {}
    per_party: dict[str, list[float]] = defaultdict(list)
    for f in facilities:
        if f.ccf is not None:
            ccf, source = f.ccf, "facility"
        else:
            ccf = regime.ccf_for(f.product)
            source = f"{regime.name} {f.product if f.product in regime.ccf else 'default'}"
        rate = bank.rate(f.currency)
        value = (f.outstanding + ccf * f.undrawn) * rate
        by_facility[f.id] = FacilityExposure(f.id, f.borrower, f.outstanding * rate,
                                             f.undrawn * rate, ccf, source, rate, value)
        per_party[f.borrower].append(value)
    gross = {party: math.fsum(values) for party, values in per_party.items()}

    eligible = [g for g in guarantees if g.type == "GUARANTEES" and g.eligible]
    eligible.sort(key=lambda g: (g.facility is None, g.facility or g.target, g.source))
    facility_left = {f: e.value for f, e in by_facility.items()}
    moved_from: dict[str, list[float]] = defaultdict(list)
    moved_to: dict[str, list[float]] = defaultdict(list)
    substitutions = []
    for g in eligible:
        borrower_left = gross.get(g.target, 0.0) - math.fsum(moved_from[g.target])
        cap = borrower_left if g.facility is None else min(facility_left[g.facility], borrower_left)
        amount = min((g.amount or 0.0) * bank.rate(g.currency), cap)
        if amount <= 0.0:
            continue
        if g.facility is not None:
            facility_left[g.facility] -= amount
        moved_from[g.target].append(amount)
        moved_to[g.source].append(amount)
        substitutions.append(Substitution(g.source, g.target, g.facility, amount, g))

    parties = {}
    for party in set(gross) | set(moved_to):
        g_value = gross.get(party, 0.0)
        net = g_value - math.fsum(moved_from[party]) + math.fsum(moved_to[party])
        parties[party] = Exposure(g_value, max(net, 0.0))
    return ExposureResult(by_facility, parties, substitutions)
