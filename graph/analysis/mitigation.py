"""Credit risk mitigation (rule R16, DESIGN 3b; R7 for guarantees).

Exposure after mitigation (net) starts from exposure before it (gross, after look-through)
and applies, per facility, in this order, each step capped by what the steps before it left
of the facility:

1. reducing collateral (the regime's ``mitigation.reducing_collateral``; CN-2018 and BASEL:
   ``cash``, ``deposit``, ``gold``): the exposure falls by the collateral's value;
2. substituting collateral (``mitigation.substituting_collateral``: ``gov_bond``,
   ``central_bank_bill``, ``policy_bank_bond``, ``bank_bond``): the amount moves to the
   collateral's ``issuer``;
3. eligible guarantees (R7): the amount moves to the guarantor. A guarantee row's explicit
   ``eligible`` (true or false) decides; an empty one means eligible when the guarantor's
   class is in ``mitigation.guarantor_classes`` (CN-2018: sovereign, central bank, policy
   bank, public sector, bank).

Physical collateral (``real_estate``, ``receivables``, ``equity``, ``other``: any kind the
regime does not list) is never recognised. A facility never moves more than its own
exposure value. Decisions where DESIGN is silent:

* Mitigation acts on the part of a facility its borrower holds: for a looked-through
  product (R15), what stayed with the product; what went to obligors is not mitigated.
* A step takes from the facility's own G14 column first, then from its commitment
  (``potential``): collateral and guarantees secure the drawn balance first. What moves
  lands at the issuer or guarantor in the same column.
* Collateral values are in the row's ``currency``, else the facility's; guarantee amounts in
  the row's ``currency``, else the base currency (as R7). Rows of one facility go in input
  order; guarantees naming a facility first (by facility id, then guarantor id), then those
  naming none (by borrower, then guarantor), which take from the borrower's facilities in
  input order, so, as in R7, never more than the borrower's exposure.
* Only the borrower's own exposure is mitigated: what a party took over by substitution is
  not passed on again by a guarantee of its own.

>>> from schema.records import Bank, Collateral, Facility, Relationship
>>> from schema.regime import load_regime
>>> bank = Bank("B", "CNY", 1000.0, 1200.0)
>>> facilities = [Facility("F1", "A", 100.0)]
>>> collateral = [Collateral("F1", "cash", 30.0), Collateral("F1", "real_estate", 50.0),
...               Collateral("F1", "gov_bond", 50.0, issuer="MOF")]
>>> guarantee = Relationship("GUARANTEES", "G", "A", amount=40.0, facility="F1", eligible=True)
>>> moves, _ = mitigate(facilities, np.array([100.0]), np.array([0.0]), [1.0], collateral,
...                     [guarantee], bank, load_regime("CN-2018"))
>>> [(m.kind, m.target, m.amount) for m in moves]    # 30 reduced, 50 to MOF, 20 left for G
[('reduction', None, 30.0), ('substitution', 'MOF', 50.0), ('guarantee', 'G', 20.0)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from graph.analysis.categories import CATEGORIES, POTENTIAL, column_of
from graph.analysis.ledger import Move
from schema.errors import AnalysisError
from schema.records import Bank, Collateral, Entity, Facility, Relationship
from schema.regime import Regime

__all__ = ["Substitution", "UnknownCollateral", "guarantee_is_eligible", "mitigate"]


class UnknownCollateral(AnalysisError):
    """A collateral row names a facility the dataset does not have."""


@dataclass(frozen=True)
class Substitution:
    """Exposure moved from ``borrower`` to ``guarantor`` by an eligible guarantee."""

    guarantor: str
    borrower: str
    facility: str | None
    amount: float
    guarantee: Relationship


def guarantee_is_eligible(guarantee: Relationship, regime: Regime,
                          entities: Mapping[str, Entity] | None) -> bool:
    """R16: the row's explicit ``eligible``, else whether the guarantor's class is one of
    the regime's ``guarantor_classes`` (a guarantor ``entities`` does not hold: not)."""
    if guarantee.eligible is not None:
        return guarantee.eligible
    entity = entities.get(guarantee.source) if entities is not None else None
    if entity is None:
        return False
    cls = regime.class_of(entity.kind, entity.is_bank, entity.counterparty_class)
    return cls in regime.mitigation.get("guarantor_classes", ())


class _Left:
    """What each facility has left to mitigate, per column (its own and ``potential``)."""

    def __init__(self, own: np.ndarray, potential: np.ndarray, column: np.ndarray) -> None:
        self.own, self.potential = own.tolist(), potential.tolist()
        self.column = column.tolist()

    def total(self, i: int) -> float:
        return self.own[i] + self.potential[i]

    def take(self, i: int, amount: float) -> list[tuple[str, float]]:
        """Take up to ``amount`` from facility ``i``, own column first: the parts taken."""
        parts = []
        for column, values in ((self.column[i], self.own), (POTENTIAL, self.potential)):
            part = min(amount, values[i])
            if part > 0.0:
                values[i] -= part
                amount -= part
                parts.append((CATEGORIES[column], part))
        return parts


def mitigate(facilities: Sequence[Facility], own: np.ndarray, potential: np.ndarray,
             rates: Sequence[float], collateral: Iterable[Collateral],
             guarantees: Iterable[Relationship], bank: Bank, regime: Regime,
             entities: Mapping[str, Entity] | None = None, *, column: np.ndarray | None = None,
             position: Callable[[], Mapping[str, int]] | None = None
             ) -> tuple[list[Move], list[Substitution]]:
    """R16 on every facility: the moves (one per step and G14 column) and, for the
    guarantees, one :class:`Substitution` each (R7's record of it).

    ``own`` and ``potential`` are what each facility's borrower holds of it, per column,
    in base currency; ``rates`` each facility's currency rate. ``column`` (the G14 column
    of each facility's own part) and ``position`` (gives each facility id's position) save
    reading the facilities again when the caller has them.

    Raises
    ------
    UnknownCollateral
        For collateral of a facility not in ``facilities``.
    """
    collateral = list(collateral)
    eligible = [g for g in guarantees
                if g.type == "GUARANTEES" and guarantee_is_eligible(g, regime, entities)]
    if not collateral and not eligible:
        return [], []
    position = position() if position is not None else {f.id: i for i, f in enumerate(facilities)}
    if column is None:
        column = column_of([f.category for f in facilities])
    left = _Left(own, potential, column)
    moves: list[Move] = []
    reducing = set(regime.mitigation.get("reducing_collateral", ()))
    substituting = set(regime.mitigation.get("substituting_collateral", ()))

    def move(kind: str, i: int, target: str | None, amount: float, row: object) -> float:
        f = facilities[i]
        parts = left.take(i, min(amount, left.total(i)))
        for category, part in parts:
            moves.append(Move(kind, f.id, f.borrower, target, category, part, (row,)))
        return math.fsum(part for _, part in parts)

    by_facility: dict[int, list[Collateral]] = defaultdict(list)
    for c in collateral:
        if c.facility not in position:
            raise UnknownCollateral(f"collateral of facility {c.facility!r}: no such facility")
        by_facility[position[c.facility]].append(c)
    for i, rows in sorted(by_facility.items()):
        rate = rates[i]
        for kinds, kind in ((reducing, "reduction"), (substituting, "substitution")):
            for c in rows:
                if c.kind in kinds and (kind == "reduction" or c.issuer is not None):
                    value = c.value * (bank.rate(c.currency) if c.currency is not None else rate)
                    move(kind, i, None if kind == "reduction" else c.issuer, value, c)

    eligible.sort(key=lambda g: (g.facility is None, g.facility or g.target, g.source))
    borrowed: dict[str, list[int]] = {}
    wanted = {g.target for g in eligible if g.facility is None}
    if wanted:
        for i, f in enumerate(facilities):
            if f.borrower in wanted:
                borrowed.setdefault(f.borrower, []).append(i)
    substitutions = []
    for g in eligible:
        amount = (g.amount or 0.0) * bank.rate(g.currency)
        if g.facility is not None:
            moved = move("guarantee", position[g.facility], g.source, amount, g)
        else:
            taken = []
            for i in borrowed.get(g.target, ()):
                if amount - math.fsum(taken) <= 0.0:
                    break
                taken.append(move("guarantee", i, g.source, amount - math.fsum(taken), g))
            moved = math.fsum(taken)
        if moved > 0.0:
            substitutions.append(Substitution(g.source, g.target, g.facility, moved, g))
    return moves, substitutions
