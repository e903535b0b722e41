"""The cost estimate of api.graphql.cost, hand-computed: one object per field, times ``first`` for
the pages below a paginated field."""

from __future__ import annotations

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from api.graphql.cost import query_cost
from api.graphql.schema import build_schema
from api.server.settings import Settings

SCHEMA = build_schema(Settings())._schema


def cost(query: str, variables: dict | None = None) -> int:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return query_cost(SCHEMA, operation, fragments, variables or {}, max_page_size=100)


def test_the_worked_example_of_the_docstring():
    # groupOf 1 + (id 1 + members (1 + 50 x (edges 1 + (node 1 + (id 1 + name 1)))))
    query = '{ groupOf(entityId: "C1") { id members(first: 50) { edges { node { id name } } } } }'
    assert cost(query) == 1 + (1 + (1 + 50 * (1 + (1 + 2))))  # 203


@pytest.mark.parametrize(("first", "expected"), [
    ({"n": 30}, 1 + 30 * 3),   # the variable's value
    ({}, 1 + 100 * 3),         # a variable left out is null: the maximum page size
])
def test_first_from_a_variable(first, expected):
    query = "query($n: Int) { groups(first: $n) { edges { node { id } } } }"
    assert cost(query, first) == expected


def test_defaults_fragments_and_aliases():
    assert cost("{ groups { edges { node { id } } } }") == 1 + 20 * 3  # groups' default first
    query = """{ a: groupOf(entityId: "C1") { ...M } b: groupOf(entityId: "C2") { ...M } }
               fragment M on Group { members(first: 10) { totalCount } }"""
    assert cost(query) == 2 * (1 + (1 + 10 * 1))


def test_nested_pages_multiply():
    query = """{ groups(first: 100) { edges { node { members(first: 100) { edges { node {
               group { members(first: 100) { edges { node { name } } } } } } } } } } }"""
    inner = 1 + 100 * (1 + (1 + 1))                      # members > edges > node > name
    middle = 1 + 100 * (1 + (1 + (1 + inner)))            # members > edges > node > group
    assert cost(query) == 1 + 100 * (1 + (1 + middle))   # groups > edges > node


def test_a_list_argument_multiplies_an_unpaged_list():
    # entities(ids:) answers one entity per id: 1 + 3 x (holdings: 1 + 10 x totalCount 1)
    query = '{ entities(ids: ["A", "B", "C"]) { holdings(first: 10) { totalCount } } }'
    assert cost(query) == 1 + 3 * (1 + 10 * 1)
    with_variable = "query($ids: [ID!]!) { entities(ids: $ids) { id } }"
    assert cost(with_variable, {"ids": ["A"] * 40}) == 1 + 40 * 1


def test_whole_book_lists_count_as_long_as_the_dataset_makes_them():
    document = parse("{ largeExposures { subjectId } guaranteeCircles { id } }")
    operation = document.definitions[0]
    sizes = {"Query.largeExposures": 12, "Query.guaranteeCircles": 3}
    assert query_cost(SCHEMA, operation, {}, {}, 100, sizes) == (1 + 12 * 1) + (1 + 3 * 1)
    assert query_cost(SCHEMA, operation, {}, {}, 100) == (1 + 1) + (1 + 1)   # not known: 1
