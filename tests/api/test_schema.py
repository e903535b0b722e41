"""The schema keeps the names of DESIGN section 5 (the contract), documents its enums and
fields, and knows every flag code the analysis raises."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import GraphQLEnumType, GraphQLObjectType

from api.schema import build_schema
from api.settings import Settings
from api.types.enums import RiskFlagCode

SCHEMA = build_schema(Settings())._schema
ROOT = Path(__file__).resolve().parents[2]

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
    """The Query of DESIGN section 5, as printed SDL (arguments added after these are optional)."""
    sdl = " ".join(build_schema(Settings()).as_str().split())
    for signature in [
        "entity(id: ID!): Entity",
        "searchEntities(query: String!, first: Int = 20, after: String = null): EntityConnection!",
        "groups(first: Int = 20, after: String = null, orderBy: GroupOrder = EXPOSURE_DESC,",
        "group(id: ID!): Group",
        "groupOf(entityId: ID!): Group",
        "integratedOwnership(ownerId: ID!, ownedId: ID!): Float!",
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


def test_every_type_field_and_enum_value_is_documented():
    undocumented = []
    for name, kind in SCHEMA.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID", "Date"):
            continue
        if not kind.description:
            undocumented.append(name)
        if isinstance(kind, GraphQLObjectType):
            undocumented += [f"{name}.{f}" for f, field in kind.fields.items() if not field.description]
        if isinstance(kind, GraphQLEnumType):
            undocumented += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
    assert undocumented == []


def test_every_flag_code_the_analysis_raises_is_an_enum_value():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "graph").glob("*.py"))
    raised = set(re.findall(r'RiskFlag\(\s*"([A-Z_]+)"', source))
    raised |= {"LIMIT_BREACH", "LIMIT_WARNING"}            # built from the limit status
    assert raised and raised <= {code.value for code in RiskFlagCode}
