"""Suspected links and declared groups, reported and never merged."""

from dataclasses import replace

from graph.analysis import analyse
from graph.risk.suspects import declared_group_diffs, suspected_links
from schema.records import DeclaredMember
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def test_manager_of_one_group_who_controls_another():
    book = dataset([R("OWNS", "P1", "C1", share=0.8), R("MANAGES", "P1", "C2", role="ceo"),
                    R("OWNS", "P2", "C2", share=0.9)])
    a = analyse(book)
    links = suspected_links(a)
    assert [(k.kind, k.a, k.b, k.via) for k in links] == [("manager_controller", "C2", "C1", "P1")]
    assert links[0].detail == ("name of P1 [P1] is ceo of name of C2 [C2] and controls "
                               "name of C1 [C1]")
    # reported, not merged
    assert a.group_by_member["C1"].members == ("C1", "P1")


def test_manager_inside_the_same_group_is_no_suspect():
    book = dataset([R("OWNS", "P1", "C1", share=0.8), R("OWNS", "C1", "C2", share=0.8),
                    R("MANAGES", "P1", "C2", role="director")])
    assert suspected_links(analyse(book)) == []


def test_shared_address_and_phone_across_groups():
    book = dataset([], [F("F1", "A", 1.0), F("F2", "B", 1.0), F("F3", "C", 1.0)],
                   A={"extra": {"address": "1 Harbour Road ", "phone": "123"}},
                   B={"extra": {"address": "1  harbour road"}},
                   C={"extra": {"phone": "999"}})
    links = suspected_links(analyse(book))
    assert [(k.kind, k.a, k.b, k.via) for k in links] == [
        ("shared_address", "A", "B", "1 harbour road")]


def test_declared_groups_compared_both_ways():
    book = dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "A", "C", share=0.6)],
                   [F("F1", "B", 1.0), F("F2", "X", 1.0)])
    declared = (DeclaredMember("BG1", "A", "A group"), DeclaredMember("BG1", "B", "A group"),
                DeclaredMember("BG1", "X", "A group"),
                DeclaredMember("BG2", "A", "exact"), DeclaredMember("BG2", "B", "exact"),
                DeclaredMember("BG2", "C", "exact"))
    a = analyse(replace(book, declared_groups=declared))
    diffs = {d.declared_id: d for d in declared_group_diffs(a)}
    assert diffs["BG1"].missed == ("C",)          # the rules put C in; the bank did not
    assert diffs["BG1"].unsupported == ("X",)     # no rule ties X to A
    assert diffs["BG1"].detected_id == a.group_by_member["A"].id
    assert diffs["BG2"].agrees
