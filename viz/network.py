"""Building a pyvis ``Network`` from parties and relationships, apart from writing HTML.

Input is plain data: entities and relationships (``schema.records``), each party's gross
exposure in base currency and its risk flags (codes such as ``LIMIT_BREACH``). Every node
carries, besides what vis-network draws, its ``kind``, ``exposure`` and ``flags``, and every
edge its relationship ``type`` and ``caption``, so tests (and pages) can read them back.

Node tooltips are plain text, one fact a line (id, name, kind, exposure, flags, then what
the view adds); vis-network shows text titles as text, so names cannot inject markup.

>>> from schema.records import Entity, Relationship as R
>>> people = [Entity("P1", "王建国", "person"), Entity("C1", "华信实业", "company")]
>>> net = build_network(people, [R("OWNS", "P1", "C1", share=0.4)],
...                     exposure={"C1": 875.0}, flags={"C1": ["LARGE_EXPOSURE"]})
>>> [(n["id"], n["shape"], n["color"]["background"]) for n in net.nodes]
[('P1', 'dot', '#a9c4e2'), ('C1', 'square', '#f2c200')]
>>> [(e["from"], e["to"], e["label"]) for e in net.edges]
[('P1', 'C1', '40%')]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyvis.network import Network

from schema.records import Entity, Relationship
from viz.style import (
    FLAGS,
    NO_FLAG_COLOUR,
    NODE_KINDS,
    EdgeStyle,
    edge_caption,
    edge_styles,
    format_money,
    node_kind,
    node_size,
    ordered_flags,
)

__all__ = ["Decorations", "EdgeKey", "build_network", "edge_key", "provenance_lines"]

EdgeKey = tuple[str, str, str, str, str]
"""A relationship's identity (``Relationship.identity``): how views point at edges."""

_LABEL_LENGTH = 28
_EMPHASIS = 2.2


def edge_key(relationship: Relationship) -> EdgeKey:
    """The key of a relationship in :class:`Decorations` (its identity)."""
    return relationship.identity


@dataclass(frozen=True)
class Decorations:
    """What a view adds to the common visual language.

    ``levels`` place nodes in a hierarchical layout (all nodes or none), ``positions`` at
    fixed coordinates (for layouts computed here); ``focus`` nodes get a dark halo and a
    larger label; ``node_notes`` and ``edge_notes`` add tooltip lines; ``node_colours``
    replace the flag colour (contagion stress); ``label_suffix`` is appended to a node's
    label; ``emphasised`` edges are drawn thicker (evidence, circle guarantees).
    """

    levels: Mapping[str, int] = field(default_factory=dict)
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    focus: frozenset[str] = frozenset()
    node_notes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    node_colours: Mapping[str, str] = field(default_factory=dict)
    label_suffix: Mapping[str, str] = field(default_factory=dict)
    edge_notes: Mapping[EdgeKey, Sequence[str]] = field(default_factory=dict)
    emphasised: frozenset[EdgeKey] = frozenset()


def build_network(entities: Iterable[Entity], relationships: Iterable[Relationship], *,
                  exposure: Mapping[str, float], flags: Mapping[str, Sequence[str]],
                  decorations: Decorations | None = None, currency: str = "") -> Network:
    """A pyvis network of ``entities`` and the ``relationships`` between them.

    Relationships with an end outside ``entities`` are left out. A party whose ``status`` is
    ``defaulted`` carries the ``DEFAULTED`` flag even when ``flags`` does not say so.
    """
    deco = decorations or Decorations()
    people = list({e.id: e for e in entities}.values())
    largest = max((exposure.get(e.id, 0.0) for e in people), default=0.0)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for entity in people:
        net.add_node(entity.id, **_node(entity, exposure.get(entity.id, 0.0), largest,
                                        _flags_of(entity, flags), deco, currency))
    inside = {e.id for e in people}
    styles = edge_styles()
    kept = [r for r in relationships if r.source in inside and r.target in inside]
    pairs = Counter(frozenset((r.source, r.target)) for r in kept)
    seen: Counter[frozenset[str]] = Counter()
    for index, r in enumerate(kept):
        pair = frozenset((r.source, r.target))
        seen[pair] += 1
        net.add_edge(r.source, r.target, **_edge(index, r, styles, deco, pairs[pair], seen[pair]))
    return net


def _flags_of(entity: Entity, flags: Mapping[str, Sequence[str]]) -> list[str]:
    own = list(flags.get(entity.id, ()))
    if entity.status == "defaulted":
        own.append("DEFAULTED")
    return ordered_flags(own)


def provenance_lines(record: Entity | Relationship) -> list[str]:
    """Where a fact came from: the public record (standard, id, date, status) and the input
    row, as tooltip lines.

    >>> provenance_lines(Entity("X", "X Ltd", "company", source_standard="GLEIF LEI-CDF 2.1",
    ...                         record_id="5493001KJTIIGC8Y1R12", origin="lei.xml:3"))
    ['source: GLEIF LEI-CDF 2.1 record 5493001KJTIIGC8Y1R12', 'row: lei.xml:3']
    """
    lines = []
    if record.source_standard:
        line = f"source: {record.source_standard}"
        if record.record_id:
            line += f" record {record.record_id}"
        if record.statement_date:
            line += f" of {record.statement_date.isoformat()}"
        if record.registration_status:
            line += f" ({record.registration_status})"
        lines.append(line)
    if record.origin:
        lines.append(f"row: {record.origin}")
    return lines


def _label(entity: Entity, suffix: str) -> str:
    name = entity.name if len(entity.name) <= _LABEL_LENGTH else entity.name[:_LABEL_LENGTH - 1] + "…"
    return f"{name}\n{suffix}" if suffix else name


def _node(entity: Entity, amount: float, largest: float, flags: list[str], deco: Decorations,
          currency: str) -> dict[str, Any]:
    kind = node_kind(entity)
    fill = deco.node_colours.get(entity.id) or (
        FLAGS[flags[0]].colour if flags and flags[0] in FLAGS else NO_FLAG_COLOUR)
    border = FLAGS[flags[1]].colour if len(flags) > 1 and flags[1] in FLAGS else "#2b2b2b"
    width = 4.0 if len(flags) > 1 else 1.5
    lines = [f"id: {entity.id}", f"name: {entity.name}", f"kind: {NODE_KINDS[kind].label}",
             f"exposure (gross): {format_money(amount, currency)}",
             f"flags: {', '.join(flags) if flags else 'none'}"]
    if entity.status != "active":
        lines.append(f"status: {entity.status}")
    lines.extend(provenance_lines(entity))
    lines.extend(deco.node_notes.get(entity.id, ()))
    node: dict[str, Any] = {
        "label": _label(entity, deco.label_suffix.get(entity.id, "")),
        "shape": NODE_KINDS[kind].shape,
        "color": {"background": fill, "border": border,
                  "highlight": {"background": fill, "border": "#000000"},
                  "hover": {"background": fill, "border": "#000000"}},
        "borderWidth": width,
        "size": node_size(amount, largest),
        "title": "\n".join(lines),
        "kind": kind,
        "name": entity.name,
        "exposure": amount,
        "flags": flags,
    }
    if entity.id in deco.focus:  # a dark halo, so that the border can still show a flag
        node["shadow"] = {"enabled": True, "color": "rgba(0, 0, 0, 0.75)", "size": 22,
                          "x": 0, "y": 0}
        node["font"] = {"size": 16, "color": "#000000"}
    if deco.levels:
        node["level"] = deco.levels[entity.id]
    if entity.id in deco.positions:
        node["x"], node["y"] = deco.positions[entity.id]
    return node


def _edge(index: int, r: Relationship, styles: Mapping[str, EdgeStyle], deco: Decorations,
          parallel: int, nth: int) -> dict[str, Any]:
    style = styles.get(r.type)
    caption = edge_caption(r, styles)
    options: dict[str, Any] = style.vis_options() if style else {"arrows": {"to": {"enabled": True}}}
    key = edge_key(r)
    if key in deco.emphasised:
        options["width"] = options.get("width", 1.0) * _EMPHASIS
    lines = [f"{r.type}: {r.source} → {r.target}" + (f" ({caption})" if caption else "")]
    if r.type == "GUARANTEES" and r.facility:
        lines.append(f"facility: {r.facility}")
    if r.valid_from or r.valid_to:
        lines.append(f"valid: {r.valid_from or '…'} to {r.valid_to or '…'}")
    if r.source_ref:
        lines.append(f"source: {r.source_ref}")
    lines.extend(provenance_lines(r))
    lines.extend(deco.edge_notes.get(key, ()))
    options.update({"id": f"e{index}", "label": caption, "title": "\n".join(lines),
                    "type": r.type, "caption": caption})
    if parallel > 1:  # fan out edges between the same two parties, to alternate sides
        clockwise = (nth % 2 == 1) != (r.source > r.target)
        options["smooth"] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                             "roundness": 0.25 + 0.2 * ((nth - 1) // 2)}
    return options
