"""The visual language of every view: shapes, sizes, colours, edge styles and captions.

One vocabulary for all views, so an analyst reads each the same way:

* **shape** by the kind of party: company (square), person (circle), bank (diamond; a
  company with ``is_bank``);
* **size** by gross exposure: the area grows with the exposure, relative to the largest in
  the view; parties the bank does not lend to get the smallest size;
* **fill colour** by the most severe flag (:data:`FLAG_ORDER`), a thick border in the colour
  of a second flag; a neutral blue without flags. Flags, their order, colours and legend
  words are the model's (``[flags]`` of ``schema/model.toml``); a flag the model gives no
  colour is not drawn;
* **edge style** by relationship kind, derived from ``schema/model.toml``: every kind there
  gets a style (a known look, or a grey dashed fallback for kinds added later), arrows unless
  the kind is ``undirected``, and its label is the kind's ``caption`` property, formatted by
  that property's type (``share`` as ``60%``, ``amount`` as ``1.2m``).

>>> styles = edge_styles()
>>> styles["OWNS"].caption, styles["GUARANTEES"].caption, styles["RELATIVE_OF"].arrows
('share', 'amount', False)
>>> from schema.records import Relationship as R
>>> edge_caption(R("OWNS", "A", "B", share=0.6)), edge_caption(R("OWNS", "A", "B", share=0.555))
('60%', '55.5%')
>>> edge_caption(R("GUARANTEES", "A", "B", amount=1_250_000.0, currency="USD"))
'1.25m USD'
>>> primary_flag(["LARGE_EXPOSURE", "LIMIT_BREACH"])
'LIMIT_BREACH'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from schema.model import FlagKind, Model, load_model
from schema.records import Entity, Relationship

__all__ = [
    "FLAGS",
    "FLAG_ORDER",
    "MAX_NODE_SIZE",
    "MIN_NODE_SIZE",
    "NODE_KINDS",
    "NO_FLAG_COLOUR",
    "EdgeStyle",
    "NodeKindStyle",
    "edge_caption",
    "edge_styles",
    "format_amount",
    "format_money",
    "format_share",
    "node_kind",
    "node_size",
    "ordered_flags",
    "primary_flag",
    "stress_colour",
]

MIN_NODE_SIZE = 10.0
MAX_NODE_SIZE = 46.0
NO_FLAG_COLOUR = "#a9c4e2"


@dataclass(frozen=True)
class NodeKindStyle:
    """How one kind of party is drawn: a vis-network shape and a legend label."""

    kind: str
    shape: str
    label: str


NODE_KINDS: dict[str, NodeKindStyle] = {
    "company": NodeKindStyle("company", "square", "company"),
    "person": NodeKindStyle("person", "dot", "person"),
    "bank": NodeKindStyle("bank", "diamond", "bank (interbank counterparty)"),
}


FLAGS: Mapping[str, FlagKind] = MappingProxyType(
    {code: flag for code, flag in load_model().flags.items() if flag.colour})
"""The flags views draw (those the model gives a colour), from the most severe to the least."""

FLAG_ORDER: tuple[str, ...] = tuple(FLAGS)
"""Flags from the most severe to the least: the fill shows the first a party carries."""


def ordered_flags(flags: Iterable[str]) -> list[str]:
    """Flags without repeats, most severe first; codes the views do not draw last, by name."""
    unique = set(flags)
    known = [f for f in FLAG_ORDER if f in unique]
    return known + sorted(unique - set(FLAG_ORDER))


def primary_flag(flags: Iterable[str]) -> str | None:
    """The most severe flag, or None."""
    ordered = ordered_flags(flags)
    return ordered[0] if ordered else None


def node_kind(entity: Entity) -> str:
    """``bank`` for interbank counterparties, else the entity's kind."""
    if entity.is_bank:
        return "bank"
    return entity.kind if entity.kind in NODE_KINDS else "company"


def node_size(exposure: float, largest: float) -> float:
    """Size of a node: its area proportional to ``exposure`` relative to ``largest``.

    >>> node_size(0.0, 100.0), node_size(100.0, 100.0), node_size(25.0, 100.0)
    (10.0, 46.0, 28.0)
    """
    if largest <= 0 or exposure <= 0:
        return MIN_NODE_SIZE
    ratio = min(1.0, exposure / largest)
    return round(MIN_NODE_SIZE + (MAX_NODE_SIZE - MIN_NODE_SIZE) * math.sqrt(ratio), 2)


_STRESS_LOW = (0xFE, 0xE8, 0xC8)
_STRESS_HIGH = (0x99, 0x00, 0x0D)


def stress_colour(stress: float) -> str:
    """A colour from pale orange (no stress) to dark red (stress 1).

    >>> stress_colour(0.0), stress_colour(1.0)
    ('#fee8c8', '#99000d')
    """
    h = min(1.0, max(0.0, stress))
    rgb = (round(lo + (hi - lo) * h) for lo, hi in zip(_STRESS_LOW, _STRESS_HIGH, strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


@dataclass(frozen=True)
class EdgeStyle:
    """How one relationship kind is drawn, and which property labels its edges."""

    kind: str
    colour: str
    dashes: tuple[int, ...]
    width: float
    arrows: bool
    caption: str
    caption_type: str
    description: str

    def vis_options(self) -> dict[str, Any]:
        """The vis-network edge options of this style."""
        colour = {"color": self.colour, "highlight": self.colour, "hover": self.colour}
        return {
            "color": colour,
            "dashes": list(self.dashes) if self.dashes else False,
            "width": self.width,
            "arrows": {"to": {"enabled": self.arrows, "scaleFactor": 0.6}},
        }


# colour, dash pattern (empty: solid), width
_LOOKS: dict[str, tuple[str, tuple[int, ...], float]] = {
    "OWNS": ("#1f4e79", (), 2.0),
    "CONTROLS": ("#7b3294", (10, 5), 2.0),
    "MANAGES": ("#8c8c8c", (2, 4), 1.0),
    "RELATIVE_OF": ("#1a9850", (6, 3, 2, 3), 1.5),
    "GUARANTEES": ("#e66101", (), 2.5),
    "DEPENDS_ON": ("#8c510a", (14, 6), 1.5),
}
_FALLBACK_LOOK = ("#666666", (4, 4), 1.0)


def edge_styles(model: Model | None = None) -> Mapping[str, EdgeStyle]:
    """A style for every relationship kind of ``model`` (default: ``schema/model.toml``)."""
    return _model_styles() if model is None else _styles(model)


@cache
def _model_styles() -> Mapping[str, EdgeStyle]:
    return MappingProxyType(_styles(load_model()))


def _styles(model: Model) -> dict[str, EdgeStyle]:
    styles = {}
    for name, kind in model.relationships.items():
        colour, dashes, width = _LOOKS.get(name, _FALLBACK_LOOK)
        spec = kind.properties.get(kind.caption) or model.common.get(kind.caption)
        styles[name] = EdgeStyle(name, colour, dashes, width, not kind.undirected, kind.caption,
                                 spec.type if spec else "", kind.description)
    return styles


def format_share(share: float) -> str:
    """A share as a percentage: ``60%``, ``55.5%``, ``0.01%``.

    >>> format_share(0.6), format_share(1/3), format_share(0.0001)
    ('60%', '33.3%', '0.01%')
    """
    pct = share * 100
    if abs(pct - round(pct)) < 0.05 and pct >= 1:
        return f"{round(pct)}%"
    return f"{pct:.3g}%" if pct < 1 else f"{pct:.1f}%"


def format_amount(amount: float) -> str:
    """An amount, short: ``950``, ``12.5k``, ``1.25m``, ``3.4bn``.

    >>> format_amount(950.0), format_amount(12_500.0), format_amount(3_400_000_000.0)
    ('950', '12.5k', '3.4bn')
    """
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:.3g}{suffix}"
    return f"{amount:.3g}" if amount != int(amount) else f"{int(amount)}"


def format_money(amount: float, currency: str = "") -> str:
    """An amount in full, for tooltips: ``1,234,567.89 CNY``.

    >>> format_money(1234567.891, "CNY")
    '1,234,567.89 CNY'
    """
    text = f"{amount:,.2f}".removesuffix(".00")
    return f"{text} {currency}".rstrip()


def edge_caption(relationship: Relationship, styles: Mapping[str, EdgeStyle] | None = None) -> str:
    """The label of an edge: its kind's caption property, formatted by type ('' if none)."""
    style = (styles or edge_styles()).get(relationship.type)
    if style is None or not style.caption:
        return ""
    value = getattr(relationship, style.caption, None)
    if value is None:
        value = relationship.extra.get(style.caption)
    if value is None or value == "":
        return ""
    if style.caption_type == "share" and isinstance(value, int | float):
        return format_share(float(value))
    if style.caption_type == "amount" and isinstance(value, int | float):
        text = format_amount(float(value))
        return f"{text} {relationship.currency}" if relationship.currency else text
    return str(value).replace("_", " ")
