"""The pages of the regulatory exposure model (DESIGN 3b), rendered in process: beneficial
owners (R18), headroom with the binding limit (R19), exposure by G14 column before and after
mitigation with what moved out and in and the exempt part (R13-R16), risk factors of
product parties (R15), and the returns page with its files (R20). Figures are worked out by
hand in ``tests/api/sample.py`` and ``tests/api/server/regulatory_book.py``."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from graph.analysis import analyse
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from tests.api.conftest import Server, in_process, run_in_browser, start_server
from tests.api.server.regulatory_book import A_NAME, SCRIPT_NAME, write_book
from tests.api.server.test_browser import ARTIFACTS, restricted_page
from tests.api.server.test_pages import page


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each row of the table ``table_id`` (tags dropped, spaces collapsed)."""
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def headroom_rows(html: str) -> dict[str, tuple[str, str, str, bool]]:
    """Each headroom row by check and subject kind: limit amount, checked exposure,
    headroom, and whether it is marked binding."""
    table = html[html.index('id="headroom"'):]
    table = table[:table.index("</table>")]
    found = {}
    for attributes, row in re.findall(r"<tr (data-check[^>]*)>(.*?)</tr>", table, re.S):
        check = re.search(r'data-check="(\w+)" data-subject="(\w+)"', attributes)
        texts = [" ".join(re.sub(r"<[^>]+>", " ", c).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        found[f"{check[1]}/{check[2]}"] = (texts[3], texts[4], texts[7],
                                           'class="binding"' in attributes)
    return found


@pytest.fixture(scope="module")
def sample_groups(sample_folder: Path) -> dict[str, str]:
    analysis = analyse(read_dataset(sample_folder))
    return {m: g.id for g in analysis.groups for m in g.members}


# -- the sample of tests/api/sample.py --------------------------------------------------


def test_beneficial_owners_by_ownership_and_by_control(client):
    # C1: 王建国 holds 40% (at least 25%: ownership); 李芳 15%, but her family controls C1
    # (40% + 15% = 55% > 50%): control. C2: 王建国 0.4 x 0.6 = 24%, below 25%: control.
    assert cells(page(client, "/entities/C1"), "beneficial-owners")[1:] == [
        ["王建国 P1", "ownership 持股", "40.00%"], ["李芳 P2", "control 控制", "15.00%"]]
    assert cells(page(client, "/entities/C2"), "beneficial-owners")[1:] == [
        ["王建国 P1", "control 控制", "24.00%"], ["李芳 P2", "control 控制", "9.00%"]]
    assert 'id="beneficial-owners"' not in page(client, "/entities/P1")    # a person


def test_headroom_marks_the_binding_limit(client):
    # C4 borrows a loan of 30 and is a group of one: single party 15% x 1,000 = 150 - 30 =
    # 120; loans 10% x 1,200 = 120 - 30 = 90, the least: binding
    rows = headroom_rows(page(client, "/entities/C4"))
    assert rows == {"single_party/party": ("150.00", "30.00", "120.00", False),
                    "single_party_loans/party": ("120.00", "30.00", "90.00", True)}
    assert "binding 约束" in page(client, "/entities/C4")


def test_a_group_s_headroom(client, sample_groups):
    # the family group: 20% x 1,000 = 200 less its exposure after mitigation 845 + 50 = 895:
    # nothing left (not below zero), and it is the group's only limit, so it binds
    rows = headroom_rows(page(client, f"/groups/{sample_groups['C1']}"))
    assert rows == {"group/group": ("200.00", "895.00", "0.00", True)}
    # a party of the group lists its group's limit beside its own: C2 single 150 - 50 = 100,
    # loans 120 - 20 = 100, the group's 0 binds
    rows = headroom_rows(page(client, "/entities/C2"))
    assert rows["single_party/party"][2] == "100.00" and rows["group/group"][3]
    assert [binding for *_, binding in rows.values()] == [False, False, True]


# -- the book of tests/api/server/regulatory_book.py -------------------------------------


@pytest.fixture(scope="module")
def book_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_book(tmp_path_factory.mktemp("regulatory-book") / "data")


@pytest.fixture(scope="module")
def book_group(book_folder: Path) -> str:
    return analyse(read_dataset(book_folder)).group_by_member["A"].id


@pytest.fixture(scope="module")
def book(book_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over the book, in process."""
    store = EmbeddedStore(tmp_path_factory.mktemp("regulatory-store") / "store.sqlite")
    store.replace(read_dataset(book_folder), source=str(book_folder))
    with in_process(store) as test_client:
        yield test_client


def figures(html: str) -> dict[str, str]:
    """The mitigation figures under the G14 table: moved out, moved in, exempt, non-exempt."""
    facts = html[html.index('id="mitigation"'):]
    facts = facts[:facts.index("</dl>")]
    return {key: value.split()[0] for key, value in
            ((k, " ".join(re.sub(r"<[^>]+>", " ", v).split()))
             for k, v in re.findall(r'<dd data-figure="(\w+)">(.*?)</dd>', facts, re.S))}


def test_a_party_s_exposure_by_g14_column_before_and_after_mitigation(book):
    html = page(book, "/entities/A")
    # before: general FA1 100 + FA2 20 = 120, specific 2 looked through from the fund,
    # trading 5, potential 0.5 x 50 + 0.5 x 40 = 45; the government bond moves 25 of the
    # general column to 财政部: 95 after; totals 172 and 147
    assert cells(html, "categories")[1:] == [
        ["general 一般风险暴露", "120.00", "95.00"], ["specific 特定风险暴露", "2.00", "2.00"],
        ["trading book 交易账簿风险暴露", "5.00", "5.00"],
        ["counterparty credit 交易对手信用风险暴露", "0.00", "0.00"],
        ["potential 潜在风险暴露", "45.00", "45.00"], ["other 其他", "0.00", "0.00"],
        ["total 合计", "172.00", "147.00"]]
    # 172 = 147 + 25 - 0
    assert figures(html) == {"moved_out": "25.00", "moved_in": "0.00", "exempt": "0.00",
                             "non_exempt": "147.00"}
    moves = cells(html, "moves")[1:]
    assert [(m[0], m[5], m[6]) for m in moves] == [
        ("look-through 穿透", "2.00", "underlyings.csv:2"),
        ("substituting collateral 替代", "25.00", "collateral.csv:2")]


def test_what_moved_out_of_a_party_and_onto_the_exempt_state(book):
    html = page(book, "/entities/B")
    # B's loan of 30: cash 10 reduces it, the bank's guarantee takes 15: 5 left, 25 out;
    # the building (real estate) is not recognised
    assert cells(html, "categories")[1] == ["general 一般风险暴露", "30.00", "5.00"]
    assert figures(html)["moved_out"] == "25.00"
    assert [m[0] for m in cells(html, "moves")[1:]] == ["reducing collateral 缓释", "guarantee 保证"]
    # 财政部: its bond 200 and the 25 moved onto it, all exempt (China's central government)
    html = page(book, "/entities/S1")
    assert figures(html) == {"moved_out": "0.00", "moved_in": "25.00", "exempt": "225.00",
                             "non_exempt": "0.00"}
    assert "China&#39;s central government (Art. 19(1))" in html
    assert figures(page(book, "/entities/G1"))["moved_in"] == "15.00"


def test_product_parties_are_risk_factors_not_exposure(book):
    # A is the fund's liquidity provider and 华夏基金 its manager; the bank holds 50 of it
    assert cells(page(book, "/entities/A"), "risk-factors")[1:] == [
        ["liquidity provider 流动性支持", "FP1", "鑫源资产管理计划 FUND", "50.00", "product_parties.csv:3"]]
    html = page(book, "/entities/M1")
    assert cells(html, "risk-factors")[1][0] == "manager 管理人"
    assert cells(html, "categories")[-1] == ["total 合计", "0.00", "0.00"]


def test_headroom_on_the_figure_after_mitigation(book):
    # A: single party 150 - 147 = 3, the least: binding; loans 120 - 100 = 20; group
    # 200 - (147 + 5) = 48. B: single 150 - 5 = 145, loans 120 - 30 = 90, group 48 binds.
    assert headroom_rows(page(book, "/entities/A")) == {
        "single_party/party": ("150.00", "147.00", "3.00", True),
        "single_party_loans/party": ("120.00", "100.00", "20.00", False),
        "group/group": ("200.00", "152.00", "48.00", False)}
    rows = headroom_rows(page(book, "/entities/B"))
    assert rows["single_party/party"][2] == "145.00" and rows["single_party_loans/party"][2] == "90.00"
    assert rows["group/group"] == ("200.00", "152.00", "48.00", True)


def test_an_exempt_party_is_left_out_of_its_limits(book):
    # 财政部's 225 after mitigation is exempt: the limits check 0, its whole limit is room
    html = page(book, "/entities/S1")
    assert headroom_rows(html)["single_party/party"] == ("150.00", "0.00", "150.00", False)
    limits = {row[0]: row[1:] for row in cells(html, "limits")[1:]}
    assert limits["a single non-interbank party"][:4] == [
        "15.0% of tier 1 capital", "0.00%", "ok", "22.50%"]
    # A: 147 / 1,000 = 14.70%, at 98% of the 15% limit: a warning (from 80%); 17.20% before
    limits = {row[0]: row[1:] for row in cells(page(book, "/entities/A"), "limits")[1:]}
    assert limits["a single non-interbank party"][1:5] == ["14.70%", "warning", "14.70%", "17.20%"]


def test_the_group_page_shows_its_columns_exempt_part_and_headroom(book, book_group):
    html = page(book, f"/groups/{book_group}")
    # A and B: general 120 + 30 = 150 before, 95 + 5 = 100 after; 202 and 152; out 25 + 25
    assert cells(html, "categories")[1] == ["general 一般风险暴露", "150.00", "100.00"]
    assert cells(html, "categories")[-1] == ["total 合计", "202.00", "152.00"]
    assert figures(html) == {"moved_out": "50.00", "moved_in": "0.00", "exempt": "0.00",
                             "non_exempt": "152.00"}
    assert headroom_rows(html) == {"group/group": ("200.00", "152.00", "48.00", True)}


def test_names_are_escaped(book):
    html = page(book, "/entities/A")
    assert "<script" not in html and "<b>有限" not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;孙丽" in html
    assert "<h1>安信制造&lt;b&gt;有限&lt;/b&gt;公司" in html
    assert cells(html, "beneficial-owners")[1:] == [
        ["王强 P1", "ownership 持股", "40.00%"],
        ["&lt;script&gt;window.pwned=1&lt;/script&gt;孙丽 P2", "ownership 持股", "25.00%"]]
    assert "&lt;script&gt;" in page(book, "/entities/P2")
    returns = page(book, "/returns")
    assert "<b>有限" not in returns and "安信制造&lt;b&gt;有限&lt;/b&gt;公司" in returns
    # B: no one holds 25% (王强 0.4 x 0.6 = 24%) or controls it: its CEO
    assert cells(page(book, "/entities/B"), "beneficial-owners")[1:] == [
        ["Li Ming P3", "senior manager 高级管理人员", "0.00%"]]


def return_rows(html: str, part: str) -> dict[str, dict[str, str]]:
    """The rows of a part of the returns page by client id, each by column key."""
    table = html[html.index(f'data-part="{part}"'):]
    table = table[:table.index("</table>")]
    keys = re.findall(r'<th[^>]*data-column="(\w+)"', table)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        texts = [" ".join(re.sub(r"<[^>]+>", " ", c).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        values = dict(zip(keys, texts, strict=True))
        rows[values.get("id", values.get("item", ""))] = values
    return rows


def test_the_returns_page_lists_each_part_with_its_rows(book, book_group):
    html = page(book, "/returns")
    assert "<h1>G14 大额风险暴露统计表" in html and 'href="/returns"' in html
    # large exposures: above 2.5% x 1,000 = 25 after mitigation, without exempt exposure:
    # the group (152), A (147), the anonymous client (47); B (5) and G1 (15) are not
    # (财政部's 225 is exempt: not large); shown in CNY, the columns after mitigation, and
    # mitigation moved out less moved in
    columns = ("rank", "total", "non_exempt", "share_of_tier1", "general", "specific", "trading",
               "counterparty", "potential", "other", "mitigation_out", "total_before")
    rows = return_rows(html, "non_interbank_single")
    assert list(rows) == ["A", "ANONYMOUS"]
    assert [rows["A"][k] for k in columns] == [
        "1", "147.00", "147.00", "14.70%", "95.00", "2.00", "5.00", "0.00", "45.00", "0.00",
        "25.00", "172.00"]
    # the anonymous client: the fund's 47 unidentified, specific
    assert [rows["ANONYMOUS"][k] for k in ("rank", "total", "specific")] == ["2", "47.00", "47.00"]
    groups = return_rows(html, "non_interbank_groups")
    assert list(groups) == [book_group]
    # A + B: general 95 + 5 = 100, moved out 25 + 25 = 50, before 172 + 30 = 202
    assert [groups[book_group][k] for k in columns] == [
        "1", "152.00", "152.00", "15.20%", "100.00", "2.00", "5.00", "0.00", "45.00", "0.00",
        "50.00", "202.00"]
    totals = return_rows(html, "totals")
    assert [totals["非同业单一客户 non-interbank single clients"][k]
            for k in ("count", "total")] == ["2", "194.00"]            # 147 + 47
    assert f'<a href="/groups/{book_group}">' in html and '<a href="/entities/A">' in html
    assert "No client in this part" in html              # no interbank client is large


def test_the_return_downloads_as_xlsx_csv_and_json(book):
    html = page(book, "/returns")
    for kind in ("xlsx", "csv", "json"):
        assert f'href="/returns/download?format={kind}"' in html
    workbook = book.get("/returns/download?format=xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-disposition"].startswith('attachment; filename="G14-')
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets[0] == "大额风险暴露总体情况" and sheets[-1] == "about"
    archive = zipfile.ZipFile(io.BytesIO(book.get("/returns/download?format=csv").content))
    assert "non_interbank_single.csv" in archive.namelist() and "about.csv" in archive.namelist()
    answer = json.loads(book.get("/returns/download?format=json").content)
    single = next(p for p in answer["parts"] if p["key"] == "non_interbank_single")
    a = next(r for r in single["rows"] if r["id"] == "A")
    assert a["total"] == pytest.approx(147 / 10_000)       # the file is in 万元
    assert book.get("/returns/download?format=exe").status_code == 422



def test_the_basel_return_is_its_four_lists(sample_store):
    with in_process(sample_store, regime="BASEL") as test_client:
        html = page(test_client, "/returns")
    # at least 10% of tier 1 (100) after mitigation: the family group 845 + 50 = 895 and C3
    # 120 (C1 and C2 are in the group, the others below 100); no other reaches 100 before
    # mitigation, nothing is exempt: those two lists are empty; the 20 largest list all
    assert re.findall(r'data-part="(\w+)"', html) == ["after_mitigation", "largest_20"]
    assert html.count("No client in this part") == 2
    rows = return_rows(html, "after_mitigation")
    assert [(r["rank"], r["total"]) for r in rows.values()] == [("1", "895.00"), ("2", "120.00")]
    assert list(rows)[1] == "C3"


def test_a_regime_without_a_return_says_so(sample_store, tmp_path):
    text = (Path(__file__).resolve().parents[3] / "schema/regimes/CN-2018.toml").read_text("utf-8")
    regime = tmp_path / "no-returns.toml"
    regime.write_text(text[:text.index("[returns]")], encoding="utf-8")
    with in_process(sample_store, regime=str(regime)) as test_client:
        response = test_client.get("/returns")
        assert response.status_code == 404
        assert "the regime file has no [returns] table" in response.text
        assert test_client.get("/returns/download?format=json").status_code == 404

# -- in a real browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def book_server(book_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``groupgraph serve --data`` of the book."""
    server = start_server(["--data", str(book_folder)],
                          tmp_path_factory.mktemp("serve-book") / "serve.log")
    yield server
    server.stop()


def test_returns_to_party_to_group_in_a_browser(book_server):
    run_in_browser(lambda browser: returns_to_party_to_group(browser, book_server))


def returns_to_party_to_group(browser: Any, server: Server) -> None:
    page, blocked, errors = restricted_page(browser, server)
    try:
        page.goto(server.url + "/")
        page.click("header a[href='/returns']")
        part = page.locator("table[data-part=non_interbank_single]")
        row = part.locator("tr", has=page.locator("a[href='/entities/A']"))
        texts = row.locator("td").all_inner_texts()
        # rank, id, name shown as text (its tags too), total 147, non-exempt 147, 14.70%
        assert texts[1:6] == ["A", A_NAME, "147.00", "147.00", "14.70%"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-returns-page.png"), full_page=True)
        with page.expect_download() as download:
            page.click("a[href='/returns/download?format=xlsx']")
        assert download.value.suggested_filename.endswith(".xlsx")
        sheets = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).sheetnames
        assert "非同业单一客户大额风险暴露情况" in sheets

        row.locator("a[href='/entities/A']").click()
        page.wait_for_selector("#headroom")
        assert page.locator("h1").inner_text() == f"{A_NAME} A"
        assert page.evaluate("window.pwned") is None              # the names did not run
        owners = page.locator("#beneficial-owners tbody tr").all_inner_texts()
        assert [" ".join(o.split()) for o in owners] == [
            "王强 P1 ownership 持股 40.00%", f"{SCRIPT_NAME} P2 ownership 持股 25.00%"]
        binding = page.locator("#headroom tr.binding")
        assert binding.get_attribute("data-check") == "single_party"
        assert binding.locator(".headroom-value").inner_text() == "3.00"     # 150 - 147
        general = page.locator("#categories tr[data-category=general] td").all_inner_texts()
        assert general[1:] == ["120.00", "95.00"]
        assert page.locator("#mitigation [data-figure=moved_out]").inner_text() == "25.00"
        page.screenshot(path=str(ARTIFACTS / "api-party-exposure-model.png"), full_page=True)

        page.click("p.sub a[href^='/groups/']")
        page.wait_for_selector("#categories")
        assert page.locator("#categories tfoot th").all_inner_texts()[1:] == ["202.00", "152.00"]
        assert page.locator("#headroom tr.binding .headroom-value").inner_text() == "48.00"
        assert page.locator("#mitigation [data-figure=non_exempt]").inner_text().startswith("152.00")
        assert page.evaluate("window.pwned") is None
        assert blocked == [], f"the pages tried to load {blocked}"
        assert errors == [], errors
    finally:
        page.context.close()
