"""`groupgraph returns`, run as a user runs it: load a folder, write the return in each
format, read the files back.

The book is that of tests/graph/reports/test_returns.py as files (tier 1 capital 1,000,000
CNY): A 40,000 before and 32,000 after K's guarantee of 8,000 (3.2%), B 10,000 in A's
group (42,000 after, 4.2%), C 25,000 (2.5%: not above), D 26,123.456 (2.61 万元), banks K
(33,000 after) and K2 (5,000) in an interbank group (38,000).
"""

import csv
import json

from openpyxl import load_workbook

from tests.api.cli.test_cli import run
from tests.datasets import write_folder

BANK_TOML = """name = "Test Bank"
base_currency = "CNY"
tier1_capital = 1000000
net_capital = 1200000
regime = "CN-2018"
"""
ENTITIES = [{"id": i, "name": f"name of {i}", "kind": "company",
             "is_bank": "true" if i.startswith("K") else "false"}
            for i in ("A", "B", "C", "D", "K", "K2")]
RELATIONSHIPS = [
    {"type": "OWNS", "source": "A", "target": "B", "share": "60%"},
    {"type": "OWNS", "source": "K", "target": "K2", "share": "60%"},
    {"type": "GUARANTEES", "source": "K", "target": "A", "amount": "8000", "facility": "F1",
     "eligible": "true"},
]
FACILITIES = [
    {"id": "F1", "borrower": "A", "outstanding": "30000", "undrawn": "20000", "ccf": "0.5"},
    {"id": "F2", "borrower": "B", "outstanding": "10000"},
    {"id": "F3", "borrower": "C", "outstanding": "25000"},
    {"id": "F4", "borrower": "D", "outstanding": "26123.456"},
    {"id": "F5", "borrower": "K", "outstanding": "25000"},
    {"id": "F6", "borrower": "K2", "outstanding": "5000"},
]


def test_returns_in_xlsx_csv_and_json_from_the_command_line(tmp_path):
    folder = write_folder(tmp_path / "data", ENTITIES, RELATIONSHIPS, FACILITIES,
                          bank_toml=BANK_TOML)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    assert run("load", str(folder), "--store", store).returncode == 0

    xlsx = run("returns", "--store", store, "-o", str(tmp_path / "g14.xlsx"))   # xlsx by default
    assert xlsx.returncode == 0, xlsx.stderr
    assert "non_interbank_single 2" in xlsx.stderr
    sheet = load_workbook(tmp_path / "g14.xlsx")["非同业单一客户大额风险暴露情况"]
    assert [c.value for c in sheet["A"]] == ["序号", 1, 2]
    assert [c.value for c in sheet["D"]] == ["风险暴露总和", 3.2, 2.61]      # 万元
    assert [c.value for c in sheet["N"]] == ["未缓释前风险暴露总和", 4.0, 2.61]

    assert run("returns", "--store", store, "--format", "csv", "-o", str(tmp_path / "csv")
               ).returncode == 0
    with (tmp_path / "csv" / "interbank_single.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    # K: 33,000 after, moved in 8,000 (-0.8 万元), 25,000 before
    assert [rows[1][i] for i in (1, 3, 12, 13)] == ["K", "3.3", "-0.8", "2.5"]

    assert run("returns", "--store", store, "--format", "json", "-o", str(tmp_path / "g14.json")
               ).returncode == 0
    data = json.loads((tmp_path / "g14.json").read_text(encoding="utf-8"))
    totals = next(p for p in data["parts"] if p["key"] == "totals")
    assert totals["rows"][0]["count"] == 5
    assert abs(totals["rows"][0]["total"] - 17.1123456) < 1e-9

    basel = run("returns", "--store", store, "--regime", "BASEL", "--format", "json", "-o",
                str(tmp_path / "lex.json"))
    assert basel.returncode == 0, basel.stderr
    lex = json.loads((tmp_path / "lex.json").read_text(encoding="utf-8"))
    # at least 10% of 1,000,000 is 100,000: nothing; the 20 largest: all 4 counterparties
    # (groups {A, B} and {K, K2}, then D 26,123.456 and C 25,000)
    assert [len(p["rows"]) for p in lex["parts"]] == [0, 0, 0, 4]
    assert [r["id"] for r in lex["parts"][3]["rows"]][2:] == ["D", "C"]


def test_returns_needs_an_output_and_a_known_format(tmp_path):
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    missing = run("returns", "--store", store)
    assert missing.returncode == 2 and "-o" in missing.stderr
    wrong = run("returns", "--store", store, "--format", "md", "-o", str(tmp_path / "x"))
    assert wrong.returncode == 2 and "md" in wrong.stderr
    empty = run("returns", "--store", store, "-o", str(tmp_path / "x.xlsx"))
    assert empty.returncode == 1 and "nothing loaded yet" in empty.stderr
