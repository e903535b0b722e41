"""Truncation keeps the parties nearest the focus, then the largest exposures."""

from __future__ import annotations

import pytest

from schema.records import Relationship as R
from viz.truncate import keep_most_relevant

CHAIN = [R("OWNS", f"N{i}", f"N{i + 1}", share=0.6) for i in range(9)]
NODES = [f"N{i}" for i in range(10)]


def test_nothing_cut_under_the_cap():
    kept, cut = keep_most_relevant(NODES, CHAIN, focus=["N0"], max_nodes=10)
    assert kept == set(NODES)
    assert not cut.truncated and cut.note() == ""


def test_keeps_the_nearest_to_the_focus():
    kept, cut = keep_most_relevant(NODES, CHAIN, focus=["N5"], max_nodes=3)
    assert kept == {"N4", "N5", "N6"}
    assert (cut.total_nodes, cut.shown_nodes, cut.total_edges, cut.shown_edges) == (10, 3, 9, 2)
    assert cut.left_out[:2] in (("N3", "N7"), ("N7", "N3"))
    assert "Showing 3 of 10 parties and 2 of 9 relationships" in cut.note()


def test_ties_broken_by_exposure_then_id_and_unconnected_last():
    edges = [R("OWNS", "F", "A", share=0.6), R("OWNS", "F", "B", share=0.6),
             R("OWNS", "F", "C", share=0.6)]
    kept, cut = keep_most_relevant(["F", "A", "B", "C", "Z"], edges, focus=["F"],
                                   exposure={"C": 9.0, "Z": 1e9}, max_nodes=3)
    assert kept == {"F", "C", "A"}
    assert cut.left_out == ("B", "Z")


def test_the_note_names_a_dozen_and_counts_the_rest():
    nodes = [f"N{i:03d}" for i in range(100)]
    _, cut = keep_most_relevant(nodes, [], max_nodes=10)
    assert cut.note().endswith("N021 and 78 more.")


def test_a_cap_below_one_is_refused():
    with pytest.raises(ValueError):
        keep_most_relevant(NODES, CHAIN, max_nodes=0)
