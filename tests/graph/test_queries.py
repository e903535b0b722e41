"""Neighbourhood, ownership-chain and path queries, hand-checked, on both stores."""

from datetime import date

import pytest

from graph.queries import check_hops
from schema.records import Relationship as R
from tests.datasets import dataset

DATA = dataset([
    R("OWNS", "P1", "A", share=0.6),
    R("OWNS", "A", "B", share=0.7),
    R("OWNS", "B", "C", share=0.5),
    R("OWNS", "C", "B", share=0.1),                       # cross-holding
    R("GUARANTEES", "C", "D", amount=10.0),
    R("MANAGES", "P2", "D", role="ceo"),
    R("OWNS", "X", "C", share=0.2, valid_to=date(2001, 1, 1)),   # expired: never seen
])


def ids(path):
    return [(r.type, r.source, r.target) for r in path]


def test_neighbourhood_counts_hops_in_both_directions(store):
    store.replace(DATA)
    one = store.neighbourhood("B", 1)
    assert [e.id for e in one.entities] == ["A", "B", "C"]
    assert [(r.source, r.target) for r in one.relationships] == [("A", "B"), ("B", "C"), ("C", "B")]
    two = store.neighbourhood("B", 2)
    assert [e.id for e in two.entities] == ["A", "B", "C", "D", "P1"]
    only_owns = store.neighbourhood("B", 3, types=["OWNS"])
    assert [e.id for e in only_owns.entities] == ["A", "B", "C", "P1"]
    assert store.neighbourhood("nobody", 2).entities == ()


def test_ownership_chains_up_and_down(store):
    store.replace(DATA)
    up = [ids(p) for p in store.ownership_chains("B", "up", 3)]
    assert up == [
        [("OWNS", "A", "B")],
        [("OWNS", "A", "B"), ("OWNS", "P1", "A")],
        [("OWNS", "C", "B")],
        [("OWNS", "C", "B"), ("OWNS", "B", "C")],
        [("OWNS", "C", "B"), ("OWNS", "B", "C"), ("OWNS", "A", "B")],
    ]
    down = [ids(p) for p in store.ownership_chains("P1", "down", 2)]
    assert down == [[("OWNS", "P1", "A")], [("OWNS", "P1", "A"), ("OWNS", "A", "B")]]


def test_shortest_paths_over_chosen_types(store):
    store.replace(DATA)
    assert [ids(p) for p in store.paths("P1", "D", 6)] == [
        [("OWNS", "P1", "A"), ("OWNS", "A", "B"), ("OWNS", "B", "C"), ("GUARANTEES", "C", "D")],
        [("OWNS", "P1", "A"), ("OWNS", "A", "B"), ("OWNS", "C", "B"), ("GUARANTEES", "C", "D")],
    ]
    assert store.paths("P1", "D", 3) == []                       # four steps needed
    assert store.paths("P1", "D", 6, types=["OWNS"]) == []
    assert [ids(p) for p in store.paths("P2", "C", 2)] == [
        [("MANAGES", "P2", "D"), ("GUARANTEES", "C", "D")]]


def test_hops_are_bounded():
    with pytest.raises(ValueError, match="from 1 to 6"):
        check_hops(7)
    with pytest.raises(ValueError):
        check_hops(0)
