"""A hand-made book for the pages of the regulatory exposure model (DESIGN 3b, R13-R20), and
its answers worked out by hand. Tier 1 capital 1,000 CNY, net capital 1,200, CN-2018.

Parties: 王强 (P1) holds 40% of 安信制造 (A) and ``<script>`` 孙丽 (P2) 25%; A holds 60% of
Bright Shipping (B), whose CEO is Li Ming (P3), so A and B are one group (A controls B).
国泰银行 (G1, a bank) guarantees 15 of B's loan; 财政部 (S1, China's central government) is
exempt and issued the government bond that secures 25 of A's loan. A fund (FUND) holds
underlyings of A (2, at least 0.15% x 1,000 = 1.5: looked through) and of B (1, below it:
stays with the fund); the other 47 are unidentified (the anonymous client). 华夏基金 (M1)
manages the fund and A is its liquidity provider: risk factors, not exposure.

A, before mitigation, by G14 column: general FA1 100 + FA2 20 = 120; specific 2 (from the
fund); trading 5; potential FA1 0.5 x 50 + FA4 0.5 x 40 = 45; total 172. Mitigation moves 25
of FA1 (general) to S1: after, general 95, total 147; moved out 25, in 0 (172 = 147 + 25).
B: general 30 before; cash 10 reduces it and G1's 15 moves to G1: general 5 after, moved out
25. Group {A, B}: before 202 (general 150), after 152 (general 100), out 50, nothing exempt.
S1: bond 200 + 25 moved in = 225 after mitigation, all exempt (可豁免). G1: 0 before, 15 in.

Headroom (limits on the exposure after mitigation without exempt exposure): A single party
150 - 147 = 3 (binding), loans (FA1 drawn 100) 120 - 100 = 20, group 200 - 152 = 48; B single
150 - 5 = 145, loans 120 - 30 = 90, group 48 (binding).

Beneficial owners of A: P1 by ownership 40%, P2 by ownership 25% (at least 25%); of B: no one
holds 25% (P1 0.4 x 0.6 = 24%) or controls it, so its CEO Li Ming (senior manager, 0%).

Large exposures (more than 2.5% of tier 1 = 25, on the checked figure): A 147, the group
152, the anonymous client 47; B (5), G1 (15), the fund (1) and S1 (exempt) are not.
"""

from __future__ import annotations

from pathlib import Path

from tests.datasets import write_folder, write_table

SCRIPT_NAME = "<script>window.pwned=1</script>孙丽"
A_NAME = "安信制造<b>有限</b>公司"

ENTITIES = [
    {"id": "P1", "name": "王强", "kind": "person"},
    {"id": "P2", "name": SCRIPT_NAME, "kind": "person"},
    {"id": "P3", "name": "Li Ming", "kind": "person"},
    {"id": "A", "name": A_NAME, "kind": "company", "country": "CN"},
    {"id": "B", "name": "Bright Shipping Ltd", "kind": "company", "country": "HK"},
    {"id": "G1", "name": "国泰银行股份有限公司", "kind": "company", "is_bank": "true",
     "counterparty_class": "bank", "country": "CN"},
    {"id": "S1", "name": "中华人民共和国财政部", "kind": "company", "counterparty_class": "sovereign",
     "country": "CN"},
    {"id": "FUND", "name": "鑫源资产管理计划", "kind": "company", "counterparty_class": "am_product"},
    {"id": "M1", "name": "华夏基金管理有限公司", "kind": "company",
     "counterparty_class": "non_bank_fi", "country": "CN"},
]
RELATIONSHIPS = [
    {"type": "OWNS", "source": "P1", "target": "A", "share": "40%"},
    {"type": "OWNS", "source": "P2", "target": "A", "share": "25%"},
    {"type": "OWNS", "source": "A", "target": "B", "share": "60%"},
    {"type": "MANAGES", "source": "P3", "target": "B", "role": "ceo"},
    {"type": "GUARANTEES", "source": "G1", "target": "B", "amount": "15", "facility": "FB1"},
]
FACILITIES = [
    {"id": "FA1", "borrower": "A", "outstanding": "100", "undrawn": "50", "ccf": "0.5",
     "product": "loan", "category": "loan"},
    {"id": "FA2", "borrower": "A", "outstanding": "20", "category": "bond", "product": "bond"},
    {"id": "FA3", "borrower": "A", "outstanding": "5", "category": "trading", "product": "bond"},
    {"id": "FA4", "borrower": "A", "outstanding": "40", "ccf": "0.5", "category": "off_balance",
     "product": "guarantee_line"},
    {"id": "FB1", "borrower": "B", "outstanding": "30", "product": "loan", "category": "loan"},
    {"id": "FS1", "borrower": "S1", "outstanding": "200", "category": "bond", "product": "bond"},
    {"id": "FP1", "borrower": "FUND", "outstanding": "50", "category": "am_product",
     "product": "fund"},
]
UNDERLYINGS = [
    {"facility": "FP1", "obligor": "A", "amount": "2"},
    {"facility": "FP1", "obligor": "B", "amount": "1"},
]
COLLATERAL = [
    {"facility": "FA1", "kind": "gov_bond", "value": "25", "issuer": "S1"},
    {"facility": "FB1", "kind": "cash", "value": "10", "issuer": ""},
    {"facility": "FB1", "kind": "real_estate", "value": "100", "issuer": ""},
]
PRODUCT_PARTIES = [
    {"facility": "FP1", "party": "M1", "role": "manager"},
    {"facility": "FP1", "party": "A", "role": "liquidity_provider"},
]

GROUP = ("A", "B")


def write_book(folder: Path) -> Path:
    """Write the book as a dataset folder; returns it."""
    write_folder(folder, [dict(e) for e in ENTITIES], [dict(r) for r in RELATIONSHIPS],
                 [dict(f) for f in FACILITIES])
    write_table(folder / "underlyings.csv", UNDERLYINGS)
    write_table(folder / "collateral.csv", COLLATERAL)
    write_table(folder / "product_parties.csv", PRODUCT_PARTIES)
    return folder
