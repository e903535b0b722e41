"""R6: groups of connected clients, their evidence and their ids."""

import random

import networkx as nx

from graph.analysis import analyse
from graph.analysis.control import compute_control
from graph.analysis.groups import connected_client_groups, group_id
from schema.records import Relationship as R
from tests.datasets import dataset


def groups_of(edges, parties, threshold=0.5):
    return connected_client_groups(parties, edges, compute_control(parties, edges),
                                   dependence_threshold=threshold)


def members(groups):
    return sorted(g.members for g in groups)


def test_dependence_at_threshold_joins_and_below_does_not():
    parties = ["A", "B", "C", "D"]
    at = [R("DEPENDS_ON", "A", "B", share=0.5), R("DEPENDS_ON", "C", "D", share=0.49)]
    assert members(groups_of(at, parties)) == [("A", "B"), ("C",), ("D",)]
    # a regime with a lower threshold joins C and D as well
    assert members(groups_of(at, parties, threshold=0.4)) == [("A", "B"), ("C", "D")]


def test_control_family_and_dependence_make_one_group_with_persons():
    edges = [R("RELATIVE_OF", "P1", "P2", relation="sibling"), R("OWNS", "P2", "C1", share=0.8),
             R("OWNS", "C1", "C2", share=0.3), R("DEPENDS_ON", "C3", "C1", share=0.7)]
    parties = ["P1", "P2", "C1", "C2", "C3"]
    groups = groups_of(edges, parties)
    assert members(groups) == [("C1", "C3", "P1", "P2"), ("C2",)]
    big = groups[0]
    assert big.root == "family:P1"
    assert big.controllers == ("P1", "P2")
    # every member's evidence, from the root down
    assert [s.rule for s in big.evidence["P1"]] == []
    assert [(s.rule, s.source, s.target) for s in big.evidence["P2"]] == [("R3-family", "P1", "P2")]
    assert [(s.rule, s.target) for s in big.evidence["C1"]] == [("R4b", "C1")]
    assert [(s.rule, s.source, s.target) for s in big.evidence["C3"]] == [
        ("R4b", "family:P1", "C1"), ("R6-dependence", "C3", "C1")]
    assert big.evidence["C1"][0].edges[0].share == 0.8


def test_minority_holding_alone_does_not_group():
    groups = groups_of([R("OWNS", "A", "B", share=0.5)], ["A", "B"])
    assert members(groups) == [("A",), ("B",)]
    assert all(g.controllers == () for g in groups)


def test_managers_and_guarantees_do_not_merge_groups():
    edges = [R("MANAGES", "P1", "C1", role="ceo"),
             R("GUARANTEES", "C1", "C2", amount=10.0)]
    assert members(groups_of(edges, ["P1", "C1", "C2"])) == [("C1",), ("C2",), ("P1",)]


def test_group_ids_are_stable_and_derived_from_members():
    edges = [R("OWNS", "A", "B", share=0.9)]
    first = groups_of(edges, ["A", "B", "X"])
    again = groups_of(list(reversed(edges)), ["X", "B", "A"])
    assert [g.id for g in first] == [g.id for g in again]
    assert first[0].id == group_id(["A", "B"])
    assert first[0].id != first[1].id


def test_groups_partition_like_connected_components_oracle():
    """On random data the groups equal the connected components of the link graph that
    R6 describes, built independently here from the control links."""
    rng = random.Random(3)
    for _ in range(20):
        parties = [f"C{i}" for i in range(25)] + [f"P{i}" for i in range(8)]
        edges = []
        for _ in range(40):
            a, b = rng.sample(parties, 2)
            if b.startswith("C"):
                edges.append(R("OWNS", a, b, share=rng.choice([0.2, 0.3, 0.51, 0.6])))
        for _ in range(3):
            a, b = rng.sample(parties[-8:], 2)
            edges.append(R("RELATIVE_OF", min(a, b), max(a, b),
                           relation=rng.choice(["sibling", "other"])))
        for _ in range(4):
            a, b = rng.sample(parties, 2)
            edges.append(R("DEPENDS_ON", a, b, share=rng.choice([0.3, 0.5, 0.8])))
        # keep R1: drop holdings that push a company over 100%
        held, kept = {}, []
        for e in edges:
            if e.type == "OWNS":
                if held.get(e.target, 0) + e.share > 1:
                    continue
                held[e.target] = held.get(e.target, 0) + e.share
            kept.append(e)
        control = compute_control(parties, kept)
        oracle = nx.Graph()
        oracle.add_nodes_from(parties)
        for unit, links in control.links.items():
            for target in links:
                for member in control.units[unit].members:
                    oracle.add_edge(member, target)
        for e in kept:
            # R17: a tie of relation "other" joins no family and no group
            if (e.type == "RELATIVE_OF" and e.relation != "other") or (
                    e.type == "DEPENDS_ON" and e.share >= 0.5):
                oracle.add_edge(e.source, e.target)
        expected = sorted(tuple(sorted(c)) for c in nx.connected_components(oracle))
        groups = connected_client_groups(parties, kept, control)
        assert members(groups) == expected
        for g in groups:
            assert set(g.evidence) == set(g.members)


def test_analysis_ranks_groups_by_gross_exposure():
    from schema.records import Facility as F

    d = dataset([R("OWNS", "A", "B", share=0.6)],
                [F("F1", "B", 100.0), F("F2", "X", 150.0), F("F3", "A", 60.0)])
    ranked = analyse(d).groups_by_exposure()
    assert [(g.members, analyse(d).group_exposure(g).gross) for g in ranked] == [
        (("A", "B"), 160.0), (("X",), 150.0)]


STATE = {"SASAC": {"counterparty_class": "state_asset_agency"}}


def test_two_companies_under_one_state_asset_agency_are_two_groups():
    # R17: the 国资委 holds 60% of C1 and 70% of C2: it controls both (R4) and is their
    # ultimate controller (R5), yet its control joins no one: three groups of one
    d = dataset([R("OWNS", "SASAC", "C1", share=0.6), R("OWNS", "SASAC", "C2", share=0.7)], **STATE)
    a = analyse(d)
    assert members(a.groups) == [("C1",), ("C2",), ("SASAC",)]
    assert a.control.ultimate_controllers("C1") == ["SASAC"]
    assert a.control.ultimate_controllers("C2") == ["SASAC"]
    assert all(g.controllers == () for g in a.groups)


def test_companies_under_one_state_body_join_through_another_link():
    # C1 also holds 55% of C3 and C2 depends on C1 (0.6 >= 0.5): {C1, C2, C3} is one group
    # rooted at C1, the company the state controls; the state body stays alone
    d = dataset([R("OWNS", "SASAC", "C1", share=0.6), R("OWNS", "SASAC", "C2", share=0.7),
                 R("OWNS", "C1", "C3", share=0.55), R("DEPENDS_ON", "C2", "C1", share=0.6)], **STATE)
    a = analyse(d)
    assert members(a.groups) == [("C1", "C2", "C3"), ("SASAC",)]
    group = a.group_by_member["C1"]
    assert (group.root, group.controllers) == ("C1", ("C1",))
    assert [(s.rule, s.source, s.target) for s in group.evidence["C3"]] == [("R4b", "C1", "C3")]
    # ultimate controllers are R5's: the state body controls C3 through C1 (60% of C1)
    assert a.control.ultimate_controllers("C3") == ["SASAC"]


def test_the_same_book_without_the_class_is_one_group():
    # the class alone makes the difference: a corporate holder of the same shares is a parent
    d = dataset([R("OWNS", "SASAC", "C1", share=0.6), R("OWNS", "SASAC", "C2", share=0.7)])
    assert members(analyse(d).groups) == [("C1", "C2", "SASAC")]


def test_a_sovereign_controlled_company_roots_its_own_group():
    d = dataset([R("CONTROLS", "GOV", "C5", basis="agreement"), R("OWNS", "C5", "C6", share=0.8),
                 R("DEPENDS_ON", "C7", "GOV", share=0.9)],
                GOV={"counterparty_class": "sovereign"})
    a = analyse(d)
    # dependence on the sovereign joins no one either: the state holder is a group of its own
    assert members(a.groups) == [("C5", "C6"), ("C7",), ("GOV",)]
    assert a.group_by_member["C6"].root == "C5"
    assert a.control.ultimate_controllers("C6") == ["GOV"]


def test_a_relative_of_other_joins_nothing_while_a_spouse_joins():
    d = dataset([R("RELATIVE_OF", "P1", "P2", relation="spouse"),
                 R("RELATIVE_OF", "P3", "P4", relation="other"),
                 R("OWNS", "P2", "C1", share=0.6), R("OWNS", "P4", "C2", share=0.6)])
    a = analyse(d)
    assert members(a.groups) == [("C1", "P1", "P2"), ("C2", "P4"), ("P3",)]
    assert "family:P1" in a.control.units and "family:P3" not in a.control.units
    assert a.control.ultimate_controllers("C2") == ["P4"]
    # the tie is still a relationship of the book
    assert R("RELATIVE_OF", "P3", "P4", relation="other") in a.relationships
