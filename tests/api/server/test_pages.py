"""The analyst pages, rendered in process: what each shows, in Chinese where the data is,
with nothing to load from elsewhere."""

from __future__ import annotations

import re

import pytest

from graph.analysis import analyse
from loaders.dataset import read_dataset
from schema.model import load_model

EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def groups(sample_folder):
    analysis = analyse(read_dataset(sample_folder))
    return {m: g.id for g in analysis.groups for m in g.members}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors" in csp
    assert not EXTERNAL.search(response.text), "the page refers to another site"
    return response.text


def test_the_group_list_ranks_groups_by_exposure_with_flags_and_limit_usage(client, groups):
    html = page(client, "/")
    assert "<script" not in html
    ranked = re.findall(r'data-group-id="(G[0-9a-f]+)"', html)
    assert ranked[:3] == [groups["C1"], groups["C3"], groups["B1"]]
    row = html[html.index(f'data-group-id="{groups["C1"]}"'):]
    row = row[:row.index("</tr>")]
    assert "王建国 family" in row and "895.00" in row and "89.50%" in row
    assert "LIMIT_BREACH" in row and "LARGE_EXPOSURE" in row
    assert "447.5% of the tightest limit" in row              # limit usage: 89.5% / 20%
    assert "王建国" in row and "李芳" in row                     # the controllers


def test_flag_badges_take_their_colours_from_the_model(client):
    html = page(client, "/")
    badges = [f for f in load_model().flags.values() if f.badge]
    assert badges
    for flag in badges:
        assert f".flag.{flag.code} {{ background: {flag.badge}; }}" in html


def test_the_group_list_filters_by_flag_and_size(client, groups):
    html = page(client, "/?flag=GUARANTEE_CIRCLE")
    assert sorted(re.findall(r'data-group-id="(G[0-9a-f]+)"', html)) == sorted(
        [groups["C4"], groups["C5"]])
    assert re.findall(r'data-group-id="(G[0-9a-f]+)"', page(client, "/?min_size=2")) == [groups["C1"]]


def test_the_group_page_shows_members_controllers_evidence_exposure_and_view(client, groups):
    html = page(client, f"/groups/{groups['C1']}")
    members = html[html.index('id="members"'):]
    assert re.findall(r'data-entity-id="(\w+)"', members) == ["C1", "C2", "P1", "P2"]
    controllers = html[html.index('id="controllers"'):html.index('id="members"')]
    assert "王建国" in controllers and "李芳" in controllers
    assert ("family of 王建国, 李芳 [family:P1] controls 华信实业集团有限公司 [C1] by holdings of "
            "more than half: 王建国 [P1] 40% + 李芳 [P2] 15% = 55% (R4b)") in html
    exposure = html[html.index('id="exposure"'):]
    assert "F1" in exposure and "875.00" in exposure and "relationships.csv" not in exposure
    assert f'src="/views/groups/{groups["C1"]}"' in html
    assert 'sandbox="allow-scripts"' in html


def test_the_party_page(client, groups):
    html = page(client, "/entities/C1?hops=1")
    assert "<h1>华信实业集团有限公司" in html
    assert "91350100M000100Y43" in html and "845.00" in html
    assert f'href="/groups/{groups["C1"]}"' in html
    assert "Zhang Wei" in html and "chairman" in html         # its manager and role
    assert 'src="/views/entities/C1?hops=1"' in html


def test_search_finds_chinese_and_latin_names(client):
    assert 'href="/entities/C3"' in page(client, "/search?q=明达")
    html = page(client, "/search?q=trading")
    assert "2 parties match" in html
    assert "Type a party id" in page(client, "/search")


def test_unknown_ids_get_a_404_page(client):
    assert client.get("/groups/Gnope").status_code == 404
    assert client.get("/entities/NOPE").status_code == 404
    assert client.get("/views/groups/Gnope").status_code == 404


@pytest.mark.parametrize("path", ["/views/groups/{group}", "/views/entities/C1?hops=2"])
def test_the_views_are_self_contained(client, groups, path):
    response = client.get(path.format(group=groups["C1"]))
    assert response.status_code == 200
    assert "connect-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert "data-view-state" in html and "华信实业集团有限公司" in html
    assert not EXTERNAL.search(html)
