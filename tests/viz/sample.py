"""A small book with every feature a view shows, and the view inputs computed from it.

Family 王建国 (P1) and 李芳 (P2) hold 40% + 15% of C1 (so control it together); P1 chairs C1;
C1 holds 60% of C2 and controls C6 by agreement; D depends on C1 for 60% of its revenue;
C2 guarantees 30 of C1's debt. C3 -> C4 -> C5 -> C3 is a guarantee circle, X guarantees C3
(a chain into the circle), C5 guarantees Y (a chain out of it). B1 is a bank.
"""

from __future__ import annotations

from schema.records import Dataset, Entity, Facility, Relationship
from tests.datasets import BANK

R = Relationship

ENTITIES = {
    "P1": Entity("P1", "王建国", "person"),
    "P2": Entity("P2", "李芳", "person"),
    "C1": Entity("C1", "华信实业集团有限公司", "company", net_assets=500.0),
    "C2": Entity("C2", "Harbour Logistics Ltd", "company", net_assets=40.0),
    "C6": Entity("C6", "华信科技(VIE)", "company"),
    "D": Entity("D", "Dependent Supplier Co", "company"),
    "C3": Entity("C3", "Circle Three", "company", net_assets=10.0),
    "C4": Entity("C4", "Circle Four", "company", net_assets=10.0),
    "C5": Entity("C5", "Circle Five", "company", net_assets=10.0, status="defaulted"),
    "X": Entity("X", "Outside Guarantor", "company", net_assets=100.0),
    "Y": Entity("Y", "Outside Borrower", "company"),
    "B1": Entity("B1", "Bank of Somewhere", "company", is_bank=True),
}

RELATIONSHIPS = (
    R("OWNS", "P1", "C1", share=0.4, origin="relationships.csv:2"),
    R("OWNS", "P2", "C1", share=0.15, origin="relationships.csv:3"),
    R("RELATIVE_OF", "P1", "P2", relation="spouse"),
    R("MANAGES", "P1", "C1", role="chairman"),
    R("OWNS", "C1", "C2", share=0.6),
    R("CONTROLS", "C1", "C6", basis="VIE agreement"),
    R("DEPENDS_ON", "D", "C1", share=0.6),
    R("GUARANTEES", "C2", "C1", amount=30.0, facility="F1"),
    R("GUARANTEES", "C3", "C4", amount=20.0),
    R("GUARANTEES", "C4", "C5", amount=20.0),
    R("GUARANTEES", "C5", "C3", amount=1_250_000.0, currency="USD"),
    R("GUARANTEES", "X", "C3", amount=15.0),
    R("GUARANTEES", "C5", "Y", amount=5.0),
    R("OWNS", "B1", "C3", share=0.1),
)

FACILITIES = (
    Facility("F1", "C1", 800.0),
    Facility("F2", "C2", 20.0),
    Facility("F3", "C3", 100.0),
    Facility("F4", "B1", 50.0),
    Facility("F5", "Y", 5.0),
)


def sample_dataset() -> Dataset:
    return Dataset(BANK, dict(ENTITIES), RELATIONSHIPS, FACILITIES)


EXPOSURE = {"C1": 800.0, "C2": 20.0, "C3": 100.0, "B1": 50.0, "Y": 5.0}
FLAGS = {"C1": ["LARGE_EXPOSURE", "LIMIT_BREACH"], "C3": ["GUARANTEE_CIRCLE"]}
