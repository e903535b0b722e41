"""Interactive network views, exported as self-contained HTML that works offline.

``viz`` turns plain data from ``graph`` and ``schema`` into pyvis networks with one visual
language (:mod:`viz.style`) and writes them as single HTML files with vis-network inline
(:mod:`viz.offline`). The four views are in :mod:`viz.views`.
"""

from viz.offline import render_html, write_html
from viz.truncate import MAX_NODES, Cut
from viz.views import (
    View,
    circle_html,
    circle_view,
    contagion_html,
    contagion_view,
    group_html,
    group_view,
    neighbourhood_html,
    neighbourhood_view,
)

__all__ = [
    "MAX_NODES",
    "Cut",
    "View",
    "circle_html",
    "circle_view",
    "contagion_html",
    "contagion_view",
    "group_html",
    "group_view",
    "neighbourhood_html",
    "neighbourhood_view",
    "render_html",
    "write_html",
]
