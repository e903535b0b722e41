"""R20: the returns, computed by hand on small books and read back from the files.

CN-2018 book (tier 1 capital 1,000,000 CNY, so 1% is 10,000 = 1 万元; a large exposure is
more than 2.5%, 25,000):

* A borrows F1: 30,000 drawn + 0.5 x 20,000 undrawn = 40,000 (general 30,000, potential
  10,000). Bank K guarantees 8,000 of F1 (eligible): A after mitigation 32,000 (3.2%),
  moved out 8,000, taken from the drawn part first (R16): general 22,000, potential 10,000.
* B borrows 10,000 (1%); A holds 60% of B: group {A, B} 50,000 before, 42,000 after (4.2%),
  general 22,000 + 10,000 = 32,000, potential 10,000, moved out 8,000.
* C borrows 25,000: exactly 2.5%, not more: not a large exposure.
* D borrows 26,123.456 (2.6123456%): 2.6123456 万元, 2.61 in the xlsx.
* K (a bank) borrows 25,000 and takes the 8,000 in: 33,000 after (3.3%), moved out -8,000.
  K holds 60% of bank K2, which borrows 5,000: interbank group {K, K2} 38,000 after, 30,000
  before.

Large exposures, largest first: {A, B} 42,000, {K, K2} 38,000, K 33,000, A 32,000, D
26,123.456; their total 171,123.456 (17.1123456 万元), before mitigation the same (the
8,000 moved out of A and {A, B} came into K and {K, K2}), potential 10,000 + 10,000 = 20,000.
"""

import csv
import json
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from api.cli.returns import render_returns_json, write_returns_csv, write_returns_xlsx
from graph.analysis import analyse
from graph.reports.returns import (
    InvalidReturns,
    ReturnFigures,
    Returns,
    ReturnTable,
    build_returns,
    figures_of,
    read_definition,
)
from schema.records import Bank
from schema.records import Facility as F
from schema.records import Relationship as R
from schema.regime import load_regime
from tests.datasets import dataset

CN_BANK = Bank("Test Bank", "CNY", tier1_capital=1_000_000.0, net_capital=1_200_000.0)
TITLES = ["序号", "客户代码", "客户名称", "风险暴露总和", "其中：不可豁免风险暴露", "占一级资本净额比例",
          "一般风险暴露", "特定风险暴露", "交易账簿风险暴露", "交易对手信用风险暴露", "潜在风险暴露", "其他",
          "风险缓释转出（转入以负数填列）", "未缓释前风险暴露总和"]
SHEETS = ["大额风险暴露总体情况", "大额风险暴露客户情况", "非同业单一客户大额风险暴露情况",
          "非同业集团客户及经济依存客户大额风险暴露情况", "同业单一客户大额风险暴露情况",
          "同业集团客户大额风险暴露情况", "about"]


def cn_book():
    return dataset(
        [R("OWNS", "A", "B", share=0.6), R("OWNS", "K", "K2", share=0.6),
         R("GUARANTEES", "K", "A", amount=8_000.0, facility="F1", eligible=True)],
        [F("F1", "A", 30_000.0, undrawn=20_000.0, ccf=0.5), F("F2", "B", 10_000.0),
         F("F3", "C", 25_000.0), F("F4", "D", 26_123.456), F("F5", "K", 25_000.0),
         F("F6", "K2", 5_000.0)],
        bank=CN_BANK, K={"is_bank": True}, K2={"is_bank": True})


@pytest.fixture(scope="module")
def cn():
    analysis = analyse(cn_book())
    return analysis, build_returns(analysis)


def ids(table: ReturnTable) -> list[str]:
    return [row["id"] for row in table.rows]


def test_the_figures_split_general_and_potential_and_move_mitigation(cn):
    analysis, _ = cn
    figures = {f.subject: f for f in figures_of(analysis)}
    a = figures["A"]
    assert (a.total_before, a.total_after, a.moved_out, a.moved_in) == (40_000.0, 32_000.0, 8_000.0, 0.0)
    assert a.categories_before["general"] == 30_000.0 and a.categories_before["potential"] == 10_000.0
    assert a.categories_after["general"] == 22_000.0 and a.categories_after["potential"] == 10_000.0
    k = figures["K"]
    assert (k.interbank, k.total_after, k.categories_after["general"], k.moved_in) == (
        True, 33_000.0, 33_000.0, 8_000.0)
    group = figures[analysis.group_by_member["A"].id]
    assert (group.kind, group.interbank, group.total_after, group.total_before) == (
        "group", False, 42_000.0, 50_000.0)
    assert figures[analysis.group_by_member["K"].id].interbank
    assert analysis.group_by_member["C"].id not in figures      # a group of one is its party


def test_cn_parts_list_the_large_exposures_of_each_population(cn):
    analysis, returns = cn
    ab, kk = analysis.group_by_member["A"].id, analysis.group_by_member["K"].id
    assert [p.key for p in returns.parts] == [
        "totals", "large_exposure_clients", "non_interbank_single", "non_interbank_groups",
        "interbank_single", "interbank_groups"]
    assert ids(returns.part("large_exposure_clients")) == [ab, kk, "K", "A", "D"]
    assert ids(returns.part("non_interbank_single")) == ["A", "D"]     # C at 2.5% is not above
    assert ids(returns.part("non_interbank_groups")) == [ab]
    assert ids(returns.part("interbank_single")) == ["K"]
    assert ids(returns.part("interbank_groups")) == [kk]
    row = returns.part("non_interbank_groups").rows[0]
    assert row["name"] == "name of A"
    # 万元: 42,000 / 10,000; moved out 8,000; before 50,000
    assert (row["total"], row["general"], row["potential"], row["mitigation_out"], row["total_before"]) == (
        4.2, 3.2, 1.0, 0.8, 5.0)
    assert returns.part("interbank_single").rows[0]["mitigation_out"] == -0.8
    types = [(r["type"], r["type_en"]) for r in returns.part("large_exposure_clients").rows]
    assert types[:3] == [("非同业集团客户", "non-interbank group of connected clients"),
                         ("同业集团客户", "interbank group"), ("同业单一客户", "interbank single client")]


def test_cn_totals_sum_each_population(cn):
    _, returns = cn
    rows = {r["item"]: r for r in returns.part("totals").rows}
    large = rows["大额风险暴露客户"]
    assert large["item_en"] == "large-exposure clients"
    assert large["count"] == 5
    assert large["total"] == pytest.approx(17.1123456)        # 171,123.456 / 10,000
    assert large["total_before"] == pytest.approx(17.1123456)
    assert large["mitigation_out"] == pytest.approx(0.0)      # 8,000 - 8,000 - 8,000 + 8,000
    assert large["potential"] == pytest.approx(2.0)
    assert large["general"] == pytest.approx(15.1123456)
    assert large["share_of_tier1"] == pytest.approx(0.171123456)
    single = rows["非同业单一客户"]
    assert (single["count"], single["total"], single["total_before"]) == (
        2, pytest.approx(5.8123456), pytest.approx(6.6123456))      # A 32,000 + D; A 40,000 + D
    assert rows["同业集团客户"]["count"] == 1 and rows["同业集团客户"]["mitigation_out"] == -0.8


def test_xlsx_has_a_sheet_per_part_with_the_template_titles_and_amounts_in_wan_yuan(cn, tmp_path):
    _, returns = cn
    path = tmp_path / "g14.xlsx"
    write_returns_xlsx(returns, path)
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    sheet = book["非同业单一客户大额风险暴露情况"]
    assert [c.value for c in sheet[1]] == TITLES
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == [1, "A", "name of A", 3.2, 3.2, 0.032, 2.2, 0, 0, 0, 1.0, 0,
                                           0.8, 4.0]
    d = [c.value for c in sheet[3]]
    assert d[:5] == [2, "D", "name of D", 2.61, 2.61]           # 26,123.456 / 10,000, 2 places
    assert d[5] == pytest.approx(0.026123456)                    # ratios kept whole, shown as %
    assert sheet.max_row == 3
    assert sheet["D2"].number_format == "#,##0.00" and sheet["F2"].number_format == "0.00%"
    totals = book["大额风险暴露总体情况"]
    assert [c.value for c in totals[1]][:5] == ["项目", "客户数", "风险暴露总和", "其中：不可豁免风险暴露",
                                                "占一级资本净额比例"]
    assert [c.value for c in totals[2]][:3] == ["大额风险暴露客户", 5, 17.11]
    assert totals["J2"].value == 2.0 and totals["K2"].value == 0     # potential, other
    assert totals["L2"].value == 0 and totals["M2"].value == 17.11   # mitigation out, before
    about = {r[0].value: r[1].value for r in book["about"].iter_rows()}
    assert about["unit"] == "万元 (ten thousand yuan): amounts in CNY / 10000"


def test_csv_and_json_carry_the_same_figures(cn, tmp_path):
    _, returns = cn
    written = write_returns_csv(returns, tmp_path / "csv")
    assert sorted(p.name for p in written) == sorted(
        [f"{p.key}.csv" for p in returns.parts] + ["about.csv"])
    with (tmp_path / "csv" / "non_interbank_single.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == TITLES
    assert rows[2][:5] == ["2", "D", "name of D", "2.61", "2.61"]
    assert rows[2][5] == "0.026123"
    data = json.loads(render_returns_json(returns))
    assert data["unit"] == {"title": "万元", "title_en": "ten thousand yuan", "divisor": 10000.0,
                            "decimals": 2}
    assert data["regime"] == "CN-2018" and data["template"] == "G14"
    part = next(p for p in data["parts"] if p["key"] == "non_interbank_single")
    assert part["source"] == "G14 part II; Art. 5"
    assert [c["title"] for c in part["columns"]] == TITLES
    assert part["columns"][3] == {"key": "total", "title": "风险暴露总和", "title_en": "total exposure",
                                  "kind": "money"}
    assert part["rows"][1]["total"] == pytest.approx(2.6123456)     # full precision
    assert part["rows"][0]["general"] == 2.2


def test_text_rows_for_pages(cn):
    _, returns = cn
    assert returns.part("non_interbank_single").text_rows()[1][:6] == [
        "2", "D", "name of D", "2.61", "2.61", "2.61%"]


def basel_book():
    """Tier 1 1,000 (BASEL: at least 10% = 100). M holds 60% of N: group 60 + 50 = 110.
    X 100 (exactly 10%), Y 99.99 (just under), Z 120 of which W guarantees 30: 90 after,
    120 before; W 30 after. T01..T20 borrow 11..30."""
    bank = Bank("Test Bank", "CNY", tier1_capital=1000.0, net_capital=1200.0, regime="BASEL")
    facilities = [F("FM", "M", 60.0), F("FN", "N", 50.0), F("FX", "X", 100.0), F("FY", "Y", 99.99),
                  F("FZ", "Z", 120.0)]
    facilities += [F(f"FT{k:02}", f"T{k:02}", 10.0 + k) for k in range(1, 21)]
    return dataset([R("OWNS", "M", "N", share=0.6),
                    R("GUARANTEES", "W", "Z", amount=30.0, facility="FZ", eligible=True)],
                   facilities, bank=bank)


def test_basel_lists_of_lex20_4():
    analysis = analyse(basel_book())
    returns = build_returns(analysis)
    mn = analysis.group_by_member["M"].id
    assert [p.key for p in returns.parts] == ["after_mitigation", "before_mitigation", "exempt",
                                              "largest_20"]
    assert ids(returns.part("after_mitigation")) == [mn, "X"]          # 110 and 100; Y 99.99 out
    assert ids(returns.part("before_mitigation")) == ["Z"]             # 120 before; the others listed
    assert ids(returns.part("exempt")) == []                           # nothing exempt yet
    largest = ids(returns.part("largest_20"))
    # group 110, X 100, Y 99.99, Z 90, then 30 twice (T20 before W by id), T19 29 ... T06 16;
    # M and N are counted in their group, not alone
    assert largest == [mn, "X", "Y", "Z", "T20", "W", *(f"T{k:02}" for k in range(19, 5, -1))]
    assert returns.definition.unit == "base currency"
    z = returns.part("before_mitigation").rows[0]
    assert (z["total_before"], z["share_of_tier1_before"], z["total"], z["share_of_tier1"]) == (
        120.0, 0.12, 90.0, 0.09)


def exempt_figures(subject, exempt):
    categories = {c: 0.0 for c in ("general", "specific", "trading", "counterparty", "potential", "other")}
    return ReturnFigures(subject, f"sovereign {subject}", "party", False, total_after=exempt,
                         non_exempt=0.0, categories_after=categories, categories_before=categories,
                         moved_out=0.0, moved_in=0.0, total_before=exempt, exempt=exempt,
                         exempt_before=exempt)


def test_basel_exempt_list_from_the_typed_input():
    analysis = analyse(basel_book())
    figures = [exempt_figures("S1", 150.0), exempt_figures("S2", 100.0), exempt_figures("S3", 99.99)]
    returns = build_returns(analysis, figures)
    assert isinstance(returns, Returns)
    assert ids(returns.part("exempt")) == ["S1", "S2"]              # 15%, exactly 10%; 9.999% out
    assert [r["exempt_share_of_tier1"] for r in returns.part("exempt").rows] == [0.15, 0.1]
    assert ids(returns.part("after_mitigation")) == []               # exempt: not a large exposure
    assert ids(returns.part("largest_20")) == []                     # nothing non-exempt


def test_a_broken_returns_table_is_a_clear_error():
    regime = load_regime("CN-2018")
    parts = [dict(p) for p in regime.returns["parts"]]
    parts[2] = {**parts[2], "columns": ["rank", "id", "nonsense"]}
    with pytest.raises(InvalidReturns, match=r"CN-2018 \[returns\] part 3 \(non_interbank_single\): "
                                             r"unknown column 'nonsense' for a list part"):
        read_definition(replace(regime, returns={**regime.returns, "parts": parts}))
    parts = [dict(p) for p in regime.returns["parts"]]
    parts[1] = {**parts[1], "subjects": "everyone"}
    with pytest.raises(InvalidReturns, match="subjects: expected one of party, group, any, counterparty"):
        read_definition(replace(regime, returns={**regime.returns, "parts": parts}))
    basel = load_regime("BASEL")
    parts = [dict(p) for p in basel.returns["parts"]]
    parts[0] = {**parts[0], "exclude": ["largest_20"]}
    with pytest.raises(InvalidReturns, match="exclude: expected keys of parts before this one"):
        read_definition(replace(basel, returns={**basel.returns, "parts": parts}))
    with pytest.raises(InvalidReturns, match="no part 'G15'"):
        read_definition(regime).part("G15")


def test_a_regime_checking_before_mitigation_picks_large_exposures_before_it():
    """limits_apply_to = "gross": K is 25,000 before mitigation (2.5%, not above), C too;
    A 40,000 and D stay large; the groups: {A, B} 50,000, {K, K2} 30,000."""
    regime = replace(load_regime("CN-2018"), limits_apply_to="gross")
    analysis = analyse(cn_book(), regime=regime)
    returns = build_returns(analysis)
    ab, kk = analysis.group_by_member["A"].id, analysis.group_by_member["K"].id
    assert ids(returns.part("large_exposure_clients")) == [ab, kk, "A", "D"]   # by after: 42, 38, 32, 26
    assert ids(returns.part("interbank_single")) == []
