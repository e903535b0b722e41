"""Neighbourhood, ownership-chain and path queries, hand-checked, on both stores."""

import random
from datetime import date
from itertools import pairwise, product

import networkx as nx
import pytest

from graph.stores.queries import check_hops, neighbourhood, ownership_chains, paths, sort_paths
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


def _paths_oracle(data, from_id: str, to_id: str, max_hops: int):
    """The paths by NetworkX: every shortest node path, times the relationships of each step."""
    between: dict[frozenset, list] = {}
    graph = nx.Graph()
    for r in data.current_relationships(date.today()):
        graph.add_edge(r.source, r.target)
        between.setdefault(frozenset((r.source, r.target)), []).append(r)
    try:
        node_paths = list(nx.all_shortest_paths(graph, from_id, to_id))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
    if len(node_paths[0]) - 1 > max_hops:
        return []
    found = [p for nodes in node_paths
             for p in product(*(between[frozenset(pair)] for pair in pairwise(nodes)))]
    return sort_paths(found)


def _random_dataset(rng):
    nodes = [f"N{k}" for k in range(rng.randint(3, 25))]
    relationships = []
    for _ in range(rng.randint(2, 50)):
        a, b = rng.sample(nodes, 2)
        kind = rng.choice(["OWNS", "GUARANTEES", "MANAGES"])
        extra = {"share": 0.1} if kind == "OWNS" else {"amount": 1.0} if kind == "GUARANTEES" \
            else {"role": "director"}
        relationships.append(R(kind, a, b, **extra))
    return dataset(relationships)


@pytest.mark.parametrize("seed", range(30))
def test_paths_agree_with_networkx_on_random_graphs(seed):
    """The bounded breadth-first search gives what NetworkX's all_shortest_paths gives."""
    rng = random.Random(seed)
    data = _random_dataset(rng)
    present = sorted(data.entities)
    for _ in range(10):
        a, b = rng.sample(present, 2)
        hops = rng.randint(1, 6)
        assert paths(data, a, b, hops) == _paths_oracle(data, a, b, hops), (a, b, hops)


@pytest.mark.parametrize("seed", range(30))
def test_neighbourhoods_and_chains_agree_with_plain_walks_on_random_graphs(seed):
    """The walks over the adjacency index give what NetworkX's shortest path lengths give
    (neighbourhoods) and what a walk over every OWNS edge gives (chains)."""
    rng = random.Random(seed)
    data = _random_dataset(rng)
    current = data.current_relationships(date.today())
    graph = nx.Graph()
    graph.add_edges_from((r.source, r.target) for r in current)
    for entity_id in rng.sample(sorted(data.entities), min(5, len(data.entities))):
        hops = rng.randint(1, 6)
        reached = nx.single_source_shortest_path_length(graph, entity_id, cutoff=hops)
        found = neighbourhood(data, entity_id, hops)
        assert [e.id for e in found.entities] == sorted(reached)
        assert list(found.relationships) == sorted(
            (r for r in current if r.source in reached and r.target in reached),
            key=lambda r: r.identity)
        for direction in ("up", "down"):
            expected = []

            def walk(node, chain, direction=direction, expected=expected, hops=hops):
                for r in current:
                    near, far = (r.target, r.source) if direction == "up" else (r.source, r.target)
                    if r.type == "OWNS" and near == node and all(r is not u for u in chain):
                        expected.append((*chain, r))
                        if len(chain) + 1 < hops:
                            walk(far, (*chain, r))

            walk(entity_id, ())
            assert ownership_chains(data, entity_id, direction, hops) == sort_paths(expected)
