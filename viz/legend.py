"""The legend every view carries: inline HTML with inline SVG samples, nothing external.

It explains the common language (shapes, size, flag colours, one line sample per
relationship kind of the model, arrows) and then what the view adds, as
:class:`LegendSection` items (evidence edges, circle guarantees, stress scale, ...).

>>> html = legend_html([LegendSection("This view", ("thick edges: evidence",))])
>>> "limit breach" in html and "OWNS" in html and "thick edges: evidence" in html
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from viz.style import (
    FLAG_ORDER,
    FLAGS,
    NO_FLAG_COLOUR,
    NODE_KINDS,
    EdgeStyle,
    edge_styles,
    stress_colour,
)

__all__ = ["LegendSection", "legend_html", "stress_scale_html"]


@dataclass(frozen=True)
class LegendSection:
    """A view's own legend lines, under a heading. ``html`` items are trusted markup
    (samples built here); ``lines`` are text and escaped."""

    heading: str
    lines: tuple[str, ...] = ()
    html: tuple[str, ...] = ()


_SHAPES = {
    "square": '<rect x="3" y="3" width="12" height="12" />',
    "dot": '<circle cx="9" cy="9" r="6.5" />',
    "diamond": '<polygon points="9,1 17,9 9,17 1,9" />',
}


def _icon(shape: str, fill: str = NO_FLAG_COLOUR, stroke: str = "#2b2b2b", width: float = 1.5) -> str:
    return (f'<svg class="gg-icon" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
            f'<g fill="{fill}" stroke="{stroke}" stroke-width="{width}">{_SHAPES[shape]}</g></svg>')


def _line(style: EdgeStyle) -> str:
    dash = f' stroke-dasharray="{",".join(map(str, style.dashes))}"' if style.dashes else ""
    arrow = (f'<polygon points="44,7 36,2.5 36,11.5" fill="{style.colour}" />'
             if style.arrows else "")
    return (f'<svg class="gg-line" width="46" height="14" viewBox="0 0 46 14" aria-hidden="true">'
            f'<line x1="2" y1="7" x2="{38 if style.arrows else 44}" y2="7" stroke="{style.colour}"'
            f' stroke-width="{style.width}"{dash} />{arrow}</svg>')


def _row(sample: str, text: str) -> str:
    return f'<li>{sample}<span>{escape(text)}</span></li>'


def _section(heading: str, rows: Sequence[str]) -> str:
    return f'<h3>{escape(heading)}</h3><ul>{"".join(rows)}</ul>'


def stress_scale_html() -> str:
    """A gradient bar from no stress to stress 1 (for contagion views)."""
    stops = ", ".join(f"{stress_colour(h / 4)} {h * 25}%" for h in range(5))
    return (f'<li><span class="gg-scale" style="background: linear-gradient(to right, {stops})">'
            f'</span><span>stress 0 → 1 (DebtRank h)</span></li>')


def legend_html(sections: Sequence[LegendSection] = ()) -> str:
    """The legend panel: the common language, then each of the view's ``sections``."""
    shapes = [_row(_icon(k.shape), k.label) for k in NODE_KINDS.values()]
    sizes = ('<svg class="gg-icon" width="30" height="18" viewBox="0 0 30 18" aria-hidden="true">'
             f'<g fill="{NO_FLAG_COLOUR}" stroke="#2b2b2b"><circle cx="5" cy="12" r="3" />'
             '<circle cx="20" cy="9" r="8" /></g></svg>')
    shapes.append(_row(sizes, "size: gross exposure (area)"))
    colours = [_row(_icon("dot", FLAGS[code].colour), FLAGS[code].label) for code in FLAG_ORDER]
    colours.append(_row(_icon("dot"), "no flag"))
    colours.append(_row(_icon("dot", FLAGS["LIMIT_BREACH"].colour, FLAGS["LARGE_EXPOSURE"].colour, 4),
                        "thick border: a second flag"))
    halo = ('<svg class="gg-icon" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
            '<circle cx="9" cy="9" r="8.5" fill="rgba(0, 0, 0, 0.45)" />'
            f'<circle cx="9" cy="9" r="5.5" fill="{NO_FLAG_COLOUR}" stroke="#2b2b2b" /></svg>')
    colours.append(_row(halo, "dark halo: the view's focus"))
    edges = [_row(_line(style), f"{name}" + (f" ({style.caption})" if style.caption else ""))
             for name, style in edge_styles().items()]
    edges.append('<li class="gg-hint">arrows: owner → owned, controller → controlled, '
                 'guarantor → borrower; labels: share or amount</li>')
    parts = [_section("Parties", shapes), _section("Flags (fill: most severe)", colours),
             _section("Relationships", edges)]
    for section in sections:
        rows = list(section.html) + [f'<li class="gg-hint">{escape(line)}</li>'
                                     for line in section.lines]
        parts.append(_section(section.heading, rows))
    return ('<details id="gg-legend" open><summary>Legend</summary>'
            + "".join(parts) + '<p class="gg-hint">Hover a party or an edge for details.</p>'
            '</details>')
