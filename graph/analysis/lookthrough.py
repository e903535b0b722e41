"""Look-through of asset-management products and securitisations (rule R15, DESIGN 3b).

For a facility F of category ``am_product`` or ``abs``, its own part (``outstanding``, the
``specific`` column of R14) is allocated by its ``underlyings`` rows:

* a known obligor whose rows of F add up to at least ``look_through_threshold`` x tier 1
  (CN-2018: 0.15%, BASEL: 0.25%) is an exposure to that obligor (it counts in the
  obligor's group);
* known obligors below that stay an exposure to F's borrower (the product itself);
* the rest, rows without an obligor and whatever the rows leave unallocated, is an exposure
  to the anonymous client ``ANONYMOUS``; a facility with no rows is entirely unidentified.

F's commitment (``ccf x undrawn``, ``potential``) stays with its borrower. Decisions where
DESIGN is silent: a row's amount is in its ``currency``, else in F's; rows are read in
input order, each capped by what the rows before left of F's own part (the loader refuses
rows above F's value, so the cap only bites where the commitment made room for them).

**The anonymous client.** It is one party per bank, id ``ANONYMOUS`` (:data:`ANONYMOUS`),
named ``匿名客户 (anonymous client)``: a company of class ``corporate`` with no links, so
it is checked as a single non-interbank party and is a group of one. When some exposure of
a dataset is unidentified, :func:`graph.analysis.analyse` adds it to the parties the rules
read: ``Analysis.dataset.entities`` holds its record (:func:`anonymous_client`) beside the
dataset's own, the groups hold its group of one, so limit checks, large exposures, reports
and the API see it like any party. A dataset that has a party ``ANONYMOUS`` of its own
keeps that record. A dataset with nothing unidentified has no such party.

**Product parties** (``product_parties``: manager, originator, liquidity provider of a
product) are additional risk factors of that party, not exposure: :class:`ProductRoles`
lists them per party.

>>> from schema.records import Bank, Facility, Underlying
>>> from schema.regime import load_regime
>>> bank = Bank("B", "CNY", tier1_capital=1000.0, net_capital=1200.0)
>>> fund = [Facility("F1", "FUND", 10.0, category="am_product")]
>>> rows = [Underlying("F1", 1.5, obligor="X"), Underlying("F1", 1.49, obligor="Y")]
>>> result = look_through(fund, np.array([10.0]), [1.0], rows, bank, load_regime("CN-2018"))
>>> result.kept.tolist()                # Y's 1.49 is below 0.15% x 1,000 = 1.5
[1.49]
>>> [(m.target, round(m.amount, 2)) for m in result.moves]
[('X', 1.5), ('ANONYMOUS', 7.01)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from graph.analysis.categories import LOOKED_THROUGH
from graph.analysis.ledger import Move
from schema.errors import AnalysisError
from schema.records import Bank, Dataset, Entity, Facility, ProductParty, Underlying
from schema.regime import Regime

__all__ = ["ANONYMOUS", "ANONYMOUS_NAME", "DatasetWithAnonymous", "LookThrough", "ProductRoles",
           "UnknownUnderlying", "anonymous_client", "look_through", "with_anonymous"]

ANONYMOUS = "ANONYMOUS"
ANONYMOUS_NAME = "匿名客户 (anonymous client)"
_TOLERANCE = 1e-12


class UnknownUnderlying(AnalysisError):
    """An underlying row names a facility that is not there or is not looked through."""


def anonymous_client() -> Entity:
    """The record of the anonymous client: a company of no class, so ``corporate``."""
    return Entity(ANONYMOUS, ANONYMOUS_NAME, "company", origin="R15 (look-through)")


@dataclass(frozen=True)
class DatasetWithAnonymous(Dataset):
    """A dataset and the anonymous client: what :func:`graph.analysis.analyse` reads when
    some exposure is unidentified. Its ``version`` is the version of ``source``, the dataset
    as loaded, since the anonymous client is the rules' party, not the input's."""

    source: Dataset | None = None

    @cached_property
    def version(self) -> str:
        assert self.source is not None
        return self.source.version


def with_anonymous(dataset: Dataset) -> Dataset:
    """``dataset`` with the anonymous client among its entities (last), unless it has a
    party ``ANONYMOUS`` already."""
    if ANONYMOUS in dataset.entities:
        return dataset
    return DatasetWithAnonymous(
        dataset.bank, {**dataset.entities, ANONYMOUS: anonymous_client()}, dataset.relationships,
        dataset.facilities, dataset.declared_groups, dataset.underlyings, dataset.collateral,
        dataset.product_parties, source=dataset)


@dataclass(frozen=True)
class LookThrough:
    """What R15 made of the looked-through facilities.

    ``positions`` are their positions in the facility list and ``kept`` the part of each
    one's own part that stays with its borrower; ``moves`` the parts that went to obligors
    and to the anonymous client (category ``specific``), with their rows.
    """

    positions: np.ndarray
    kept: np.ndarray
    moves: list[Move]

    @property
    def unidentified(self) -> bool:
        """Whether some exposure went to the anonymous client."""
        return any(m.target == ANONYMOUS for m in self.moves)


def look_through(facilities: Sequence[Facility], own: np.ndarray, rates: Sequence[float],
                 underlyings: Iterable[Underlying], bank: Bank, regime: Regime) -> LookThrough:
    """R15 on every ``am_product`` and ``abs`` facility; ``own`` is each facility's own
    part and ``rates`` its currency's rate, in base currency.

    Raises
    ------
    UnknownUnderlying
        For a row of a facility that is not in ``facilities`` or not of those categories.
    """
    positions = np.array([i for i, f in enumerate(facilities) if f.category in LOOKED_THROUGH],
                         dtype=np.int64)
    rows_of: dict[str, list[Underlying]] = defaultdict(list)
    for u in underlyings:
        rows_of[u.facility].append(u)
    if rows_of:
        looked = {facilities[i].id for i in positions.tolist()}
        stray = next((f for f in rows_of if f not in looked), None)
        if stray is not None:
            raise UnknownUnderlying(f"underlyings of facility {stray!r}: expected an am_product or "
                                    f"abs facility of the dataset")
    level = regime.look_through_threshold
    kept = np.zeros(len(positions))
    moves: list[Move] = []
    for k, i in enumerate(positions.tolist()):
        f = facilities[i]
        whole = float(own[i])
        left = whole
        allocated: dict[str, list[float]] = defaultdict(list)
        rows: dict[str, list[Underlying]] = defaultdict(list)
        unknown: list[Underlying] = []
        for u in rows_of.get(f.id, ()):
            rate = bank.rate(u.currency) if u.currency is not None else rates[i]
            amount = max(min(u.amount * rate, left), 0.0)
            left -= amount
            if u.obligor is None:
                unknown.append(u)
            else:
                allocated[u.obligor].append(amount)
                rows[u.obligor].append(u)
        stays = []
        for obligor, amounts in allocated.items():
            total = math.fsum(amounts)
            if obligor != f.borrower and total / bank.tier1_capital >= level - _TOLERANCE:
                moves.append(Move("look_through", f.id, f.borrower, obligor, "specific", total,
                                  tuple(rows[obligor])))
            else:
                stays.append(total)
        identified = math.fsum(a for amounts in allocated.values() for a in amounts)
        rest = max(whole - identified, 0.0)
        if rest > 0.0:
            moves.append(Move("look_through", f.id, f.borrower, ANONYMOUS, "specific", rest,
                              tuple(unknown)))
        kept[k] = math.fsum(stays)
    return LookThrough(positions, kept, moves)


class ProductRoles:
    """The products each party has a role in (manager, originator, liquidity provider):
    additional risk factors of that party, not exposure (R15).

    >>> roles = ProductRoles([ProductParty("F1", "M", "manager")])
    >>> [(p.facility, p.role) for p in roles.of("M")], roles.of("X")
    ([('F1', 'manager')], [])
    """

    def __init__(self, rows: Iterable[ProductParty]) -> None:
        self._of: Mapping[str, list[ProductParty]] = defaultdict(list)
        for row in rows:
            self._of[row.party].append(row)

    def of(self, party: str) -> list[ProductParty]:
        """The product-party rows naming ``party``, in input order."""
        return list(self._of.get(party, ()))

    def __bool__(self) -> bool:
        return bool(self._of)
