"""The enums of the GraphQL schema, each value documented in the schema itself.

Kinds, statuses, relationship types, roles, relations and risk flag codes come from the
domain model (``schema/model.toml``), so a kind added there appears here with no edit. Values
are the model's values upper-cased (``legal_representative`` -> ``LEGAL_REPRESENTATIVE``),
each described by the model's ``value_descriptions``; risk flag codes are the model's flags
that the risk assessment raises, described by their ``description``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import strawberry

from schema.model import PropertySpec, load_model

__all__ = [
    "ChainDirection",
    "ContagionModel",
    "Dimension",
    "Direction",
    "EntityKind",
    "EntityStatus",
    "EvidenceRule",
    "GroupOrder",
    "LimitStatus",
    "ManagerRole",
    "Relation",
    "RelationshipType",
    "RiskFlagCode",
    "SubjectKind",
]

_MODEL = load_model()
_ENTITY = _MODEL.nodes["Entity"].properties


def _from_model(name: str, spec: PropertySpec) -> Any:
    members = {v.upper(): strawberry.enum_value(v, description=spec.value_descriptions.get(v))
               for v in spec.values}
    return strawberry.enum(enum.Enum(name, members), description=spec.description)  # type: ignore[misc]


def _from_codes(name: str, codes: Mapping[str, str], description: str) -> Any:
    """An enum whose values are the model's codes as they are, each with its description."""
    members = {code: strawberry.enum_value(code, description=text) for code, text in codes.items()}
    return strawberry.enum(enum.Enum(name, members), description=description)  # type: ignore[misc]


EntityKind = _from_model("EntityKind", _ENTITY["kind"])
EntityStatus = _from_model("EntityStatus", _ENTITY["status"])
RelationshipType = _from_codes(
    "RelationshipType", {name: kind.description for name, kind in _MODEL.relationships.items()},
    "A kind of relationship between two parties (the domain model's).")
ManagerRole = _from_model("ManagerRole", _MODEL.relationships["MANAGES"].properties["role"])
Relation = _from_model("Relation", _MODEL.relationships["RELATIVE_OF"].properties["relation"])
RiskFlagCode = _from_codes(
    "RiskFlagCode", {code: flag.description for code, flag in _MODEL.flags.items() if flag.raised},
    "Why a risk flag was raised (rules R8-R10 of the design), most severe first.")


@strawberry.enum(description="The status of one limit check.")
class LimitStatus(enum.Enum):
    OK = strawberry.enum_value("ok", description="Below the warning level.")
    WARNING = strawberry.enum_value("warning", description="At or above the warning level, "
                                                           "not above the limit.")
    BREACH = strawberry.enum_value("breach", description="Above the limit.")


@strawberry.enum(description="The rule behind one step of a membership's evidence chain.")
class EvidenceRule(enum.Enum):
    R4A = strawberry.enum_value("R4a", description="Control by a CONTROLS edge (agreement, "
                                                   "board, VIE).")
    R4B = strawberry.enum_value("R4b", description="Control by holdings of more than half.")
    R3_FAMILY = strawberry.enum_value("R3-family", description="A family tie (近亲属).")
    R6_DEPENDENCE = strawberry.enum_value("R6-dependence",
                                          description="Economic dependence at or above the "
                                                      "regime's threshold.")


@strawberry.enum(description="How `groups` are ordered; ties by group id.")
class GroupOrder(enum.Enum):
    EXPOSURE_DESC = strawberry.enum_value("EXPOSURE_DESC",
                                          description="Largest gross exposure first.")
    NET_EXPOSURE_DESC = strawberry.enum_value("NET_EXPOSURE_DESC",
                                              description="Largest net exposure first.")
    LIMIT_USAGE_DESC = strawberry.enum_value("LIMIT_USAGE_DESC",
                                             description="Highest limit usage (limitRatio) first.")
    SIZE_DESC = strawberry.enum_value("SIZE_DESC", description="Most members first.")
    ID_ASC = strawberry.enum_value("ID_ASC", description="By group id.")


@strawberry.enum(description="What the book is split by for concentration (R9).")
class Dimension(enum.Enum):
    GROUP = strawberry.enum_value("group", description="Groups of connected clients.")
    INDUSTRY = strawberry.enum_value("industry", description="The borrowers' industry codes.")
    REGION = strawberry.enum_value("region", description="The borrowers' region codes.")


@strawberry.enum(description="Which contagion model `contagion` runs.")
class ContagionModel(enum.Enum):
    CASCADE = strawberry.enum_value(
        "CASCADE", description="Guarantee-call cascade (R11): guarantees of defaulted "
                               "borrowers are called; a guarantor whose calls exceed its net "
                               "assets defaults in the next round.")
    DEBTRANK = strawberry.enum_value(
        "DEBTRANK", description="The cascade (R11) and DebtRank (R12, Battiston et al. 2012): "
                                "stress passed through guarantees and holdings; adds "
                                "`debtRank` and `stressed`.")


@strawberry.enum(description="Which way a relationship points from the entity asked about.")
class Direction(enum.Enum):
    OUT = strawberry.enum_value("out", description="The entity is the source.")
    IN = strawberry.enum_value("in", description="The entity is the target.")
    BOTH = strawberry.enum_value("both", description="Either.")


@strawberry.enum(description="Which way ownership chains run from an entity.")
class ChainDirection(enum.Enum):
    UP = strawberry.enum_value("up", description="Towards its owners, their owners, ...")
    DOWN = strawberry.enum_value("down", description="Towards its holdings, theirs, ...")


@strawberry.enum(description="What a risk figure is about.")
class SubjectKind(enum.Enum):
    PARTY = strawberry.enum_value("party", description="One party.")
    GROUP = strawberry.enum_value("group", description="A group of connected clients.")
