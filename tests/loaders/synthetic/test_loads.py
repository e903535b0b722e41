"""Every generated portfolio reads through the loader with every table of DESIGN 3b, and each
feature of the exposure model is present in what it reads (R13-R17)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from loaders.dataset import read_dataset
from loaders.synthetic import DEFAULT_AS_OF, generate_portfolio
from schema.regime import load_regime

CATEGORIES = {"loan", "bond", "interbank", "other", "am_product", "abs", "trading",
              "counterparty", "off_balance"}
CLASSES = {"corporate", "individual", "bank", "non_bank_fi", "sovereign", "central_bank",
           "policy_bank", "state_asset_agency", "am_product", "abs_vehicle"}
ISSUER_CLASS = {"gov_bond": "sovereign", "central_bank_bill": "central_bank",
                "policy_bank_bond": "policy_bank", "bank_bond": "bank"}


@pytest.mark.parametrize("parties", [40, 200, 10_000])
@pytest.mark.parametrize("seed", [1, 7])
def test_a_generated_portfolio_loads_with_every_feature_of_3b(tmp_path: Path, parties: int,
                                                              seed: int) -> None:
    summary = generate_portfolio(tmp_path, parties=parties, seed=seed)
    data = read_dataset(tmp_path)           # raises on any problem
    regime = load_regime(data.bank.regime)
    assert len(data.entities) == summary.entities == parties
    assert len(data.facilities) == summary.facilities
    assert (len(data.underlyings), len(data.collateral), len(data.product_parties)) == (
        summary.underlyings, summary.collateral, summary.product_parties)

    entities = data.entities
    assert {e.counterparty_class for e in entities.values()} == CLASSES
    # a non-bank financial institution: is_bank false, yet an interbank class of CN-2018
    fis = [e for e in entities.values() if e.counterparty_class == "non_bank_fi"]
    assert fis and not any(e.is_bank for e in fis)
    assert "non_bank_fi" in regime.interbank_classes
    assert (entities["S0001"].name, entities["S0001"].country) == ("中华人民共和国财政部", "CN")

    categories = Counter(f.category for f in data.facilities)
    assert set(categories) == CATEGORIES and dict(sorted(categories.items())) == \
        summary.categories
    borrower = {f.id: f.borrower for f in data.facilities}
    # the exempt sovereign exposure: a government bond held
    assert any(f.category == "bond" and entities[f.borrower].counterparty_class == "sovereign"
               for f in data.facilities)

    kinds = Counter(c.kind for c in data.collateral)
    assert {"cash", "gov_bond", "real_estate"} <= kinds.keys()
    for c in data.collateral:
        if c.kind in ISSUER_CLASS:
            assert entities[c.issuer].counterparty_class == ISSUER_CLASS[c.kind]

    obligors = Counter(u.obligor is None for u in data.underlyings)
    assert obligors[True] and obligors[False]          # with and without a known obligor
    products = {f.id for f in data.facilities if f.category in ("am_product", "abs")}
    assert {u.facility for u in data.underlyings} == products
    assert {p.role for p in data.product_parties} == {"manager", "originator",
                                                      "liquidity_provider"}
    vehicles = {"am_product", "abs_vehicle"}
    assert all(entities[borrower[p.facility]].counterparty_class in vehicles
               for p in data.product_parties)

    # a state asset agency controls (OWNS more than half, or CONTROLS) two companies or more
    agencies = {i for i, e in entities.items() if e.counterparty_class == "state_asset_agency"}
    controlled: dict[str, set[str]] = defaultdict(set)
    for r in data.current_relationships(DEFAULT_AS_OF):
        if r.source in agencies and (r.type == "CONTROLS"
                                     or (r.type == "OWNS" and r.share > 0.5)):
            controlled[r.source].add(r.target)
    assert max(map(len, controlled.values())) >= 2
