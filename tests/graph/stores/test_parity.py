"""Backend parity: the scenarios of R2-R7 and the sample portfolio give the same answers
on the embedded store and on a real Neo4j server.

Each scenario is written into the store, read back and analysed; the answers are checked
against hand-computed values, so both stores must give exactly those.
"""

from dataclasses import replace
from datetime import date

import pytest

from graph.analysis import analyse
from graph.reports.report import build_report
from graph.risk import assess
from graph.risk.contagion import cascade, debt_rank
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.records import Collateral, ProductParty, Underlying
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def test_contagion_is_the_same_from_both_stores(store):
    data = dataset([R("GUARANTEES", "B", "A", amount=50.0), R("GUARANTEES", "G", "A", amount=60.0),
                    R("GUARANTEES", "G", "B", amount=60.0)],
                   [F("F1", "A", 10.0), F("F2", "B", 20.0), F("F3", "G", 30.0)],
                   B={"net_assets": 40.0}, G={"net_assets": 100.0})
    a = stored(store, data)
    assert cascade(a, ["A"]).rounds_of == {"A": 0, "B": 1, "G": 2}
    # W[A->B] = 50/40 -> 1, W[A->G] = 0.6, W[B->G] = 0.6: G = min(1, 0.6 + 0.6 x 1) = 1
    assert debt_rank(a, ["A"]).stress == {"A": 1.0, "B": 1.0, "G": 1.0}


def stored(store, data):
    store.replace(data)
    back = store.read()
    assert back == data
    return analyse(back)


def test_chain_of_60_and_70_percent(store):
    a = stored(store, dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "C", share=0.7)]))
    assert a.integrated_ownership("A", "C") == pytest.approx(0.42, abs=1e-12)
    assert a.control.ultimate_controllers("C") == ["A"]
    assert a.group_by_member["C"].members == ("A", "B", "C")


def test_multi_path_ownership_and_control(store):
    a = stored(store, dataset([R("OWNS", "A", "B1", share=1.0), R("OWNS", "A", "B2", share=0.8),
                               R("OWNS", "B1", "C", share=0.2), R("OWNS", "B2", "C", share=0.4)]))
    assert a.integrated_ownership("A", "C") == pytest.approx(0.52, abs=1e-12)
    assert a.control.ultimate_controllers("C") == ["A"]


def test_cross_holding(store):
    a = stored(store, dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "C", share=0.7),
                               R("OWNS", "C", "B", share=0.1)]))
    assert round(a.integrated_ownership("A", "C"), 4) == 0.4516


def test_exactly_half_is_not_control(store):
    a = stored(store, dataset([R("OWNS", "A", "B", share=0.5)]))
    assert a.control.ultimate_controllers("B") == []
    assert a.group_by_member["B"].members == ("B",)


def test_family_controls_only_together(store):
    a = stored(store, dataset([R("OWNS", "P1", "C", share=0.3), R("OWNS", "P2", "C", share=0.25),
                               R("RELATIVE_OF", "P1", "P2", relation="spouse")]))
    assert a.control.ultimate_controllers("C") == ["P1", "P2"]
    assert a.group_by_member["C"].members == ("C", "P1", "P2")


def test_control_through_controls_edge(store):
    a = stored(store, dataset([R("CONTROLS", "P1", "C1", basis="VIE"),
                               R("OWNS", "C1", "C2", share=0.9)]))
    assert a.control.ultimate_controllers("C2") == ["P1"]
    assert [s.rule for s in a.group_by_member["C2"].evidence["C2"]] == ["R4b"]
    assert [s.rule for s in a.group_by_member["C1"].evidence["C1"]] == ["R4a"]


def test_economic_dependence_at_and_below_threshold(store):
    a = stored(store, dataset([R("DEPENDS_ON", "A", "B", share=0.5),
                               R("DEPENDS_ON", "C", "D", share=0.49)]))
    assert a.group_by_member["A"].members == ("A", "B")
    assert a.group_by_member["C"].members == ("C",)


def test_exposure_gross_and_net(store):
    a = stored(store, dataset(
        [R("OWNS", "A", "B", share=0.6),
         R("GUARANTEES", "X", "B", amount=40.0, facility="F2", eligible=True)],
        [F("F1", "A", 100.0), F("F2", "B", 60.0, undrawn=20.0, ccf=0.5),
         F("F3", "X", 5.0, currency="USD")]))
    group = a.group_by_member["A"]
    exposure = a.group_exposure(group)
    assert (exposure.gross, exposure.net) == (170.0, 130.0)
    assert (a.exposures.of("X").gross, a.exposures.of("X").net) == (35.0, 75.0)


def test_relationship_validity_survives_the_store(store):
    a = stored(store, dataset([R("OWNS", "A", "B", share=0.9, valid_from=date(2020, 1, 1),
                                 valid_to=date(2020, 12, 31), source_ref="register")]))
    assert a.group_by_member["B"].members == ("B",)   # expired today
    back = store.read()
    assert analyse(back, as_of=date(2020, 6, 1)).group_by_member["B"].members == ("A", "B")


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("portfolio")
    generate_portfolio(folder, parties=300, seed=11)
    return read_dataset(folder)


def test_sample_portfolio_report_is_identical_on_both_stores(portfolio, neo4j_store, tmp_path):
    embedded = EmbeddedStore(tmp_path / "s.sqlite")
    embedded.replace(portfolio)
    neo4j_store.replace(portfolio)
    on_embedded = build_report(assess(analyse(embedded.read())))
    on_neo4j = build_report(assess(analyse(neo4j_store.read())))
    assert on_neo4j == on_embedded
    assert on_neo4j["dataset"]["version"] == portfolio.version
    # the comparison covered every section of R2-R12, not empty lists
    assert on_neo4j["limits"] and on_neo4j["guarantee_circles"] and on_neo4j["systemic"]


def test_sample_portfolio_queries_are_identical_on_both_stores(portfolio, neo4j_store, tmp_path):
    embedded = EmbeddedStore(tmp_path / "s.sqlite")
    embedded.replace(portfolio)
    neo4j_store.replace(portfolio)
    owned = sorted({r.target for r in portfolio.relationships if r.type == "OWNS"})[:15]
    owners = sorted({r.source for r in portfolio.relationships if r.type == "OWNS"})[:15]
    for entity in owned:
        assert neo4j_store.neighbourhood(entity, 2) == embedded.neighbourhood(entity, 2)
        assert (neo4j_store.ownership_chains(entity, "up", 4)
                == embedded.ownership_chains(entity, "up", 4))
    for entity in owners:
        assert (neo4j_store.ownership_chains(entity, "down", 3)
                == embedded.ownership_chains(entity, "down", 3))
    for a, b in zip(owners, owned, strict=False):
        assert neo4j_store.paths(a, b, 4) == embedded.paths(a, b, 4)
        assert (neo4j_store.paths(a, b, 4, types=["OWNS", "GUARANTEES"])
                == embedded.paths(a, b, 4, types=["OWNS", "GUARANTEES"]))
    found = sum(len(embedded.paths(a, b, 4)) for a, b in zip(owners, owned, strict=False))
    assert found > 0   # the comparison above compared something


def test_public_data_survives_both_stores_with_its_provenance(store):
    from graph.reports.reconcile import reconcile
    from loaders.merge import load_paths
    from tests.loaders.real_data import gasgrid_file, gleif_files

    data = load_paths([*gleif_files(), gasgrid_file()]).dataset
    back = stored(store, data)
    assert back.dataset == data
    kinds = {r.type for r in back.dataset.relationships}
    assert {"CONTROLS", "ULTIMATE_PARENT_OF", "FUND_LINK"} <= kinds
    assert all(e.source_standard and e.record_id for e in back.dataset.entities.values())
    rows = reconcile(back).to_dict()
    assert rows == reconcile(analyse(data)).to_dict()


# DESIGN 3b: the new fields, away from their defaults, and a row of every table with and
# without its optional references (an underlying whose obligor is not known, collateral
# without an issuer)
EXPOSURE_MODEL = replace(
    dataset([R("OWNS", "A", "V", share=0.2)],
            [F("F1", "A", 100.0), F("F2", "V", 80.0, category="am_product"),
             F("F3", "B", 50.0, category="interbank", currency="USD")],
            A={"counterparty_class": "state_asset_agency"},
            B={"is_bank": True, "counterparty_class": "policy_bank", "rating": "A+"},
            V={"counterparty_class": "am_product"}, S={"counterparty_class": "sovereign",
                                                       "rating": "AA-", "country": "CN"},
            M={"counterparty_class": "non_bank_fi"}),
    underlyings=(Underlying("F2", 30.0, obligor="A", origin="underlyings.csv:2"),
                 Underlying("F2", 25.0, currency="USD", extra={"isin": "X1"}),
                 Underlying("F2", 5.0, obligor="B")),
    collateral=(Collateral("F1", "gov_bond", 40.0, issuer="S", origin="collateral.csv:2"),
                Collateral("F1", "real_estate", 90.0),
                Collateral("F3", "cash", 5.0, currency="USD", extra={"account": "9"})),
    product_parties=(ProductParty("F2", "M", "manager"),
                     ProductParty("F2", "B", "liquidity_provider", origin="product_parties.csv:3")),
)


def test_the_exposure_model_fields_and_tables_come_back_exactly(store):
    store.replace(EXPOSURE_MODEL)
    back = store.read()
    assert back == EXPOSURE_MODEL     # every record, the new tables in their order
    assert back.version == EXPOSURE_MODEL.version == store.info().version
    # and it is the hash of the records read back, not only what the store recorded
    assert replace(back).version == EXPOSURE_MODEL.version
    assert [u.obligor for u in back.underlyings] == ["A", None, "B"]
    assert [c.issuer for c in back.collateral] == ["S", None, None]
    assert [f.category for f in back.facilities] == ["loan", "am_product", "interbank"]
    assert (back.entities["B"].counterparty_class, back.entities["B"].rating) == ("policy_bank", "A+")
    assert back.entities["V"].rating is None
    assert back.underlyings[1].extra == {"isin": "X1"}
    assert back.collateral[0].origin == "collateral.csv:2"
    assert {k: v for k, v in store.info().counts.items() if k in ("underlyings", "collateral",
            "product_parties")} == {"underlyings": 3, "collateral": 3, "product_parties": 2}


def test_a_reload_replaces_the_exposure_model_tables_whole(store):
    store.replace(EXPOSURE_MODEL)
    fewer = replace(EXPOSURE_MODEL, underlyings=EXPOSURE_MODEL.underlyings[1:], collateral=(),
                    product_parties=(ProductParty("F2", "B", "originator"),))
    assert not store.replace(fewer).unchanged
    back = store.read()
    assert back == fewer
    assert (len(back.underlyings), back.collateral, back.product_parties) == (
        2, (), (ProductParty("F2", "B", "originator"),))
    assert back.version == replace(back).version == fewer.version != EXPOSURE_MODEL.version
    assert store.replace(fewer).unchanged


def test_the_exposure_model_gives_the_same_answers_from_both_stores(store):
    # tier 1 1,000 (CN-2018). X borrows 100 with 30 of cash (reduces) and a 20 government
    # bond of the exempt MOF (substitutes): after mitigation X 100 - 30 - 20 = 50, MOF its
    # own 50 bond + 20 = 70, all exempt. FUND's product of 10: Y's underlying of 2 reaches
    # 0.15% x 1,000 = 1.5 and moves to Y; the row without obligor (1) and the 7 the rows
    # leave go to the anonymous client (8). A 国资委 controls C1 and C2: two groups (R17).
    data = replace(
        dataset([R("OWNS", "SASAC", "C1", share=0.6), R("OWNS", "SASAC", "C2", share=0.7)],
                [F("F1", "X", 100.0), F("F2", "FUND", 10.0, category="am_product"),
                 F("F3", "MOF", 50.0, category="bond")],
                MOF={"counterparty_class": "sovereign", "country": "CN"},
                FUND={"counterparty_class": "am_product"}, Y={}, C1={}, C2={},
                SASAC={"counterparty_class": "state_asset_agency"}),
        underlyings=(Underlying("F2", 2.0, obligor="Y"), Underlying("F2", 1.0)),
        collateral=(Collateral("F1", "cash", 30.0), Collateral("F1", "gov_bond", 20.0, issuer="MOF")))
    a = stored(store, data)
    figures = {p: (a.exposures.of(p).gross, a.exposures.of(p).net)
               for p in ("X", "MOF", "FUND", "Y", "ANONYMOUS")}
    assert figures == {"X": (100.0, 50.0), "MOF": (50.0, 70.0), "FUND": (0.0, 0.0),
                       "Y": (2.0, 2.0), "ANONYMOUS": (8.0, 8.0)}
    mof = a.exposures.breakdown_of("MOF")
    assert (mof.exempt, mof.non_exempt, mof.moved_in) == (True, 0.0, 20.0)
    assert a.group_by_member["C1"] is not a.group_by_member["C2"]
    assert a.control.ultimate_controllers("C1") == ["SASAC"]
    report = build_report(assess(a))
    assert report == build_report(assess(analyse(data)))     # the same as before the store
