"""The portfolio being written: its tables, counters and reservoirs, and the relationship rows.

A :class:`Book` holds the CSV tables of the data contract (:class:`Table`, columns from the
model), the random draws, the id counters, the relationship counts, a few bounded
reservoirs of recent ids for links between clusters, and the largest exposures for tier 1.
The other modules of the generator write into it: parties (:mod:`.parties`), facilities
(:mod:`.facilities`), clusters (:mod:`.clusters`) and the links between them (:mod:`.links`).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from loaders.synthetic.calibration import LargestExposures
from loaders.synthetic.draws import Rand
from schema.model import load_model

__all__ = ["COLLATERAL_COLUMNS", "ENTITY_COLUMNS", "FACILITY_COLUMNS", "GROUP_COLUMNS",
           "PRODUCT_PARTY_COLUMNS", "RELATIONSHIP_COLUMNS", "RELATIONSHIP_TYPES", "TABLES",
           "UNDERLYING_COLUMNS", "Anchor", "Book", "Claim", "Co", "Table", "money",
           "share_text"]

_MODEL = load_model()
ENTITY_COLUMNS = _MODEL.contract_columns("entities")
RELATIONSHIP_COLUMNS = _MODEL.contract_columns("relationships")
FACILITY_COLUMNS = _MODEL.contract_columns("facilities")
GROUP_COLUMNS = _MODEL.contract_columns("groups")
UNDERLYING_COLUMNS = _MODEL.contract_columns(_MODEL.nodes["Underlying"].file)
COLLATERAL_COLUMNS = _MODEL.contract_columns(_MODEL.nodes["Collateral"].file)
PRODUCT_PARTY_COLUMNS = _MODEL.contract_columns(_MODEL.nodes["ProductParty"].file)
RELATIONSHIP_TYPES = _MODEL.contract_relationship_types
"""Column names of the tables, in the order written, and the relationship types: the data
contract of the model (``Model.contract_columns``), its extensions left out."""

TABLES = {"entities": ENTITY_COLUMNS, "relationships": RELATIONSHIP_COLUMNS,
          "facilities": FACILITY_COLUMNS, "groups": GROUP_COLUMNS,
          _MODEL.nodes["Underlying"].file: UNDERLYING_COLUMNS,
          _MODEL.nodes["Collateral"].file: COLLATERAL_COLUMNS,
          _MODEL.nodes["ProductParty"].file: PRODUCT_PARTY_COLUMNS}
"""Every CSV table the generator writes (file stem to columns), the model's file names."""


class Table:
    """One CSV file of the data contract: the header, then rows given by column name (a
    column not given is empty), so rows follow the model's columns whatever their order."""

    __slots__ = ("_empty", "_writer")

    def __init__(self, handle: IO[str], columns: Sequence[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._writer.writerow(columns)
        self._empty = dict.fromkeys(columns, "")

    def row(self, **cells: str) -> None:
        # merged in C, in the header's order (a loop over the cells made the run a fifth slower)
        row = {**self._empty, **cells}
        if len(row) != len(self._empty):
            raise KeyError(f"not a column: {', '.join(sorted(cells.keys() - self._empty.keys()))}")
        self._writer.writerow(row.values())


def money(x: float) -> str:
    return f"{x:.2f}"


def share_text(bp: int, style: float) -> str:
    """A share of ``bp`` basis points, as a fraction (``0.355``) or a percentage (``35.5%``)."""
    if style < 0.55:
        return f"{bp // 10000}.{bp % 10000:04d}".rstrip("0").rstrip(".")
    text = f"{bp // 100}.{bp % 100:02d}".rstrip("0").rstrip(".")
    return text + (" %" if style > 0.97 else "%")


@dataclass(slots=True)
class Co:
    """A company of the cluster being built (discarded when the cluster is done)."""

    id: str
    name: str
    depth: int
    controlled: bool
    net_assets: float
    parent: Co | None = None
    children: int = 0
    held: int = 0
    outside: int = 0
    holders: set[str] = field(default_factory=set)
    managers: set[str] = field(default_factory=set)
    facilities: list[tuple[str, float]] = field(default_factory=list)
    exposure: float = 0.0


Anchor = tuple[int, str, tuple[str, float] | None, float]
"""A company of an earlier cluster that later clusters link to: (cluster number, company id,
(facility id, exposure) or None, net assets)."""

Claim = tuple[str, float]
"""A company borrower drawn for a claim beyond its loans (:func:`.facilities.other_claims`):
(its id, the exposure in CNY of the facility it was drawn with)."""


class Book:
    """One portfolio being written: the tables, counters and small reservoirs of recent ids."""

    def __init__(self, tables: dict[str, Table], parties: int, seed: int, as_of: date) -> None:
        self.r = Rand(seed)
        # the draws of what DESIGN 3b added (classes, ratings, categories, collateral, the
        # state, products): a stream of their own, so that the rows written before 3b keep
        # their draws and stay as they were
        self.r2 = Rand((seed, 3))
        self.ent = tables["entities"]
        self.rel = tables["relationships"]
        self.fac = tables["facilities"]
        self.grp = tables["groups"]
        self.und = tables[_MODEL.nodes["Underlying"].file]
        self.col = tables[_MODEL.nodes["Collateral"].file]
        self.pps = tables[_MODEL.nodes["ProductParty"].file]
        self.as_of = as_of
        self.parties = parties
        width = max(6, len(str(parties)))
        self.company_fmt = f"C{{:0{width}d}}"
        self.person_fmt = f"P{{:0{width}d}}"
        self.vehicle_fmt = f"V{{:0{width}d}}"
        self.facility_fmt = f"F{{:0{max(6, len(str(4 * parties)))}d}}"
        self.group_fmt = f"G{{:0{width}d}}"
        self.n_companies = 0
        self.n_persons = 0
        self.n_special = 0          # the state's parties and the non-bank FIs
        self.n_vehicles = 0         # the product vehicles
        self.n_facilities = 0
        self.n_groups = 0
        self.n_members = 0
        self.n_clusters = 0
        self.n_underlyings = 0
        self.n_collateral = 0
        self.n_product_parties = 0
        self.categories: dict[str, int] = {}
        self.counts = dict.fromkeys(RELATIONSHIP_TYPES, 0)
        self.banks = [f"B{i:04d}" for i in range(1, 3 + min(parties // 50_000, 9000))]
        # reservoirs of recent ids for links between clusters (bounded, never the whole book)
        self.anchors: deque[Anchor] = deque(maxlen=64)
        self.controllers: deque[tuple[int, str]] = deque(maxlen=32)
        self.standalone: deque[str] = deque(maxlen=32)
        self.cross_guarantees: set[tuple[str, str]] = set()
        self.largest = LargestExposures()
        # a uniform sample of company borrowers over the whole book (reservoir sampling, a
        # few per hundred parties) for the derivatives and off-balance items written last
        self.claims: list[Claim] = []
        self.claims_wanted = 8 + parties // 30
        self.claims_seen = 0
        # named parties of the showcase that the holdings written last refer to
        self.featured: dict[str, str] = {}

    def note_claim(self, borrower: str, exposure: float) -> None:
        """Offer a company's facility to the sample of :attr:`claims` (Algorithm R: each
        offered one is kept with the same probability)."""
        self.claims_seen += 1
        if len(self.claims) < self.claims_wanted:
            self.claims.append((borrower, exposure))
            return
        at = self.r2.below(self.claims_seen)
        if at < self.claims_wanted:
            self.claims[at] = (borrower, exposure)

    def day(self, lo: int, hi: int, r: Rand | None = None) -> str:
        """An ISO date from ``lo`` to ``hi`` days before ``as_of``."""
        return date.fromordinal(self.as_of.toordinal()
                                - (r or self.r).between(lo, hi)).isoformat()

    def facility(self, borrower: str, outstanding: float, undrawn: float, *, product: str,
                 currency: str, category: str, ccf: str = "") -> str:
        """Write one facility under the next id; return the id."""
        self.n_facilities += 1
        self.categories[category] = self.categories.get(category, 0) + 1
        fid = self.facility_fmt.format(self.n_facilities)
        self.fac.row(id=fid, borrower=borrower, outstanding=money(outstanding),
                     undrawn=money(undrawn), ccf=ccf, product=product, currency=currency,
                     category=category)
        return fid

    def link(self, type_: str, source: str, target: str, **cells: str) -> None:
        """A relationship row; ``cells`` are its other columns by name."""
        self.rel.row(type=type_, source=source, target=target, **cells)
        self.counts[type_] += 1

    def owns(self, source: str, co: Co, bp: int, *, outside: bool,
             historical: bool = False, r: Rand | None = None) -> None:
        """An OWNS row of ``bp`` basis points into ``co``, its cells drawn from ``r`` (the
        book's main draws by default)."""
        r = r or self.r
        co.held += bp
        if outside:
            co.outside += bp
        co.holders.add(source)
        valid_from = valid_to = ""
        if historical:
            valid_from, valid_to = self.day(2200, 4000, r), self.day(60, 2000, r)
        elif r.chance(0.15):
            valid_from = self.day(30, 4000, r)
        self.link("OWNS", source, co.id, share=share_text(bp, r.u()),
                  valid_from=valid_from, valid_to=valid_to,
                  source_ref="register" if r.chance(0.8) else "annual_report")

    def manages(self, person: str, co: Co, role: str, *, historical: bool = False) -> None:
        if person in co.managers:
            return
        co.managers.add(person)
        valid_from = valid_to = ""
        if historical:
            valid_from, valid_to = self.day(2200, 4000), self.day(60, 2000)
        self.link("MANAGES", person, co.id, role=role, valid_from=valid_from,
                  valid_to=valid_to, source_ref="register")

    def guarantees(self, source: str, target: str, facility: tuple[str, float] | None,
                   amount: float, *, eligible: bool) -> None:
        r = self.r
        valid_from = valid_to = ""
        if r.chance(0.04):
            valid_from, valid_to = self.day(1500, 3000), self.day(30, 1400)
        elif r.chance(0.3):
            valid_from = self.day(30, 1400)
        self.link("GUARANTEES", source, target, amount=money(max(amount, 10_000.0)),
                  facility=facility[0] if facility else "",
                  eligible="true" if eligible else "false", valid_from=valid_from,
                  valid_to=valid_to, source_ref="credit_file")

    def cross_guarantee(self, source: str, target: str, facility: tuple[str, float] | None,
                        amount: float, eligible: bool = False) -> bool:
        """A guarantee between clusters, at most one from ``source`` to ``target``; False
        when there is one already (or the two are one party)."""
        if source == target or (source, target) in self.cross_guarantees:
            return False
        self.cross_guarantees.add((source, target))
        self.guarantees(source, target, facility, amount, eligible=eligible)
        return True
