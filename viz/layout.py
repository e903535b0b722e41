"""Layouts: hierarchy levels for ownership trees, and the vis-network options of each layout.

Two layouts. **Hierarchical** (groups, contagion rounds): every node gets a ``level``, the
controllers on top (level 0) and each holding one level below its holder, and physics stays
off. vis-network places the levels of small views; from :data:`LARGE_VIEW` nodes on, a level
of a thousand subsidiaries would be one row a hundred screens wide, so
:func:`wrapped_positions` places the nodes itself, each level wrapped into rows of bounded
width, children next to their parents' siblings' children (ordered by their parents'
positions). **Physics**
(neighbourhoods, circles): a force-directed layout that the page stabilises in a bounded
number of iterations and then switches off, so the view stops moving and stays responsive.

>>> from schema.records import Relationship as R
>>> edges = [R("OWNS", "P", "A", share=0.6), R("OWNS", "A", "B", share=0.7),
...          R("RELATIVE_OF", "P", "Q", relation="spouse"), R("OWNS", "X", "B", share=0.2)]
>>> hierarchy_levels(["P", "Q", "A", "B", "X"], edges, roots=["P"])
{'P': 0, 'Q': 0, 'A': 1, 'B': 2, 'X': 1}
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from schema.records import Relationship

__all__ = ["ABOVE_KINDS", "DOWN_KINDS", "LARGE_VIEW", "PEER_KINDS", "fixed_options",
           "hierarchical_options", "hierarchy_levels", "level_options", "physics_options",
           "wrapped_positions"]

DOWN_KINDS = frozenset({"OWNS", "CONTROLS"})
"""Relationship kinds that point from a holder down to what it holds or controls."""

ABOVE_KINDS = frozenset({"MANAGES"})
"""Relationship kinds whose source sits one level above its target, without making a tree."""

PEER_KINDS = frozenset({"RELATIVE_OF"})
"""Relationship kinds whose two ends sit on the same level."""

LARGE_VIEW = 300
"""From this many nodes on, views trade finish for speed (no edge drawing while dragging or
zooming, fewer physics iterations, no improved initial layout)."""


def hierarchy_levels(nodes: Iterable[str], relationships: Iterable[Relationship],
                     roots: Iterable[str] = (), *,
                     down_kinds: frozenset[str] = DOWN_KINDS) -> dict[str, int]:
    """A level for every node: ``roots`` at 0, holdings below their holders.

    Breadth-first from the roots along ``down_kinds`` edges (each node at its shortest
    distance, so cross-holdings do not push it down forever); then nodes reached only
    otherwise take a level from a placed neighbour: relatives the same, a holder or manager
    one above, anything else (dependence, guarantees) one below. Parts of the view that are
    not connected to the roots start from a top node of their own (one that no
    ``down_kinds`` edge points at). Levels are shifted to start at 0.
    """
    order = list(dict.fromkeys(nodes))
    inside = set(order)
    edges = [r for r in relationships if r.source in inside and r.target in inside]
    down: dict[str, list[str]] = {}
    held: set[str] = set()
    # neighbours[n]: (other, delta) with level[other] = level[n] + delta
    neighbours: dict[str, list[tuple[str, int]]] = {n: [] for n in order}
    for r in edges:
        if r.type in down_kinds:
            down.setdefault(r.source, []).append(r.target)
            held.add(r.target)
        if r.type in down_kinds or r.type in ABOVE_KINDS:
            neighbours[r.source].append((r.target, 1))
            neighbours[r.target].append((r.source, -1))
        elif r.type in PEER_KINDS:
            neighbours[r.source].append((r.target, 0))
            neighbours[r.target].append((r.source, 0))
        else:
            neighbours[r.source].append((r.target, 1))
            neighbours[r.target].append((r.source, 1))

    levels: dict[str, int] = {}
    starts = [n for n in dict.fromkeys(roots) if n in inside]
    while len(levels) < len(order):
        if not starts:
            unplaced = [n for n in order if n not in levels]
            starts = [n for n in unplaced if n not in held][:1] or unplaced[:1]
        _spread(starts, levels, down, neighbours)
        starts = []
    low = min(levels.values(), default=0)
    return {n: levels[n] - low for n in order}


def _spread(starts: list[str], levels: dict[str, int], down: dict[str, list[str]],
            neighbours: dict[str, list[tuple[str, int]]]) -> None:
    """Place ``starts`` at level 0, their holdings below them, then everything connected."""
    placed = [s for s in starts if s not in levels]
    levels.update(dict.fromkeys(placed, 0))
    queue = deque(placed)
    while queue:  # down the ownership and control edges first
        node = queue.popleft()
        for child in down.get(node, ()):
            if child not in levels:
                levels[child] = levels[node] + 1
                queue.append(child)
                placed.append(child)
    frontier = deque(placed)
    while frontier:  # then whatever else hangs on them
        node = frontier.popleft()
        for other, step in neighbours[node]:
            if other not in levels:
                levels[other] = levels[node] + step
                frontier.append(other)
                for child in down.get(other, ()):
                    if child not in levels:
                        levels[child] = levels[other] + 1
                        frontier.append(child)


def _interaction(size: int) -> dict[str, Any]:
    large = size >= LARGE_VIEW
    return {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large, "navigationButtons": False, "keyboard": False}


def _edges(size: int) -> dict[str, Any]:
    return {"font": {"size": 11, "align": "middle", "strokeWidth": 3, "strokeColor": "#ffffff"},
            "smooth": {"enabled": size < LARGE_VIEW, "type": "dynamic"},
            "selectionWidth": 2}


def _nodes() -> dict[str, Any]:
    return {"font": {"size": 13, "face": "sans-serif"}, "borderWidth": 1.5,
            "scaling": {"label": {"drawThreshold": 6}}}


def hierarchical_options(size: int, direction: str = "UD") -> dict[str, Any]:
    """vis-network options for a levelled layout with physics off (``UD``: top to bottom)."""
    spacing = 90 if size >= LARGE_VIEW else 140
    edges = _edges(size)
    edges["smooth"] = {"enabled": size < LARGE_VIEW, "type": "cubicBezier",
                       "forceDirection": "vertical" if direction in ("UD", "DU") else "horizontal",
                       "roundness": 0.4}
    return {
        "layout": {"hierarchical": {"enabled": True, "direction": direction,
                                    "sortMethod": "directed", "levelSeparation": 150,
                                    "nodeSpacing": spacing, "treeSpacing": spacing * 1.5,
                                    "blockShifting": True, "edgeMinimization": size < LARGE_VIEW,
                                    "parentCentralization": True, "shakeTowards": "roots"}},
        "physics": {"enabled": False},
        "interaction": _interaction(size),
        "edges": edges,
        "nodes": _nodes(),
    }


def physics_options(size: int) -> dict[str, Any]:
    """vis-network options for a force-directed layout, stabilised in a bounded number of
    iterations (fewer for large views); the page turns physics off once it is stable."""
    iterations = 600 if size < LARGE_VIEW else 250 if size < 1000 else 150
    return {
        "layout": {"improvedLayout": size <= 150, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.008,
                                 "springLength": 110, "springConstant": 0.06, "damping": 0.5,
                                 "avoidOverlap": 0.3},
            "maxVelocity": 60,
            "minVelocity": 0.75,
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25,
                              "fit": True},
        },
        "interaction": _interaction(size),
        "edges": _edges(size),
        "nodes": _nodes(),
    }


def wrapped_positions(levels: Mapping[str, int], relationships: Iterable[Relationship], *,
                      per_row: int | None = None, spacing: float = 110.0
                      ) -> dict[str, tuple[float, float]]:
    """Positions for a levelled layout whose wide levels wrap into rows.

    Level 0 is on top, ordered by id; each lower level is ordered by the mean position of
    the nodes above it that it is linked to (then by id), and laid out in centred rows of
    at most ``per_row`` nodes (default about 1.5 x the square root of the node count).

    >>> from schema.records import Relationship as R
    >>> edges = [R("OWNS", "T", c, share=0.6) for c in "abcde"]
    >>> pos = wrapped_positions({"T": 0, **dict.fromkeys("abcde", 1)}, edges, per_row=3,
    ...                         spacing=80.0)
    >>> pos["T"], pos["a"], pos["d"]
    ((0.0, 0.0), (-80.0, 160.0), (-40.0, 224.0))
    """
    if not levels:
        return {}
    width = per_row or max(8, math.ceil(1.5 * math.sqrt(len(levels))))
    linked: dict[str, list[str]] = {n: [] for n in levels}
    for r in relationships:
        if r.source in levels and r.target in levels:
            linked[r.source].append(r.target)
            linked[r.target].append(r.source)
    by_level: dict[int, list[str]] = {}
    for node, level in levels.items():
        by_level.setdefault(level, []).append(node)
    rank: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    y = 0.0
    for level in sorted(by_level):
        def key(node: str, level: int = level) -> tuple[float, str]:
            above = [rank[o] for o in linked[node] if o in rank and levels[o] < level]
            return (sum(above) / len(above) if above else math.inf, node)

        row_nodes = sorted(by_level[level], key=key)
        rows = [row_nodes[i:i + width] for i in range(0, len(row_nodes), width)]
        for r_index, row in enumerate(rows):
            for i, node in enumerate(row):
                positions[node] = ((i - (len(row) - 1) / 2) * spacing, y + r_index * spacing * 0.8)
        rank.update((node, float(i)) for i, node in enumerate(row_nodes))
        y += (len(rows) - 1) * spacing * 0.8 + spacing * 2
    return positions


def fixed_options(size: int) -> dict[str, Any]:
    """vis-network options for nodes placed by :func:`wrapped_positions`: no physics, no
    layout engine, straight edges."""
    edges = _edges(size)
    edges["smooth"] = {"enabled": False}
    return {"layout": {"improvedLayout": False, "hierarchical": {"enabled": False}},
            "physics": {"enabled": False}, "interaction": _interaction(size), "edges": edges,
            "nodes": _nodes()}


def level_options(levels: Mapping[str, int], relationships: Iterable[Relationship]
                  ) -> tuple[dict[str, Any], dict[str, int], dict[str, tuple[float, float]]]:
    """The options, node levels and node positions of a levelled view: vis-network's
    hierarchical layout below :data:`LARGE_VIEW` nodes, wrapped rows from there on."""
    if len(levels) < LARGE_VIEW:
        return hierarchical_options(len(levels)), dict(levels), {}
    return fixed_options(len(levels)), {}, wrapped_positions(levels, relationships)
