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
