"""The relationship index of the snapshot against the dict of lists it replaced."""

from __future__ import annotations

from collections import defaultdict

from api.graphql.relationship_index import RelationshipIndex
from graph.analysis import analyse
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio


def test_every_key_gives_the_relationships_a_dict_of_lists_gives(tmp_path):
    generate_portfolio(tmp_path, parties=600, seed=4)
    analysis = analyse(read_dataset(tmp_path))
    expected: dict[tuple[str, str, str], list] = defaultdict(list)
    for r in analysis.relationships:
        if r.type == "RELATIVE_OF":
            expected[r.source, r.type, "both"].append(r)
            expected[r.target, r.type, "both"].append(r)
        else:
            expected[r.source, r.type, "out"].append(r)
            expected[r.target, r.type, "in"].append(r)
    arrays = analysis.control.arrays
    shared = RelationshipIndex(analysis.relationships, undirected={"RELATIVE_OF"},
                               index=arrays.index, types=arrays.types)
    alone = RelationshipIndex(analysis.relationships, undirected={"RELATIVE_OF"})
    types = sorted({r.type for r in analysis.relationships})
    keys = [(party, t, d) for party in analysis.dataset.entities for t in types
            for d in ("out", "in", "both")] + [("nobody", "OWNS", "out"), ("C1", "NOPE", "in")]
    assert len(expected) > 500
    wanted = [expected.get(key, []) for key in keys]
    assert shared.lookup(keys) == wanted
    assert alone.lookup(keys) == wanted
