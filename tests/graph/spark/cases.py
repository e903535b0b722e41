"""The hand-computed cases of the embedded engine's tests (tests/graph/analysis), as one
book: each case's party ids are prefixed with its name, so that the cases stay apart and
one Spark run answers them all (a run per case would cost a Spark job chain each)."""

from __future__ import annotations

from dataclasses import replace

from schema.records import Collateral, Dataset, Entity, Underlying
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import BANK

STATE = {"SASAC": {"counterparty_class": "state_asset_agency"}}


def owns(a, b, share):
    return R("OWNS", a, b, share=share)


# name: (relationships, facilities, entity fields, collateral, underlyings); the source test
CASES = {
    # test_control.py
    "chain": ([owns("A", "B", 0.6), owns("B", "C", 0.7)], [], {}, [], []),
    "multipath": (
        [owns("A", "B1", 1.0), owns("A", "B2", 0.8), owns("B1", "C", 0.2), owns("B2", "C", 0.4)],
        [],
        {},
        [],
        [],
    ),
    "half": ([owns("A", "B", 0.5)], [], {}, [], []),
    "floathalf": (
        [
            owns("A", "X", 1.0),
            owns("A", "Y", 1.0),
            owns("A", "T", 0.1),
            owns("X", "T", 0.2),
            owns("Y", "T", 0.2),
        ],
        [],
        {},
        [],
        [],
    ),
    "family": (
        [
            owns("P1", "C", 0.3),
            owns("P2", "C", 0.25),
            owns("P3", "C", 0.45),
            R("RELATIVE_OF", "P1", "P2", relation="spouse"),
        ],
        [],
        {},
        [],
        [],
    ),
    "controls": ([R("CONTROLS", "A", "B", basis="agreement"), owns("B", "C", 0.6)], [], {}, [], []),
    "design": (
        [
            R("RELATIVE_OF", "P1", "P2", relation="spouse"),
            owns("P1", "C1", 0.40),
            owns("P2", "C1", 0.15),
            owns("C1", "C2", 0.60),
            owns("C1", "C3", 0.30),
            owns("C2", "C3", 0.25),
        ],
        [],
        {},
        [],
        [],
    ),
    "ring": ([owns("C1", "C2", 0.6), owns("C2", "C1", 0.6), owns("C2", "C3", 0.7)], [], {}, [], []),
    "families": (
        [
            R("RELATIVE_OF", "P1", "P2", relation="spouse"),
            R("RELATIVE_OF", "P2", "P3", relation="child"),
            R("RELATIVE_OF", "P4", "P5", relation="other"),
            owns("P3", "C", 0.6),
        ],
        [],
        {},
        [],
        [],
    ),
    # test_groups.py
    "dependence": (
        [R("DEPENDS_ON", "A", "B", share=0.5), R("DEPENDS_ON", "C", "D", share=0.49)],
        [],
        {},
        [],
        [],
    ),
    "persons": (
        [
            R("RELATIVE_OF", "P1", "P2", relation="sibling"),
            owns("P2", "C1", 0.8),
            owns("C1", "C2", 0.3),
            R("DEPENDS_ON", "C3", "C1", share=0.7),
        ],
        [],
        {},
        [],
        [],
    ),
    "managers": (
        [R("MANAGES", "P1", "C1", role="ceo"), R("GUARANTEES", "C1", "C2", amount=10.0)],
        [],
        {},
        [],
        [],
    ),
    "state": (
        [
            owns("SASAC", "C1", 0.6),
            owns("SASAC", "C2", 0.7),
            owns("C1", "C3", 0.55),
            R("DEPENDS_ON", "C2", "C1", share=0.6),
        ],
        [],
        STATE,
        [],
        [],
    ),
    "sovereign": (
        [
            R("CONTROLS", "GOV", "C5", basis="agreement"),
            owns("C5", "C6", 0.8),
            R("DEPENDS_ON", "C7", "GOV", share=0.9),
        ],
        [],
        {"GOV": {"counterparty_class": "sovereign"}},
        [],
        [],
    ),
    # test_exposure.py and the doctests of graph.analysis.exposure, mitigation, lookthrough
    "values": (
        [],
        [
            F("F1", "A", 100.0, undrawn=40.0, ccf=0.25),
            F("F2", "A", 10.0, undrawn=10.0, ccf=0.5, currency="USD"),
            F("F3", "A", 0.0, undrawn=100.0, product="trade_finance"),
        ],
        {},
        [],
        [],
    ),
    "guarantee": (
        [R("GUARANTEES", "G", "A", amount=130.0, facility="F1", eligible=True)],
        [F("F1", "A", 100.0), F("F2", "A", 50.0)],
        {},
        [],
        [],
    ),
    "capped": (
        [
            R("GUARANTEES", "G1", "A", amount=50.0, eligible=True),
            R("GUARANTEES", "G2", "A", amount=50.0, eligible=True),
            R("GUARANTEES", "G3", "A", amount=50.0),
        ],
        [F("F1", "A", 80.0)],
        {},
        [],
        [],
    ),
    "fxguarantee": (
        [R("GUARANTEES", "G", "A", amount=10.0, currency="USD", eligible=True)],
        [F("F1", "A", 100.0)],
        {},
        [],
        [],
    ),
    "across": (
        [
            owns("A", "B", 0.6),
            R("GUARANTEES", "X", "B", amount=40.0, eligible=True),
            R("GUARANTEES", "A", "B", amount=10.0, eligible=True),
        ],
        [F("F1", "A", 100.0), F("F2", "B", 60.0, undrawn=20.0, ccf=0.5), F("F3", "X", 5.0)],
        {},
        [],
        [],
    ),
    "bankguarantor": (
        [R("GUARANTEES", "BK", "A", amount=30.0)],
        [F("F1", "A", 100.0)],
        {"BK": {"is_bank": True}},
        [],
        [],
    ),
    "collateral": (
        [R("GUARANTEES", "G", "A", amount=40.0, facility="F1", eligible=True)],
        [F("F1", "A", 100.0)],
        {"MOF": {"counterparty_class": "sovereign"}},
        [
            Collateral("F1", "cash", 30.0),
            Collateral("F1", "real_estate", 50.0),
            Collateral("F1", "gov_bond", 50.0, issuer="MOF"),
        ],
        [],
    ),
    # graph.risk.limits' doctest: B 11% and C 10% of tier 1, C's loans 8.33% of net capital
    "limits": (
        [owns("A", "B", 0.6), owns("A", "C", 0.6)],
        [F("F1", "B", 110.0, product="trade_finance"), F("F2", "C", 100.0)],
        {},
        [],
        [],
    ),
    "lookthrough": (
        [],
        [F("F1", "FUND", 10.0, category="am_product"), F("F2", "ABS", 5.0, category="abs")],
        {"X": {}, "Y": {}},
        [],
        [Underlying("F1", 1.5, obligor="X"), Underlying("F1", 1.49, obligor="Y")],
    ),
}


def book(cases: dict = CASES) -> Dataset:
    """Every case in one dataset, ids prefixed ``NAME.`` (persons keep a ``P`` after it)."""
    entities: dict[str, Entity] = {}
    relationships, facilities, collateral, underlyings = [], [], [], []
    for name, (rels, facs, fields, coll, unders) in cases.items():

        def p(party, name=name):
            return None if party is None else f"{name}.{party}"

        def add(party, fields=fields, p=p):
            entities.setdefault(
                p(party),
                Entity(
                    p(party),
                    f"name of {party}",
                    "person" if party.startswith("P") else "company",
                    **fields.get(party, {}),
                ),
            )

        for r in rels:
            relationships.append(replace(r, source=p(r.source), target=p(r.target), facility=p(r.facility)))
            add(r.source)
            add(r.target)
        for f in facs:
            facilities.append(replace(f, id=p(f.id), borrower=p(f.borrower)))
            add(f.borrower)
        for party in fields:
            add(party)
        collateral += [replace(c, facility=p(c.facility), issuer=p(c.issuer)) for c in coll]
        underlyings += [replace(u, facility=p(u.facility), obligor=p(u.obligor)) for u in unders]
    return Dataset(
        BANK,
        entities,
        tuple(relationships),
        tuple(facilities),
        underlyings=tuple(underlyings),
        collateral=tuple(collateral),
    )
