"""The schema keeps the names of DESIGN section 5 (the contract), documents its types,
fields, arguments and enum values, knows every flag code the analysis raises, and gives no
names away in "Did you mean" hints when introspection is off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLError, GraphQLInputObjectType, GraphQLObjectType, print_schema
from graphql import build_schema as graphql_build_schema
from graphql.pyutils import did_you_mean

from api.graphql.errors import hide_suggestions
from api.graphql.schema import build_schema
from api.graphql.types.enums import RiskFlagCode
from api.server.settings import Settings
from schema.model import load_model
from tests.api.conftest import in_process

SCHEMA = build_schema(Settings())._schema
ROOT = Path(__file__).resolve().parents[3]

CORE = {
    "Query": ["entity", "searchEntities", "groups", "group", "groupOf", "integratedOwnership",
              "paths", "largeExposures", "concentration", "guaranteeCircles", "contagion"],
    "Entity": ["id", "name", "kind", "owners", "holdings", "managers", "guarantors", "guarantees",
               "ultimateControllers", "group", "exposure", "flags"],
    "Group": ["id", "name", "size", "members", "controllers", "exposure", "limitRatio", "flags",
              "evidence"],
    "Exposure": ["gross", "net"],
    "Concentration": ["hhi", "topShare", "items"],
    "GuaranteeCircle": ["members", "totalGuaranteed", "exposure"],
    "Contagion": ["defaulted", "rounds", "exposureAtRisk", "debtRank"],
    "DefaultEvent": ["entity", "round"],
    "RiskFlag": ["code", "message"],
}


def _type(name: str):
    found = SCHEMA.get_type(name)
    assert found is not None, f"no type {name}"
    return found


def test_the_core_names_are_there():
    for type_name, fields in CORE.items():
        assert set(fields) <= set(_type(type_name).fields), type_name


def test_the_core_signatures():
    """The Query of DESIGN section 5, as printed SDL (arguments added after these are optional;
    the arguments' descriptions are left out so each signature prints on one line)."""
    bare = graphql_build_schema(build_schema(Settings()).as_str())
    for kind in bare.type_map.values():
        for field in getattr(kind, "fields", {}).values():
            for argument in getattr(field, "args", {}).values():
                argument.description = None
    sdl = " ".join(print_schema(bare).split())
    for signature in [
        "entity(id: ID!): Entity",
        "searchEntities(query: String!, first: Int = 20, after: String = null): EntityConnection!",
        "groups(first: Int = 20, after: String = null, orderBy: GroupOrder = EXPOSURE_DESC,",
        "group(id: ID!): Group",
        "groupOf(entityId: ID!): Group",
        # DESIGN says Float!; it is nullable so that an ownership that is not defined (a
        # ring holding all of itself) is an error for that field alone, not for the answer
        "integratedOwnership(ownerId: ID!, ownedId: ID!): Float ",
        "paths(fromId: ID!, toId: ID!, maxHops: Int = 4): [Path!]!",
        "largeExposures: [LargeExposure!]!",
        "concentration(dimension: Dimension = GROUP, top: Int = 10): Concentration!",
        "guaranteeCircles: [GuaranteeCircle!]!",
        "contagion(defaulted: [ID!]!, model: ContagionModel = CASCADE): Contagion!",
        "controllers: [Entity!]!", "limitRatio: Float!", "debtRank: Float",
    ]:
        assert signature in sdl, signature
    group = _type("Group").fields
    assert str(group["evidence"].type) == "[Evidence!]!"
    assert set(_type("ContagionModel").values) == {"CASCADE", "DEBTRANK"}
    assert set(_type("Dimension").values) == {"GROUP", "INDUSTRY", "REGION"}
    assert {"edges", "pageInfo", "totalCount"} <= set(_type("EntityConnection").fields)
    assert {"node", "cursor"} <= set(_type("EntityEdge").fields)


def _words(text: str) -> list[str]:
    """The words of a name (``maxHops``, ``LEGAL_REPRESENTATIVE``) or of a description, lower
    case, without punctuation or articles."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.findall(r"[a-z0-9]+", spaced.lower()) if w not in ("a", "an", "the")]


def _documents(name: str, description: str | None) -> bool:
    """Whether ``description`` says something beyond ``name`` (``"Legal representative."``
    says nothing about ``LEGAL_REPRESENTATIVE``)."""
    return bool(description and description.strip()) and _words(description) != _words(name)


@pytest.mark.parametrize(("name", "description", "documents"), [
    ("LEGAL_REPRESENTATIVE", "legal representative", False),
    ("maxHops", "Max hops.", False),
    ("first", "The first.", False),
    ("after", "", False),
    ("after", None, False),
    ("PARENT", "The source is the target's parent.", True),
    ("first", "How many items the page holds.", True),
])
def test_a_description_must_say_more_than_the_name(name, description, documents):
    assert _documents(name, description) is documents


def test_every_type_field_argument_and_enum_value_is_documented():
    undocumented = []
    for name, kind in SCHEMA.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID", "Date"):
            continue
        if not _documents(name, kind.description):
            undocumented.append(name)
        if isinstance(kind, (GraphQLObjectType, GraphQLInputObjectType)):
            for f, field in kind.fields.items():
                if not _documents(f, field.description):
                    undocumented.append(f"{name}.{f}")
                undocumented += [f"{name}.{f}({a})" for a, argument in getattr(field, "args", {}).items()
                                 if not _documents(a, argument.description)]
        if isinstance(kind, GraphQLEnumType):
            undocumented += [f"{name}.{v}" for v, value in kind.values.items()
                             if not _documents(v, value.description)]
    assert undocumented == []


def _arguments(argument: str) -> dict[str, str | None]:
    return {f"{name}.{f}": field.args[argument].description
            for name, kind in SCHEMA.type_map.items() if isinstance(kind, GraphQLObjectType)
            for f, field in kind.fields.items() if argument in field.args}


def test_first_and_after_say_the_same_everywhere():
    """Every paged list takes ``first`` and ``after`` with one description each, which gives
    the page size limit and what a cursor is."""
    first, after = _arguments("first"), _arguments("after")
    assert len(first) >= 10 and set(first) == set(after)
    assert len(set(first.values())) == 1 and len(set(after.values())) == 1
    assert "GROUPGRAPH_MAX_PAGE_SIZE, 100 by default" in first["Query.groups"]
    assert "cursor" in after["Group.members"]


def test_model_enums_describe_their_values_from_the_model():
    model = load_model()
    for enum_name, spec in [
        ("ManagerRole", model.relationships["MANAGES"].properties["role"]),
        ("Relation", model.relationships["RELATIVE_OF"].properties["relation"]),
        ("EntityKind", model.nodes["Entity"].properties["kind"]),
        ("EntityStatus", model.nodes["Entity"].properties["status"]),
    ]:
        values = _type(enum_name).values
        assert {v: values[v.upper()].description for v in spec.values} == dict(spec.value_descriptions)
    # a relation says which way it points
    assert "source is the target's mother or father" in _type("Relation").values["PARENT"].description


def test_every_flag_code_the_analysis_raises_is_an_enum_value():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "graph").rglob("*.py"))
    raised = set(re.findall(r'RiskFlag\(\s*"([A-Z_]+)"', source))
    raised |= {"LIMIT_BREACH", "LIMIT_WARNING"}            # built from the limit status
    assert raised and raised <= {code.value for code in RiskFlagCode}


@pytest.mark.parametrize("count", [1, 2, 3, 7])
@pytest.mark.parametrize("words", [None, "the enum value", "to use an inline fragment on"])
def test_hide_suggestions_cuts_every_form_of_hint(count, words):
    names = ["name", "nameEn", "names", "nameOf", "named", "namer", "naming"][:count]
    hint = did_you_mean(names, words)
    assert hint.startswith(" Did you mean")
    errors = [GraphQLError(f"Cannot query field 'nme' on type 'Entity'.{hint}"),
              GraphQLError(f"Expected value not to include unknown field 'nme'.{hint} Found: {{}}.")]
    hide_suggestions(errors)
    assert [e.message for e in errors] == ["Cannot query field 'nme' on type 'Entity'.",
                                           "Expected value not to include unknown field 'nme'. "
                                           "Found: {}."]


QUERY_WITH_TYPO = '{ entity(id: "C1") { nme } }'


def test_no_suggestions_when_introspection_is_off(sample_store):
    with in_process(sample_store, introspection=False) as client:
        answer = client.post("/graphql", json={"query": QUERY_WITH_TYPO}).json()
    message = answer["errors"][0]["message"]
    assert message == "Cannot query field 'nme' on type 'Entity'."
    assert "Did you mean" not in message and "name" not in message.replace("nme", "")
    with in_process(sample_store) as client:
        answer = client.post("/graphql", json={"query": QUERY_WITH_TYPO}).json()
    assert answer["errors"][0]["message"] == ("Cannot query field 'nme' on type 'Entity'. "
                                              "Did you mean 'name'?")


@pytest.mark.parametrize(("query", "variables", "hint"), [
    ("{ groups(ordrBy: SIZE_DESC) { totalCount } }", None, "'orderBy'"),
    ("{ groups(orderBy: SIZE_DES) { totalCount } }", None, "'SIZE_DESC'"),
    ("query($o: GroupOrder) { groups(orderBy: $o) { totalCount } }", {"o": "SIZE_DES"},
     "'SIZE_DESC'"),
    ('{ entity(id: "C1") { ... on Grup { id } } }', None, "'Group'"),
])
def test_no_hint_of_any_kind_when_introspection_is_off(query, variables, hint):
    """Arguments, enum values (in the query and in variables) and types: the schema with
    introspection on hints at the name, the one with it off does not."""
    for introspection in (True, False):
        errors = build_schema(Settings(introspection=introspection)).execute_sync(
            query, variable_values=variables).errors
        assert errors
        hinted = [e.message for e in errors if "Did you mean" in e.message]
        if introspection:
            assert hinted and hint in hinted[0]
        else:
            assert hinted == [] and not any(hint in e.message for e in errors)
