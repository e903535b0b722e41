"""The search index: substring matches on id, name, registration id and LEI, ranked."""

from __future__ import annotations

import doctest

from hypothesis import given, settings
from hypothesis import strategies as st

import api.graphql.search
from api.graphql.search import SearchIndex, normalise, normalise_all
from schema.records import Entity

PARTIES = [
    Entity("C1", "华信实业集团有限公司", "company", registration_id="91350100M000100Y43"),
    Entity("C2", "Harbour Logistics Ltd", "company", lei="5493001KJTIIGC8Y1R12"),
    Entity("C3", "Harbour", "company"),
    Entity("C4", "Old Harbour Trading（ＨＫ）Co", "company"),
    Entity("HARBOUR", "Something else", "company"),
    Entity("P1", "王建国", "person"),
]


def test_doctests():
    assert doctest.testmod(api.graphql.search).failed == 0


def test_ranking_exact_key_then_exact_name_then_prefix_then_the_rest():
    assert SearchIndex(PARTIES).search("harbour") == ("HARBOUR", "C3", "C2", "C4")


def test_full_width_and_case_are_ignored():
    index = SearchIndex(PARTIES)
    assert index.search("(hk)") == ("C4",)
    assert index.search("ＯＬＤ harbour") == ("C4",)
    assert normalise("（ＨＫ）") == "(hk)"


def test_a_match_never_spans_two_fields_or_two_parties():
    index = SearchIndex(PARTIES)
    assert index.search("C1华信") == ()                     # id and name are apart
    assert index.search("有限公司Harbour") == ()            # and so are two parties


def test_blank_and_control_characters():
    index = SearchIndex(PARTIES)
    assert index.search("   ") == ()
    assert index.search("\x1f") == ()
    assert index.search("王\n建国") == ("P1",)   # two words, 王 and 建国, both in 王建国
    assert index.search("王建") == ("P1",)


def test_several_words_find_parties_holding_every_word_after_the_phrase():
    index = SearchIndex([*PARTIES, Entity("C8", "Logistics for Harbour", "company"),
                         Entity("C9", "深圳市明达科技有限公司", "company"),
                         Entity("C10", "Harbour Logistics Holdings", "company")])
    assert index.search("深圳 明达") == ("C9",)
    # the whole phrase first (C2, C10), then the party holding both words apart (C8)
    assert index.search("harbour logistics") == ("C2", "C10", "C8")
    assert index.search("logistics harbour") == ("C2", "C8", "C10")
    assert index.search("深圳 harbour") == ()


def test_many_hits_are_all_found_and_the_answer_cached():
    parties = [Entity(f"E{i}", f"公司{i}有限公司", "company") for i in range(20_000)]
    index = SearchIndex(parties)
    found = index.search("有限公司")
    assert len(found) == 20_000 and found[:2] == ("E0", "E1")
    assert index.search("有限公司") is found
    assert index.search("公司1999") == ("E1999", "E19990", "E19991", "E19992", "E19993",
                                      "E19994", "E19995", "E19996", "E19997", "E19998",
                                      "E19999")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=8))
def test_normalising_many_texts_at_once_gives_each_ones_normalisation(texts):
    assert normalise_all(texts) == [normalise(t) for t in texts]


def test_normalising_at_once_around_what_composes_and_what_is_dropped():
    # e + combining acute compose within a text, never across the separator; a text holding
    # the separator itself, a zero-width space and a form feed are treated as alone
    texts = ["e\u0301", "\u0301x", "a\x1fb", "z\u200bw", "p\x0cq", "Ⅻ"]
    assert normalise_all(texts) == [normalise(t) for t in texts] == \
        ["é", "\u0301x", "a b", "zw", "p q", "xii"]
