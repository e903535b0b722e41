"""The small hand-made dataset the API tests serve, and the answers worked out by hand.

A family (王建国 and his wife 李芳) holds 40% + 15% of 华信实业集团有限公司 (C1), which holds
60% of Harbour Logistics (C2) and, through C2's 10%, a little of 深圳市明达科技有限公司 (C3,
independent). Zhang Wei manages C1. Alpha (C4) and Beta (C5) Trading guarantee each other
(a guarantee circle); C3 guarantees C4. B1 is a bank. Tier 1 capital is 1,000 CNY.

Exposures (gross): C1 (100 + 0.5 x 50) USD x 7 = 875; C2 20; C3 120; C4 30; C5 10; B1 50.
C2 guarantees 30 of C1's facility F1 (eligible): net C1 845, C2 50.
"""

from __future__ import annotations

from pathlib import Path

from tests.datasets import write_folder

ENTITIES = [
    {"id": "P1", "name": "王建国", "kind": "person"},
    {"id": "P2", "name": "李芳", "kind": "person"},
    {"id": "P3", "name": "Zhang Wei", "kind": "person"},
    {"id": "C1", "name": "华信实业集团有限公司", "kind": "company", "registration_id": "91350100M000100Y43",
     "lei": "5493001KJTIIGC8Y1R12", "net_assets": "500", "industry": "C", "region": "350100"},
    {"id": "C2", "name": "Harbour Logistics Ltd", "kind": "company", "industry": "G", "region": "HK",
     "net_assets": "80"},
    {"id": "C3", "name": "深圳市明达科技有限公司", "kind": "company", "industry": "C", "region": "440300",
     "net_assets": "100"},
    {"id": "C4", "name": "Alpha Trading Co", "kind": "company", "industry": "F", "region": "HK",
     "net_assets": "40"},
    {"id": "C5", "name": "Beta Trading Co", "kind": "company", "industry": "F", "region": "HK",
     "net_assets": "50"},
    {"id": "B1", "name": "Example Bank Corp", "kind": "company", "is_bank": "true", "industry": "J"},
]
RELATIONSHIPS = [
    {"type": "OWNS", "source": "P1", "target": "C1", "share": "40%"},
    {"type": "OWNS", "source": "P2", "target": "C1", "share": "15%"},
    {"type": "RELATIVE_OF", "source": "P1", "target": "P2", "relation": "spouse"},
    {"type": "OWNS", "source": "C1", "target": "C2", "share": "60%"},
    {"type": "OWNS", "source": "C2", "target": "C3", "share": "10%"},
    {"type": "MANAGES", "source": "P3", "target": "C1", "role": "chairman"},
    {"type": "GUARANTEES", "source": "C2", "target": "C1", "amount": "30", "facility": "F1",
     "eligible": "true"},
    {"type": "GUARANTEES", "source": "C4", "target": "C5", "amount": "60"},
    {"type": "GUARANTEES", "source": "C5", "target": "C4", "amount": "80"},
    {"type": "GUARANTEES", "source": "C3", "target": "C4", "amount": "20"},
]
FACILITIES = [
    {"id": "F1", "borrower": "C1", "outstanding": "100", "undrawn": "50", "ccf": "0.5",
     "currency": "USD", "product": "loan"},
    {"id": "F2", "borrower": "C2", "outstanding": "20", "product": "loan"},
    {"id": "F3", "borrower": "C3", "outstanding": "120", "product": "loan"},
    {"id": "F4", "borrower": "C4", "outstanding": "30", "product": "loan"},
    {"id": "F5", "borrower": "C5", "outstanding": "10", "product": "loan"},
    {"id": "F6", "borrower": "B1", "outstanding": "50", "product": "interbank"},
]

FAMILY = ("C1", "C2", "P1", "P2")
GROSS = {"C1": 875.0, "C2": 20.0, "C3": 120.0, "C4": 30.0, "C5": 10.0, "B1": 50.0}
NET = {"C1": 845.0, "C2": 50.0, "C3": 120.0, "C4": 30.0, "C5": 10.0, "B1": 50.0}


def write_sample(folder: Path) -> Path:
    """Write the sample dataset folder; returns it."""
    return write_folder(folder, [dict(e) for e in ENTITIES], [dict(r) for r in RELATIONSHIPS],
                        [dict(f) for f in FACILITIES])
