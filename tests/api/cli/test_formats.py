"""The report as JSON, Markdown, CSV and Excel: the same figures in every format."""

import csv
from datetime import date

from openpyxl import load_workbook

from api.cli.formats import render_markdown, render_reconciliation, report_tables, write_csv, write_xlsx
from graph.analysis import analyse
from graph.reports.reconcile import reconcile
from graph.reports.report import build_report
from graph.risk import assess
from loaders.merge import load_paths
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset
from tests.loaders.real_data import gasgrid_file, gleif_files

# A controls B and C; the bank lends 110 + 100 = 210 to the group: 21% of tier 1 (breach).
# B and C guarantee each other: a circle. X borrows 26: a large exposure.
BOOK = dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "A", "C", share=0.6),
                R("GUARANTEES", "B", "C", amount=5.0), R("GUARANTEES", "C", "B", amount=7.0)],
               [F("F1", "B", 110.0, product="trade_finance"),
                F("F2", "C", 100.0, product="trade_finance"), F("F3", "X", 26.0)],
               B={"net_assets": 50.0}, C={"net_assets": 50.0})


def report():
    return build_report(assess(analyse(BOOK)))


def test_json_report_sections():
    r = report()
    group = r["groups"][0]
    assert (group["members"][0]["id"], group["exposure"]["gross"]) == ("A", 210.0)
    assert group["limit_usage"] == 1.05
    assert [f["code"] for f in group["flags"]] == ["LIMIT_BREACH", "LARGE_EXPOSURE"]
    # B (11%) and C (10%) are below 80% of their 15% limit; trade finance is not a loan
    assert [(row["subject"], row["check"], row["gross_status"]) for row in r["limits"]] == [
        (group["id"], "group", "breach")]
    assert r["limits"][0]["gross_ratio"] == 0.21
    assert [e["subject"] for e in r["large_exposures"]] == [group["id"], "B", "C", "X"]
    assert r["concentration"]["group"]["hhi"] == round((210 / 236) ** 2 * 1e4 + (26 / 236) ** 2 * 1e4, 2)
    assert r["guarantee_circles"][0]["total_guaranteed"] == 12.0
    assert r["guarantee_circles"][0]["exposure"] == {"gross": 210.0, "net": 210.0}
    assert r["summary"]["limit_breaches"] == 1


def test_markdown_reads_as_a_report():
    md = render_markdown(report())
    assert md.startswith("# Group clients report: Test Bank\n")
    assert "| limit breaches (gross) | 1 |" in md
    assert ("| name of A group `G" in md and "| a group of connected non-interbank clients | "
            "20.00% of tier 1 capital | 210 | 21.00% | BREACH | 21.00% | breach | CN-2018 Art. 6 |" in md)
    # (210/236)^2 + (26/236)^2 = 0.80394
    assert "**By group**: HHI 8,039; the top 10 hold 100.00% of gross exposure." in md
    assert "| name of C `C` | 100 | 100 | name of A [A] controls name of C [C] by holdings" in md


def test_csv_files_and_excel_sheets_hold_the_same_tables(tmp_path):
    r = report()
    tables = report_tables(r)
    written = write_csv(r, tmp_path / "csv")
    assert [p.name for p in written] == [f"{name}.csv" for name in tables]
    with (tmp_path / "csv" / "groups.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["gross"] == "210.0"
    assert rows[0]["flags"] == "LIMIT_BREACH, LARGE_EXPOSURE"
    write_xlsx(r, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == list(tables)
    sheet = book["limits"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("gross_ratio") + 1).value == 0.21


def test_the_reconciliation_as_markdown():
    lei, rr = gleif_files()
    result = reconcile(analyse(load_paths([lei, rr, gasgrid_file()]).dataset,
                               as_of=date(2023, 11, 6)))
    markdown = render_reconciliation(result)
    assert markdown.startswith("# Reconciliation of declared ownership, as of 2023-11-06\n\n"
                               "4 declarations: 4 agree, 0 mismatch.")
    assert ("| ultimate parent | MONOOVA FX PTY LTD [98450051BS9C610A8T78] | MONEYTECH GROUP "
            "LIMITED [984500501A1B1045PB30] | MONEYTECH GROUP LIMITED [984500501A1B1045PB30] | "
            "**agree** |") in markdown
    assert "| 0% (through control: 100%) |" in markdown
