"""Exposure per facility, party and group: R7, and R13-R16 of DESIGN 3b.

A facility's exposure value is split into the six G14 columns of R14
(:mod:`graph.analysis.categories`): its own part (``outstanding``; for an ``off_balance``
item ``ccf x outstanding``) in the column of its category, and its commitment
``ccf x undrawn`` in ``potential``, converted to the base currency. ``ccf`` is the
facility's own, else the regime's default for its product, raised to the regime's
``ccf_floor`` if it has one.

**Before mitigation** (``gross``): a party's exposure is its facilities' values, with the
own parts of ``am_product`` and ``abs`` facilities allocated by look-through (R15,
:mod:`graph.analysis.lookthrough`) to their obligors and the anonymous client.
**After mitigation** (``net``): collateral and eligible guarantees applied (R16,
:mod:`graph.analysis.mitigation`). Each party carries what mitigation took out of it
(``moved_out``, 转出) and brought onto it (``moved_in``, 转入): before = after + out - in.
A party is exempt or not (R13, :mod:`graph.analysis.exemptions`); its whole exposure is.
A group's exposure is the sum over its members; its exposure for the limits, the sum of
its members' non-exempt exposure after mitigation.

Where the results live: :class:`Exposure` (gross, net) per party in
``ExposureResult.parties`` as before; the breakdown (per column before and after,
exempt, moved out and in) as arrays for every party at once in
``ExposureResult.columns`` (:class:`ExposureColumns`), and as a record for one party or
a set of them on request (:meth:`ExposureResult.breakdown_of`,
:meth:`ExposureResult.breakdown_of_parties`); what moved exposure and the rows that moved it
per party by :meth:`ExposureResult.moves_of`. Sums of exposure are exact
(:mod:`graph.analysis.ledger`); a facility's record is built when a caller reads it.

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
>>> [(c.category, c.gross, c.net) for c in result.breakdown_of("A").by_category if c.gross]
[('general', 170.0, 110.0), ('potential', 25.0, 25.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

import numpy as np

from graph.analysis.categories import CATEGORIES, COLUMN, LOOKED_THROUGH, POTENTIAL, column_of
from graph.analysis.exemptions import exempt_parties
from graph.analysis.ledger import Ledger, Move, exact_sums
from graph.analysis.lookthrough import ANONYMOUS, ProductRoles, look_through
from graph.analysis.mitigation import Substitution, mitigate
from schema.errors import AnalysisError
from schema.measure import facility_arrays
from schema.records import Bank, Collateral, Entity, Facility, ProductParty, Relationship, Underlying
from schema.regime import Regime

__all__ = ["CATEGORIES", "CategoryExposure", "Exposure", "ExposureBreakdown", "ExposureColumns",
           "ExposureResult", "FacilityExposure", "Move", "Substitution", "UnknownParty", "compute_exposures"]


class UnknownParty(AnalysisError):
    """An underlying's obligor or a collateral's issuer is not a party of the dataset."""


@dataclass(frozen=True)
class Exposure:
    """Gross (before mitigation) and net (after mitigation: collateral and eligible
    guarantees, R16) exposure."""

    gross: float = 0.0
    net: float = 0.0


@dataclass(frozen=True)
class FacilityExposure:
    """How one facility's exposure value was computed, in base currency: ``value`` is
    ``own`` (in the G14 column of its ``category``) plus ``potential`` (its commitment)."""

    facility: str
    borrower: str
    outstanding: float
    undrawn: float
    ccf: float
    ccf_source: str
    fx_rate: float
    value: float
    category: str = "loan"
    own: float = 0.0
    potential: float = 0.0

    @property
    def column(self) -> str:
        """The G14 column of the facility's own part."""
        return CATEGORIES[COLUMN[self.category]]


@dataclass(frozen=True)
class CategoryExposure:
    """One G14 column of an exposure (R14): before (``gross``) and after (``net``)
    mitigation."""

    category: str
    gross: float
    net: float


@dataclass(frozen=True)
class ExposureBreakdown:
    """The exposure of a party, or a set of parties, by R13-R16, in base currency.

    ``gross`` and ``net`` are before and after mitigation; ``by_category`` both per G14
    column (CATEGORIES order). ``non_exempt`` is the exposure after mitigation of the
    parties that are not exempt, what R8 checks (net regimes); ``exempt_net`` the rest of
    ``net`` (可豁免); ``exempt`` says whether every party of it is exempt.
    ``moved_out`` (转出) and ``moved_in`` (转入) are what mitigation took out and brought in:
    ``gross = net + moved_out - moved_in``.
    """

    gross: float
    net: float
    exempt: bool
    non_exempt: float
    exempt_net: float
    moved_out: float
    moved_in: float
    by_category: tuple[CategoryExposure, ...]

    def category(self, name: str) -> CategoryExposure:
        """The column ``name`` (one of CATEGORIES)."""
        return self.by_category[CATEGORIES.index(name)]


@dataclass(frozen=True)
class ExposureColumns:
    """The breakdown of every party with exposure, as arrays over ``parties`` (the order
    of ``ExposureResult.parties``): ``before`` and ``after`` are ``(n, 6)`` (columns in
    CATEGORIES order), ``gross``, ``net``, ``moved_out``, ``moved_in`` and ``exempt`` one
    entry per party; ``non_exempt`` is ``net`` where the party is not exempt, else 0."""

    parties: list[str]
    before: np.ndarray
    after: np.ndarray
    gross: np.ndarray
    net: np.ndarray
    moved_out: np.ndarray
    moved_in: np.ndarray
    exempt: np.ndarray

    @cached_property
    def index(self) -> dict[str, int]:
        return dict(zip(self.parties, range(len(self.parties)), strict=True))

    @cached_property
    def non_exempt(self) -> np.ndarray:
        return np.where(self.exempt, 0.0, self.net)


class FacilityValues(Mapping[str, FacilityExposure]):
    """Every facility's exposure value as arrays (in input order), and as records by id,
    each built when first read.

    ``own[i]`` is facility ``i``'s own part and ``potential[i]`` its commitment, in base
    currency (R14); ``column[i]`` the G14 column of its own part; ``value = own +
    potential``. ``outstanding`` and ``undrawn`` are in the facility's currency, so
    ``outstanding * rate`` is the record's ``outstanding`` of every facility at once."""

    def __init__(self, facilities: Sequence[Facility], regime: Regime, bank: Bank) -> None:
        self._facilities = facilities
        self._regime = regime
        self._built: dict[int, FacilityExposure] = {}
        # one computation with the loader's check of look-through amounts (schema.measure)
        arrays = facility_arrays(facilities, regime, bank)
        self.own_ccf, self.ccf, self.rate = arrays.own_ccf, arrays.ccf, arrays.rate
        self.outstanding, self.undrawn, self.value = arrays.outstanding, arrays.undrawn, arrays.value
        self.floored, self.own, self.potential = arrays.floored, arrays.own, arrays.potential
        self.categories = list(map(attrgetter("category"), facilities))
        self.column = column_of(self.categories)

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
    def _columns(self) -> tuple[list[float], ...]:
        """The records' numbers as Python floats, converted at once rather than one by one."""
        return ((self.outstanding * self.rate).tolist(), (self.undrawn * self.rate).tolist(),
                self.ccf.tolist(), self.rate.tolist(), self.value.tolist(), self.own.tolist(),
                self.potential.tolist())

    def _record(self, i: int) -> FacilityExposure:
        f = self._facilities[i]
        outstanding, undrawn, ccf, rate, value, own, potential = self._columns
        regime = self._regime
        if self.floored[i]:
            source = f"{regime.name} ccf_floor"
        elif self.own_ccf[i]:
            source = "facility"
        else:
            source = f"{regime.name} {f.product if f.product in regime.ccf else 'default'}"
        return FacilityExposure(f.id, f.borrower, outstanding[i], undrawn[i], ccf[i], source,
                                rate[i], value[i], f.category, own[i], potential[i])

    def __contains__(self, facility: object) -> bool:
        return facility in self.position

    def __iter__(self) -> Iterator[str]:
        return iter(self.position)

    def __len__(self) -> int:
        return len(self.position)


@dataclass
class ExposureResult:
    """Exposure of every facility and party, the moves behind it, and its breakdown."""

    facilities: Mapping[str, FacilityExposure]
    parties: dict[str, Exposure]
    substitutions: list[Substitution]
    moves: list[Move]
    columns: ExposureColumns
    roles: ProductRoles = field(default_factory=lambda: ProductRoles(()))

    def of(self, party: str) -> Exposure:
        return self.parties.get(party, Exposure())

    def of_parties(self, parties: Iterable[str]) -> Exposure:
        """The summed exposure of a set of parties (a group)."""
        values = [self.of(p) for p in parties]
        return Exposure(math.fsum(e.gross for e in values), math.fsum(e.net for e in values))

    @property
    def unidentified(self) -> bool:
        """Whether look-through left exposure to the anonymous client (R15)."""
        return ANONYMOUS in self.parties

    def breakdown_of(self, party: str) -> ExposureBreakdown:
        """The breakdown of one party (all zero for a party without exposure)."""
        return self.breakdown_of_parties((party,))

    def breakdown_of_parties(self, parties: Iterable[str]) -> ExposureBreakdown:
        """The summed breakdown of a set of parties (a group): each figure the exact sum
        of its members'."""
        columns = self.columns
        rows = [k for k in map(columns.index.get, parties) if k is not None]
        asked = len(rows) > 0

        def total(values: np.ndarray) -> float:
            return math.fsum(values[rows].tolist())

        by_category = tuple(CategoryExposure(name, total(columns.before[:, c]), total(columns.after[:, c]))
                            for c, name in enumerate(CATEGORIES))
        exempt = columns.exempt[rows]
        return ExposureBreakdown(
            total(columns.gross), total(columns.net), asked and bool(exempt.all()),
            total(columns.non_exempt), math.fsum(columns.net[rows][exempt].tolist()),
            total(columns.moved_out), total(columns.moved_in), by_category)

    @cached_property
    def _moves_of(self) -> dict[str, list[Move]]:
        found: dict[str, list[Move]] = defaultdict(list)
        for move in self.moves:
            found[move.source].append(move)
            if move.target is not None and move.target != move.source:
                found[move.target].append(move)
        return found

    def moves_of(self, party: str) -> list[Move]:
        """The look-through and mitigation moves out of or onto ``party``, in the order
        they were made: each with the rows that made it (the evidence of R15 and R16)."""
        return list(self._moves_of.get(party, ()))

    def risk_factors_of(self, party: str) -> list[ProductParty]:
        """The products ``party`` has a role in (R15): risk factors, not exposure."""
        return self.roles.of(party)


def compute_exposures(bank: Bank, regime: Regime, facilities: Iterable[Facility],
                      guarantees: Iterable[Relationship], *,
                      entities: Mapping[str, Entity] | None = None,
                      underlyings: Iterable[Underlying] = (), collateral: Iterable[Collateral] = (),
                      product_parties: Iterable[ProductParty] = ()) -> ExposureResult:
    """R7 and R13-R16: exposure of every facility and party, before and after mitigation.

    ``guarantees`` are the current relationships; those that are not ``GUARANTEES`` are
    ignored. ``entities`` give the counterparty classes that decide exemptions (R13) and a
    guarantee's eligibility when its row leaves ``eligible`` empty (R16); without them no
    party is exempt and only explicitly eligible guarantees count.

    Raises
    ------
    UnknownParty
        When ``entities`` are given and an underlying's obligor or a collateral's issuer
        is not among them.
    """
    facilities = facilities if isinstance(facilities, Sequence) else list(facilities)
    values = FacilityValues(facilities, regime, bank)
    rates = values.rate.tolist()
    kept = values.own.copy()
    underlyings = underlyings if isinstance(underlyings, Sequence) else list(underlyings)
    looked = look_through(facilities, values.own, rates, underlyings, bank, regime) if underlyings or any(
        c in LOOKED_THROUGH for c in dict.fromkeys(values.categories)) else None
    if looked is not None:
        kept[looked.positions] = looked.kept
    mitigation, substitutions = mitigate(facilities, kept, values.potential, rates, collateral,
                                         guarantees, bank, regime, entities, column=values.column,
                                         position=lambda: values.position)
    moved = looked.moves if looked is not None else []
    if entities is not None:
        stray = next((m for m in (*moved, *mitigation) if m.kind != "guarantee"
                      and m.target not in (None, ANONYMOUS) and m.target not in entities), None)
        if stray is not None:
            raise UnknownParty(f"{'an underlying' if stray.kind == 'look_through' else 'collateral'} "
                               f"of facility {stray.facility!r} names {stray.target!r}: no such party")

    names = dict.fromkeys(map(attrgetter("borrower"), facilities))
    names.update(dict.fromkeys(m.target for m in moved))
    names.update(dict.fromkeys(m.target for m in mitigation if m.target is not None))
    parties = list(names)
    number = dict(zip(parties, range(len(parties)), strict=True))
    n = len(parties)
    borrower = np.fromiter(map(number.__getitem__, map(attrgetter("borrower"), facilities)),
                           dtype=np.int64, count=len(facilities))

    before = Ledger()
    before.add(borrower, values.column, kept)
    commits = np.flatnonzero(values.potential != 0.0)
    before.add(borrower[commits], np.full(len(commits), POTENTIAL), values.potential[commits])
    _add_moves(before, moved, number, taken=False)   # their sources hold only what they kept
    out_keys = np.array([number[m.source] for m in mitigation], dtype=np.int64)
    in_moves = [m for m in mitigation if m.target is not None]
    in_keys = np.array([number[m.target] for m in in_moves], dtype=np.int64)
    by_column, gross = before.sums(n)
    if mitigation:
        after_by_column, net = before.extend(_add_moves(Ledger(), mitigation, number)).sums(n)
        net = np.maximum(net, 0.0)
    else:
        # nothing mitigates: after is before (most of a large book's parties, summed once)
        net, after_by_column = np.maximum(gross, 0.0), by_column
    columns = ExposureColumns(
        parties, by_column, after_by_column, gross, net,
        exact_sums(out_keys, np.array([m.amount for m in mitigation]), n),
        exact_sums(in_keys, np.array([m.amount for m in in_moves]), n),
        exempt_parties(parties, entities, regime))
    exposures = dict(zip(parties, map(Exposure, gross.tolist(), net.tolist()), strict=True))
    return ExposureResult(values, exposures, substitutions, moved + mitigation, columns,
                          ProductRoles(product_parties))


def _add_moves(ledger: Ledger, moves: Sequence[Move], number: Mapping[str, int], *,
               taken: bool = True) -> Ledger:
    """Each move as a positive entry at its target (unless it is a reduction) and, when
    ``taken``, a negative one at its source, in its G14 column."""
    if moves:
        column = np.array([CATEGORIES.index(m.category) for m in moves], dtype=np.int64)
        amount = np.array([m.amount for m in moves])
        if taken:
            ledger.add(np.array([number[m.source] for m in moves], dtype=np.int64), column, -amount)
        onto = [k for k, m in enumerate(moves) if m.target is not None]
        ledger.add(np.array([number[moves[k].target] for k in onto], dtype=np.int64), column[onto],
                   amount[onto])
    return ledger
