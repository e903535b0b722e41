"""The columns and tables of the regulatory exposure model (DESIGN 3b) in a dataset folder:
counterparty classes against ``is_bank`` (R13), facility categories, and the optional
``underlyings`` (R15), ``collateral`` (R16) and ``product_parties`` tables, each problem
naming file, line and column."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from loaders.dataset import read_dataset
from loaders.merge import load_paths
from schema.errors import InvalidDataset
from schema.model import load_model
from schema.records import Collateral, Facility, ProductParty, Underlying
from schema.regime import REGIME_DIR
from tests.datasets import BANK_TOML, write_folder, write_table
from tests.loaders.real_data import gleif_files

ENTITIES = [
    {"id": "C1", "name": "Huaxin Industrial", "kind": "company"},
    {"id": "B1", "name": "First Bank", "kind": "company", "is_bank": "true"},
    {"id": "N1", "name": "Trust Co", "kind": "company", "counterparty_class": "non_bank_fi"},
    {"id": "N2", "name": "Leasing Co", "kind": "company", "is_bank": "false",
     "counterparty_class": "non_bank_fi"},
    {"id": "S1", "name": "Ministry of Finance", "kind": "company",
     "counterparty_class": "sovereign", "rating": "AA-"},
    {"id": "M1", "name": "Wealth Product 1", "kind": "company", "counterparty_class": "am_product"},
    {"id": "P1", "name": "Wang", "kind": "person"},
]
RELATIONSHIPS = [{"type": "OWNS", "source": "P1", "target": "C1", "share": "60%"}]
FACILITIES = [
    {"id": "F1", "borrower": "C1", "outstanding": "100"},
    # exposure value 100 + 0.5 x 50 = 125 CNY
    {"id": "AM1", "borrower": "M1", "outstanding": "100", "undrawn": "50", "ccf": "0.5",
     "category": "am_product"},
    # exposure value 10 USD x 7 = 70 CNY
    {"id": "AB1", "borrower": "M1", "outstanding": "10", "currency": "USD", "category": "abs"},
]
UNDERLYINGS = [
    {"facility": "AM1", "obligor": "C1", "amount": "60", "currency": ""},
    {"facility": "AM1", "obligor": "", "amount": "5", "currency": "USD"},     # 35 CNY
    # 10 in the facility's USD: 70 CNY, all of AB1's 70
    {"facility": "AB1", "obligor": "S1", "amount": "10", "currency": ""},
]
COLLATERAL = [
    {"facility": "F1", "kind": "cash", "value": "20", "issuer": ""},
    {"facility": "F1", "kind": "gov_bond", "value": "30", "issuer": "S1"},
    {"facility": "F1", "kind": "real_estate", "value": "50", "issuer": ""},
]
PRODUCT_PARTIES = [
    {"facility": "AM1", "party": "N1", "role": "manager"},
    {"facility": "AB1", "party": "B1", "role": "originator"},
]


def folder_of(path: Path, *, entities=ENTITIES, facilities=FACILITIES, underlyings=UNDERLYINGS,
              collateral=COLLATERAL, product_parties=PRODUCT_PARTIES, bank=BANK_TOML) -> Path:
    folder = write_folder(path, [dict(e) for e in entities], RELATIONSHIPS,
                          [dict(f) for f in facilities], bank_toml=bank)
    for stem, rows in (("underlyings", underlyings), ("collateral", collateral),
                       ("product_parties", product_parties)):
        if rows is not None:
            write_table(folder / f"{stem}.csv", [dict(r) for r in rows])
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(InvalidDataset) as caught:
        read_dataset(folder)
    return [str(p) for p in caught.value.problems]


def changed(rows: list[dict], at: int, **cells: str) -> list[dict]:
    return [dict(r, **cells) if i == at else dict(r) for i, r in enumerate(rows)]


def test_a_folder_with_all_three_tables_reads_into_records(tmp_path):
    data = read_dataset(folder_of(tmp_path / "d"))
    assert data.underlyings == (
        Underlying("AM1", 60.0, "C1", None, origin="underlyings.csv:2"),
        Underlying("AM1", 5.0, None, "USD", origin="underlyings.csv:3"),
        Underlying("AB1", 10.0, "S1", None, origin="underlyings.csv:4"),
    )
    assert data.collateral == (
        Collateral("F1", "cash", 20.0, None, None, origin="collateral.csv:2"),
        Collateral("F1", "gov_bond", 30.0, None, "S1", origin="collateral.csv:3"),
        Collateral("F1", "real_estate", 50.0, None, None, origin="collateral.csv:4"),
    )
    assert data.product_parties == (
        ProductParty("AM1", "N1", "manager", origin="product_parties.csv:2"),
        ProductParty("AB1", "B1", "originator", origin="product_parties.csv:3"),
    )
    assert [f.category for f in data.facilities] == ["loan", "am_product", "abs"]
    assert data.facilities[1] == Facility("AM1", "M1", 100.0, 50.0, 0.5, None, None,
                                          "am_product", origin="facilities.csv:3")


def test_the_tables_are_optional(tmp_path):
    data = read_dataset(folder_of(tmp_path / "d", underlyings=None, collateral=None,
                                  product_parties=None))
    assert (data.underlyings, data.collateral, data.product_parties) == ((), (), ())


def test_category_default_is_the_model_default_and_the_record_default():
    assert load_model().nodes["Facility"].properties["category"].default == "loan"
    assert Facility("F", "A", 1.0).category == "loan"


def test_is_bank_and_counterparty_class(tmp_path):
    parties = read_dataset(folder_of(tmp_path / "d")).entities
    # (is_bank, counterparty_class): an empty class stays None (Regime.class_of: bank)
    assert (parties["B1"].is_bank, parties["B1"].counterparty_class) == (True, None)
    # an empty is_bank follows an interbank class (CN-2018: non_bank_fi is 同业) ...
    assert (parties["N1"].is_bank, parties["N1"].counterparty_class) == (True, "non_bank_fi")
    # ... but an explicit false is kept
    assert (parties["N2"].is_bank, parties["N2"].counterparty_class) == (False, "non_bank_fi")
    # and does not make a non-interbank class a bank
    assert (parties["S1"].is_bank, parties["S1"].counterparty_class, parties["S1"].rating) == (
        False, "sovereign", "AA-")
    assert (parties["C1"].is_bank, parties["C1"].counterparty_class) == (False, None)
    assert (parties["P1"].is_bank, parties["P1"].counterparty_class) == (False, None)


def test_the_class_of_a_line_the_csv_module_reads(tmp_path):
    # a quote in a cell: that line's cells are the csv module's, not pyarrow's
    entities = changed(ENTITIES, 2, name='Trust "Co"')
    folder = folder_of(tmp_path / "d", entities=entities)
    assert '"Trust ""Co"""' in (folder / "entities.csv").read_text(encoding="utf-8")
    n1 = read_dataset(folder).entities["N1"]
    assert (n1.name, n1.is_bank, n1.counterparty_class) == ('Trust "Co"', True, "non_bank_fi")


def test_a_bank_of_a_class_outside_the_interbank_classes(tmp_path):
    entities = changed(ENTITIES, 4, is_bank="true")            # S1, sovereign, on line 6
    entities = changed(entities, 0, counterparty_class="bnk")  # C1, line 2
    assert problems(folder_of(tmp_path / "d", entities=entities)) == [
        "entities.csv, line 2, column 'counterparty_class': expected one of corporate, "
        "individual, bank, non_bank_fi, sovereign, central_bank, policy_bank, public_sector, "
        "state_asset_agency, multilateral, am_product, abs_vehicle, got 'bnk'",
        "entities.csv, line 6, column 'counterparty_class': is_bank is true, but 'sovereign' is "
        "not an interbank class of CN-2018: expected one of bank, policy_bank, non_bank_fi, or "
        "counterparty_class empty (a bank), or is_bank false",
    ]


def test_a_regime_file_decides_the_interbank_classes(tmp_path):
    regime = (REGIME_DIR / "CN-2018.toml").read_text(encoding="utf-8").replace(
        'interbank_classes = ["bank", "policy_bank", "non_bank_fi"]',
        'interbank_classes = ["bank", "policy_bank"]')
    assert 'interbank_classes = ["bank", "policy_bank"]' in regime
    folder = folder_of(tmp_path / "d", bank=BANK_TOML.replace('"CN-2018"', '"own.toml"'))
    (folder / "own.toml").write_text(regime, encoding="utf-8")
    # N1's empty is_bank follows non_bank_fi, no longer interbank: false
    assert read_dataset(folder).entities["N1"].is_bank is False


def test_each_wrong_underlying(tmp_path):
    underlyings = [
        {"facility": "NOPE", "obligor": "C1", "amount": "1", "currency": ""},   # line 2
        {"facility": "F1", "obligor": "C1", "amount": "1", "currency": ""},     # line 3
        {"facility": "AM1", "obligor": "X9", "amount": "1", "currency": ""},    # line 4
        {"facility": "AM1", "obligor": "C1", "amount": "1", "currency": "EUR"},  # line 5
        {"facility": "AM1", "obligor": "C1", "amount": "-1", "currency": ""},   # line 6
        {"facility": "", "obligor": "C1", "amount": "1", "currency": ""},       # line 7
    ]
    assert problems(folder_of(tmp_path / "d", underlyings=underlyings)) == [
        "underlyings.csv, line 2, column 'facility': unknown facility id 'NOPE'",
        "underlyings.csv, line 3, column 'facility': facility 'F1' is of category 'loan': "
        "expected a facility of category abs or am_product (R15)",
        "underlyings.csv, line 4, column 'obligor': unknown entity id 'X9'",
        "underlyings.csv, line 5, column 'currency': no exchange rate for EUR: add it under "
        "[fx] in bank.toml (units of CNY per unit of EUR)",
        "underlyings.csv, line 6, column 'amount': expected a non-negative amount, got '-1'",
        "underlyings.csv, line 7, column 'facility': expected a value (facility_ref)",
    ]


def test_underlyings_above_the_facility_value(tmp_path):
    # AM1 is worth 100 + 0.5 x 50 = 125 CNY: 60 + 5 USD x 7 = 95, then + 30 = 125 exactly;
    # + 30.01 is 125.01, above it. AB1 (70 CNY) takes 10.0000000001 USD = 70.0000000007 CNY,
    # 1e-11 above its value relatively: within the tolerance of 1e-9.
    underlyings = [*UNDERLYINGS[:2],
                   {"facility": "AB1", "obligor": "S1", "amount": "10.0000000001", "currency": ""},
                   {"facility": "AM1", "obligor": "", "amount": "30", "currency": ""}]
    assert read_dataset(folder_of(tmp_path / "ok", underlyings=underlyings)).underlyings[3] == \
        Underlying("AM1", 30.0, origin="underlyings.csv:5")
    underlyings = [*underlyings[:3], {"facility": "AM1", "obligor": "", "amount": "20",
                                      "currency": ""},
                   {"facility": "AM1", "obligor": "C1", "amount": "10.01", "currency": ""}]
    assert problems(folder_of(tmp_path / "over", underlyings=underlyings)) == [
        "underlyings.csv, line 6, column 'amount': the underlyings of facility 'AM1' sum to "
        "125.01 CNY, more than its exposure value 125 CNY (outstanding + ccf x undrawn): what "
        "is looked through is at most the facility (R15)"]


def test_an_underlying_of_a_facility_that_is_not_valid_is_not_reported_again(tmp_path):
    facilities = changed(FACILITIES, 1, outstanding="lots")     # AM1, line 3
    found = problems(folder_of(tmp_path / "d", facilities=facilities))
    assert found == ["facilities.csv, line 3, column 'outstanding': expected a non-negative "
                     "number such as 1234.56, got 'lots'"]


def test_each_wrong_collateral(tmp_path):
    collateral = [
        {"facility": "F9", "kind": "cash", "value": "1", "issuer": ""},          # line 2
        {"facility": "F1", "kind": "gov_bond", "value": "1", "issuer": ""},      # line 3
        {"facility": "F1", "kind": "bank_bond", "value": "1", "issuer": "X9"},   # line 4
        {"facility": "F1", "kind": "jewels", "value": "1", "issuer": ""},        # line 5
        {"facility": "F1", "kind": "cash", "value": "1", "issuer": "", "currency": "EUR"},
        {"facility": "AM1", "kind": "deposit", "value": "", "issuer": ""},       # line 7
    ]
    assert problems(folder_of(tmp_path / "d", collateral=collateral)) == [
        "collateral.csv, line 2, column 'facility': unknown facility id 'F9'",
        "collateral.csv, line 3, column 'issuer': expected the issuer of the gov_bond (an "
        "entity id): collateral of this kind moves the exposure onto its issuer (R16)",
        "collateral.csv, line 4, column 'issuer': unknown entity id 'X9'",
        "collateral.csv, line 5, column 'kind': expected one of cash, deposit, gov_bond, "
        "central_bank_bill, policy_bank_bond, bank_bond, gold, real_estate, receivables, "
        "equity, other, got 'jewels'",
        "collateral.csv, line 6, column 'currency': no exchange rate for EUR: add it under "
        "[fx] in bank.toml (units of CNY per unit of EUR)",
        "collateral.csv, line 7, column 'value': expected a value (amount)",
    ]


def test_each_wrong_product_party(tmp_path):
    product_parties = [
        {"facility": "F1", "party": "N1", "role": "manager"},           # line 2
        {"facility": "AM1", "party": "Z1", "role": "manager"},          # line 3
        {"facility": "AM1", "party": "N1", "role": "trustee"},          # line 4
        {"facility": "AM2", "party": "N1", "role": "manager"},          # line 5
        {"facility": "AM1", "party": "N1", "role": "manager"},          # line 6
        {"facility": "AM1", "party": "N1", "role": "originator"},       # line 7: another role
        {"facility": "AM1", "party": "N1", "role": "Manager"},          # line 8: line 6 again
    ]
    assert problems(folder_of(tmp_path / "d", product_parties=product_parties)) == [
        "product_parties.csv, line 2, column 'facility': facility 'F1' is of category 'loan': "
        "expected a facility of category abs or am_product (R15)",
        "product_parties.csv, line 3, column 'party': unknown entity id 'Z1'",
        "product_parties.csv, line 4, column 'role': expected one of manager, originator, "
        "liquidity_provider, got 'trustee'",
        "product_parties.csv, line 5, column 'facility': unknown facility id 'AM2'",
        "product_parties.csv, line 8, column 'role': duplicate facility 'AM1', party 'N1', "
        "role 'manager', first given on line 6",
    ]


def test_a_missing_required_column(tmp_path):
    collateral = [{k: v for k, v in c.items() if k != "kind"} for c in COLLATERAL]
    assert problems(folder_of(tmp_path / "d", collateral=collateral)) == [
        "collateral.csv, line 1, column 'kind': missing required column"]


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_the_new_tables_in_excel_and_parquet(tmp_path, suffix):
    folder = folder_of(tmp_path / "d")
    expected = read_dataset(folder)
    # entities and facilities too: their classes and categories read the same
    for stem in ("entities", "facilities", "underlyings", "collateral", "product_parties"):
        frame = pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False)
        (folder / f"{stem}.csv").unlink()
        if suffix == ".xlsx":
            frame.to_excel(folder / f"{stem}.xlsx", sheet_name=stem, index=False)
        else:
            frame.to_parquet(folder / f"{stem}.parquet", index=False)
    data = read_dataset(folder)
    assert data.version == expected.version       # the same records, origins aside
    # a sheet's rows count its header, a Parquet file's do not
    first = {".xlsx": "underlyings.xlsx:2", ".parquet": "underlyings.parquet:1"}[suffix]
    assert data.underlyings[0].origin == first
    assert (data.entities["N1"].is_bank, data.facilities[2].category) == (True, "abs")


def test_a_problem_in_a_parquet_table_names_its_row(tmp_path):
    folder = folder_of(tmp_path / "d", underlyings=None)
    pd.DataFrame([{"facility": "AM1", "obligor": "C1", "amount": 60.0},
                  {"facility": "AM1", "obligor": "Q", "amount": 1.0}]).to_parquet(
        folder / "underlyings.parquet", index=False)
    assert problems(folder) == [
        "underlyings.parquet, row 2, column 'obligor': unknown entity id 'Q'"]


def test_a_merge_keeps_the_bank_tables(tmp_path):
    folder = folder_of(tmp_path / "bank")
    bank_only = read_dataset(folder)
    merged = load_paths([folder, *gleif_files()], as_of=date(2023, 11, 6)).dataset
    assert len(merged.entities) > len(bank_only.entities)
    assert merged.underlyings == bank_only.underlyings and len(merged.underlyings) == 3
    assert merged.collateral == bank_only.collateral and len(merged.collateral) == 3
    assert merged.product_parties == bank_only.product_parties
    assert merged.facilities == bank_only.facilities
