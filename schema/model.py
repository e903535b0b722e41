"""The domain model, loaded from ``model.toml``.

The model says which node kinds and relationship kinds exist, which properties each has,
their types and which are required, and which risk flags there are, most severe first, in
words and colours. Loaders, stores, the API and the views read it rather than restating it:
the relationship types in :attr:`Model.relationship_types` are also the allow-list for
anything written into a query.

>>> m = load_model()
>>> m.relationships["OWNS"].properties["share"].type
'share'
>>> {"OWNS", "GUARANTEES"} <= m.relationship_types
True
>>> list(m.flags)[:3], m.flags["LIMIT_BREACH"].label
(['DEFAULTED', 'LIMIT_BREACH', 'LIMIT_WARNING'], 'limit breach')
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from schema.errors import InvalidModel
from schema.values import PARSERS, ValueRejected

__all__ = ["FlagKind", "Model", "NodeKind", "PropertySpec", "RelationshipKind", "load_model"]

MODEL_FILE = Path(__file__).with_name("model.toml")
# A flag code is a GraphQL enum value and a CSS class of the pages; a colour goes into CSS.
_FLAG_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
_COLOUR = re.compile(r"#[0-9a-f]{6}")


@dataclass(frozen=True)
class PropertySpec:
    """One property: its name, type, whether it is required, its default; for an enum its
    values and what each means (``value_descriptions``, shown in the API's enums).
    ``extension`` marks a property beyond the data contract of DESIGN section 2."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    values: tuple[str, ...] = ()
    description: str = ""
    edge: str = ""
    value_descriptions: Mapping[str, str] = field(default_factory=dict, hash=False)
    extension: bool = False

    @property
    def verbatim(self) -> bool:
        """Whether a cell of this type is kept as it is (text and references)."""
        return self.type in ("text", "entity_ref", "facility_ref")

    def parse(self, text: str) -> Any:
        """Turn a non-empty cell into a typed value, or raise ValueRejected."""
        if self.type == "enum":
            value = text.strip().lower()
            if value not in self.values:
                raise ValueRejected(f"expected one of {', '.join(self.values)}, got {text!r}")
            return value
        return PARSERS[self.type](text)


@dataclass(frozen=True)
class NodeKind:
    """A kind of node read from one table of a dataset."""

    name: str
    label: str
    file: str
    key: str
    properties: dict[str, PropertySpec]
    optional: bool = False
    description: str = ""
    caption: str = ""

    @property
    def required_columns(self) -> list[str]:
        return [p.name for p in self.properties.values() if p.required]


@dataclass(frozen=True)
class RelationshipKind:
    """A kind of relationship: one `type` of relationships.csv; ``extension`` marks a kind
    beyond the data contract of DESIGN section 2."""

    name: str
    source_kinds: tuple[str, ...]
    target_kinds: tuple[str, ...]
    properties: dict[str, PropertySpec]
    undirected: bool = False
    caption: str = ""
    description: str = ""
    extension: bool = False


@dataclass(frozen=True)
class FlagKind:
    """A risk flag: its code, its words, and how the views (``colour``, empty: not drawn) and
    the analyst pages (``badge``, empty: the pages' muted grey) show it. ``raised`` is False
    for a flag the risk assessment does not raise (the views mark it themselves)."""

    code: str
    label: str
    description: str
    colour: str = ""
    badge: str = ""
    raised: bool = True


@dataclass(frozen=True)
class Model:
    """Every node kind, relationship kind and risk flag of the domain; ``flags`` most severe
    first."""

    nodes: dict[str, NodeKind]
    relationships: dict[str, RelationshipKind]
    common: dict[str, PropertySpec] = field(default_factory=dict)
    flags: dict[str, FlagKind] = field(default_factory=dict)

    @property
    def relationship_types(self) -> frozenset[str]:
        return frozenset(self.relationships)

    @property
    def reference_edges(self) -> dict[str, tuple[NodeKind, PropertySpec]]:
        """Edge types stored for node properties that refer to an entity, e.g.
        ``OWED_BY`` for ``Facility.borrower``."""
        return {
            spec.edge: (kind, spec)
            for kind in self.nodes.values()
            for spec in kind.properties.values()
            if spec.edge
        }

    @property
    def graph_relationship_types(self) -> frozenset[str]:
        """Every relationship type a graph database may hold: the allow-list for queries."""
        return self.relationship_types | frozenset(self.reference_edges)

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(kind.label for kind in self.nodes.values())

    def __getitem__(self, name: str) -> NodeKind | RelationshipKind:
        if name in self.nodes:
            return self.nodes[name]
        if name in self.relationships:
            return self.relationships[name]
        raise KeyError(name)

    def relationship_columns(self) -> dict[str, PropertySpec]:
        """Every column relationships.csv may have, common ones first.

        A property of the same name in two relationship kinds (``share``) has one column.
        """
        columns = dict(self.common)
        for kind in self.relationships.values():
            for name, spec in kind.properties.items():
                columns.setdefault(name, spec)
        return columns

    @property
    def contract_relationship_types(self) -> tuple[str, ...]:
        """The relationship kinds of the data contract (DESIGN section 2), in model order."""
        return tuple(name for name, kind in self.relationships.items() if not kind.extension)

    def contract_columns(self, file: str) -> tuple[str, ...]:
        """The columns of one table of the data contract (DESIGN section 2), extensions left
        out: a node table's properties in model order; for ``relationships`` the row's ends
        (the required common columns), then the properties of each contract kind (one
        column per name), then the other common columns (when, and where from).

        >>> load_model().contract_columns("groups")
        ('group_id', 'member', 'group_name')
        >>> load_model().contract_columns("relationships")[:4]
        ('type', 'source', 'target', 'share')
        """
        def contract(specs: dict[str, PropertySpec]) -> list[str]:
            return [name for name, spec in specs.items() if not spec.extension]

        if file != "relationships":
            kind = next((k for k in self.nodes.values() if k.file == file), None)
            if kind is None:
                raise KeyError(file)
            return tuple(contract(kind.properties))
        ends = [name for name in contract(self.common) if self.common[name].required]
        own = [name for kind in self.contract_relationship_types
               for name in contract(self.relationships[kind].properties)]
        rest = [name for name in contract(self.common) if name not in ends]
        return tuple(dict.fromkeys(ends + own + rest))

    def to_dict(self) -> dict[str, Any]:
        def props(specs: dict[str, PropertySpec]) -> dict[str, Any]:
            return {
                name: {
                    "type": s.type,
                    "required": s.required,
                    "default": s.default,
                    "values": list(s.values),
                    "description": s.description,
                    "extension": s.extension,
                }
                for name, s in specs.items()
            }

        return {
            "nodes": {
                n.name: {"label": n.label, "file": n.file, "key": n.key,
                         "properties": props(n.properties)}
                for n in self.nodes.values()
            },
            "relationships": {
                r.name: {"source": list(r.source_kinds), "target": list(r.target_kinds),
                         "undirected": r.undirected, "extension": r.extension,
                         "properties": props(r.properties)}
                for r in self.relationships.values()
            },
            "common": props(self.common),
            "flags": {
                f.code: {"label": f.label, "description": f.description, "colour": f.colour,
                         "badge": f.badge, "raised": f.raised}
                for f in self.flags.values()
            },
        }


def _properties(raw: dict[str, Any], where: str) -> dict[str, PropertySpec]:
    specs: dict[str, PropertySpec] = {}
    for name, spec in raw.items():
        kind = spec.get("type")
        if kind != "enum" and kind not in PARSERS:
            raise InvalidModel(f"{where}.{name}: unknown property type {kind!r}")
        if kind == "enum" and not spec.get("values"):
            raise InvalidModel(f"{where}.{name}: an enum needs values")
        described = spec.get("value_descriptions", {})
        unknown = sorted(set(described) - set(spec.get("values", ())))
        if unknown:
            raise InvalidModel(f"{where}.{name}: value_descriptions of values it does not "
                               f"have: {', '.join(unknown)}")
        specs[name] = PropertySpec(
            name=name,
            type=kind,
            required=bool(spec.get("required", False)),
            default=spec.get("default"),
            values=tuple(spec.get("values", ())),
            description=spec.get("description", ""),
            edge=spec.get("edge", ""),
            value_descriptions=dict(described),
            extension=bool(spec.get("extension", False)),
        )
    return specs


def _flags(raw: dict[str, Any]) -> dict[str, FlagKind]:
    flags: dict[str, FlagKind] = {}
    for code, spec in raw.items():
        where = f"flags.{code}"
        if not _FLAG_CODE.fullmatch(code):
            raise InvalidModel(f"{where}: a flag code is upper-case letters, digits and _")
        for key in ("label", "description"):
            if not spec.get(key):
                raise InvalidModel(f"{where}: needs a {key}")
        for key in ("colour", "badge"):
            if key in spec and not _COLOUR.fullmatch(str(spec[key])):
                raise InvalidModel(f"{where}.{key}: expected a colour like #1f4e79, "
                                   f"got {spec[key]!r}")
        flags[code] = FlagKind(code=code, label=spec["label"], description=spec["description"],
                               colour=spec.get("colour", ""), badge=spec.get("badge", ""),
                               raised=bool(spec.get("raised", True)))
    return flags


@cache
def load_model(path: Path = MODEL_FILE) -> Model:
    """Read the model file. Raises InvalidModel when it is malformed."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidModel(f"{path}: {error}") from error
    nodes = {
        name: NodeKind(
            name=name,
            label=spec["label"],
            file=spec["file"],
            key=spec["key"],
            optional=bool(spec.get("optional", False)),
            description=spec.get("description", ""),
            caption=spec.get("caption", ""),
            properties=_properties(spec["properties"], f"nodes.{name}"),
        )
        for name, spec in raw["nodes"].items()
    }
    common = _properties(raw["relationship_common"], "relationship_common")
    relationships = {}
    for name, spec in raw["relationships"].items():
        own = _properties(spec.get("properties", {}), f"relationships.{name}")
        relationships[name] = RelationshipKind(
            name=name,
            source_kinds=tuple(spec["source"]),
            target_kinds=tuple(spec["target"]),
            properties=own,
            undirected=bool(spec.get("undirected", False)),
            caption=spec.get("caption", ""),
            description=spec.get("description", ""),
            extension=bool(spec.get("extension", False)),
        )
    return Model(nodes=nodes, relationships=relationships, common=common,
                 flags=_flags(raw.get("flags", {})))
