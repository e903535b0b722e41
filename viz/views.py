"""The four views: a party's neighbourhood, a group, a guarantee circle, a contagion result.

Each view function takes plain data (records from ``schema``, results from ``graph``, each
party's gross exposure and flags) and returns a :class:`View`: the pyvis network plus its
title, legend and what was cut. ``View.to_html()`` is the self-contained page
(:mod:`viz.offline`); the ``*_html`` functions do both in one call, for the API to serve.
Views never query a store.

* :func:`neighbourhood_view`: physics layout around the party (dark halo).
* :func:`group_view`: hierarchical, the ultimate controllers on top, each holding below its
  holder; evidence edges thick, every member's evidence chain in its tooltip.
* :func:`circle_view`: the circle's members (flag ``GUARANTEE_CIRCLE``), the guarantees among
  them thick, and the guarantee chains into the circle (outside guarantors of its members,
  and theirs) and out of it (outside borrowers its members guarantee), to ``chain_hops``.
* :func:`contagion_view`: defaulted parties by round (one level per round, round 0 on top),
  parties under stress below them; the fill is the DebtRank stress when given.

Above ``max_nodes`` parties a view keeps the most relevant (:mod:`viz.truncate`) and says
what it left out.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, Protocol

import networkx as nx
from pyvis.network import Network

from graph.analysis.groups import EvidenceStep, Group
from graph.reports.report import describe_step
from schema.records import Entity, Relationship
from viz.layout import hierarchy_levels, level_options, physics_options
from viz.legend import LegendSection, legend_html, stress_scale_html
from viz.network import Decorations, EdgeKey, build_network, edge_key
from viz.offline import render_html, write_html
from viz.style import FLAGS, format_money, ordered_flags, stress_colour
from viz.truncate import MAX_NODES, Cut, keep_most_relevant

__all__ = [
    "MAX_STEPS_SHOWN",
    "CircleLike",
    "View",
    "circle_html",
    "circle_view",
    "contagion_html",
    "contagion_view",
    "group_html",
    "group_view",
    "neighbourhood_html",
    "neighbourhood_view",
]

MAX_STEPS_SHOWN = 8
"""Evidence steps listed in a member's tooltip; longer chains end with a count."""

Flags = Mapping[str, Sequence[str]]


class CircleLike(Protocol):
    """What :func:`circle_view` reads of a guarantee circle (``graph.risk.circles.GuaranteeCircle``)."""

    @property
    def members(self) -> Sequence[str]: ...

    @property
    def guarantees(self) -> Sequence[Relationship]: ...


@dataclass(frozen=True)
class View:
    """A view ready to write: its network, title, legend and what was cut."""

    kind: str
    title: str
    subtitle: str
    network: Network
    legend: str
    cut: Cut
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return len(self.network.nodes)

    @property
    def edge_count(self) -> int:
        return len(self.network.edges)

    def to_html(self) -> str:
        """The self-contained HTML page of the view."""
        meta = {"view": self.kind, "nodes": self.node_count, "edges": self.edge_count,
                "total_nodes": self.cut.total_nodes, "total_edges": self.cut.total_edges,
                "truncated": self.cut.truncated, **self.meta}
        return render_html(self.network, title=self.title, subtitle=self.subtitle,
                           legend=self.legend, note=self.cut.note(), left_out=self.cut.left_out,
                           meta=meta)

    def write(self, path: Path) -> Path:
        """Write the page to ``path`` (UTF-8); returns the path."""
        return write_html(self.to_html(), path)


def _entity_map(entities: Iterable[Entity] | Mapping[str, Entity]) -> dict[str, Entity]:
    if isinstance(entities, Mapping):
        return dict(entities)
    return {e.id: e for e in entities}


def _require(ids: Iterable[str], entities: Mapping[str, Entity], what: str) -> None:
    missing = sorted(i for i in ids if i not in entities)
    if missing:
        raise ValueError(f"{what} not among the entities given: {', '.join(missing[:10])}")


def _label(entity: Entity | None, party: str) -> str:
    return f"{entity.name} [{party}]" if entity else party


def _with_flag(flags: Flags, ids: Iterable[str], code: str) -> dict[str, list[str]]:
    merged = {k: list(v) for k, v in flags.items()}
    for i in ids:
        merged.setdefault(i, [])
        if code not in merged[i]:
            merged[i].append(code)
    return merged


def _finish(kind: str, title: str, subtitle: str, net: Network, options: dict[str, Any],
            cut: Cut, sections: Sequence[LegendSection] = (), **meta: Any) -> View:
    net.options = options
    return View(kind, title, subtitle, net, legend_html(sections), cut, meta)


def neighbourhood_view(centre: str, entities: Iterable[Entity] | Mapping[str, Entity],
                       relationships: Iterable[Relationship], *,
                       exposure: Mapping[str, float] | None = None, flags: Flags | None = None,
                       hops: int | None = None, currency: str = "",
                       max_nodes: int = MAX_NODES) -> View:
    """The parties around ``centre`` and the relationships among them, as
    :func:`graph.stores.queries.neighbourhood` (or a store's ``neighbourhood``) returns them."""
    people = _entity_map(entities)
    _require([centre], people, "the centre")
    relationships = list(relationships)
    exposure = exposure or {}
    kept, cut = keep_most_relevant(people, relationships, focus=[centre], exposure=exposure,
                                   max_nodes=max_nodes)
    net = build_network((people[i] for i in people if i in kept), relationships,
                        exposure=exposure, flags=flags or {}, currency=currency,
                        decorations=Decorations(focus=frozenset([centre])))
    reach = f"{hops} hop{'s' if hops != 1 else ''}" if hops else "neighbourhood"
    title = f"{people[centre].name} [{centre}]: {reach}"
    subtitle = (f"{cut.total_nodes:,} parties and {cut.total_edges:,} relationships within "
                f"{reach} of {centre}.")
    section = LegendSection("This view", (f"dark halo: {people[centre].name} [{centre}]",
                                          "layout: force-directed, frozen once stable"))
    return _finish("neighbourhood", title, subtitle, net, physics_options(len(net.nodes)), cut,
                   [section], centre=centre, hops=hops)


def _family_names(members: Sequence[str], relationships: Sequence[Relationship],
                  people: Mapping[str, Entity]) -> dict[str, str]:
    """Names of the family units among ``members`` (``family:P1``), as the report gives them."""
    ties = nx.Graph()
    ties.add_edges_from((r.source, r.target) for r in relationships if r.type == "RELATIVE_OF")
    names = {}
    for component in nx.connected_components(ties):
        family = sorted(component)
        names[f"family:{family[0]}"] = "family of " + ", ".join(people[m].name for m in family
                                                                 if m in people)
    return names


def _evidence_lines(chain: Sequence[EvidenceStep], names: dict[str, str]) -> list[str]:
    if not chain:
        return ["in the group as its root"]
    lines = ["why in the group:"]
    lines.extend(f"  {i}. {describe_step(step, names)}"
                 for i, step in enumerate(chain[:MAX_STEPS_SHOWN], start=1))
    if len(chain) > MAX_STEPS_SHOWN:
        lines.append(f"  ... and {len(chain) - MAX_STEPS_SHOWN} more steps")
    return lines


def group_view(group: Group, entities: Mapping[str, Entity], relationships: Iterable[Relationship],
               *, exposure: Mapping[str, float] | None = None, flags: Flags | None = None,
               name: str | None = None, group_flags: Sequence[str] = (), currency: str = "",
               max_nodes: int = MAX_NODES) -> View:
    """A group of connected clients: its members, the relationships among them, its ultimate
    controllers on top and the evidence chains that put each member in it. ``group_flags``
    are the flags of the group's own checks (group limits), shown in the subtitle."""
    _require(group.members, entities, "group members")
    exposure = exposure or {}
    members = set(group.members)
    inside = [r for r in relationships if r.source in members and r.target in members]
    evidence_edges: dict[EdgeKey, list[str]] = {}
    for chain in group.evidence.values():
        for step in chain:
            for r in step.edges:
                note = f"evidence ({step.rule}): {step.source} → {step.target}"
                if note not in evidence_edges.setdefault(edge_key(r), []):
                    evidence_edges[edge_key(r)].append(note)
    known = {edge_key(r) for r in inside}
    for chain in group.evidence.values():  # evidence edges that are no longer current
        for r in (r for step in chain for r in step.edges):
            if edge_key(r) not in known:
                known.add(edge_key(r))
                inside.append(r)
    roots = list(group.controllers) or [
        m for m in group.members if all(s.rule == "R3-family" for s in group.evidence.get(m, ()))]
    kept, cut = keep_most_relevant(group.members, inside, focus=roots, exposure=exposure,
                                   max_nodes=max_nodes)
    names = {m: entities[m].name for m in group.members}
    names.update(_family_names(group.members, inside, entities))
    shown = [m for m in group.members if m in kept]
    options, levels, positions = level_options(hierarchy_levels(shown, inside, roots), inside)
    deco = Decorations(
        levels=levels,
        positions=positions,
        focus=frozenset(group.controllers) & kept,
        node_notes={m: (["ultimate controller of the group"] if m in group.controllers else [])
                    + _evidence_lines(group.evidence.get(m, ()), names) for m in shown},
        edge_notes=evidence_edges,
        emphasised=frozenset(evidence_edges))
    net = build_network((entities[m] for m in shown), inside, exposure=exposure,
                        flags=flags or {}, decorations=deco, currency=currency)
    total = sum(exposure.get(m, 0.0) for m in group.members)
    title = f"Group {name or group.id} [{group.id}]"
    controllers = ", ".join(_label(entities[c], c) for c in group.controllers) or "none (independent)"
    subtitle = (f"{group.size:,} members; ultimate controllers: {controllers}; "
                f"gross exposure {format_money(total, currency)}"
                + (f"; group flags: {', '.join(ordered_flags(group_flags))}." if group_flags else "."))
    section = LegendSection("This view", (
        "levels: ultimate controllers on top, each holding below its holder",
        "thick edges: the evidence that puts members in the group (hover a member for its chain)",
        "dark halo: an ultimate controller"))
    return _finish("group", title, subtitle, net, options, cut, [section], group=group.id)


def _chain_reach(graph: nx.DiGraph, start: Iterable[str], hops: int, *, upstream: bool
                 ) -> dict[str, int]:
    """Parties reached from ``start`` along guarantees (against them when ``upstream``),
    with their distance, ``start`` excluded."""
    seen = dict.fromkeys(start, 0)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        if seen[node] >= hops or node not in graph:
            continue
        step = graph.predecessors(node) if upstream else graph.successors(node)
        for other in sorted(step):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return {n: d for n, d in seen.items() if d > 0}


def circle_view(circle: CircleLike, entities: Mapping[str, Entity],
                relationships: Iterable[Relationship], *,
                exposure: Mapping[str, float] | None = None, flags: Flags | None = None,
                chain_hops: int = 2, currency: str = "", max_nodes: int = MAX_NODES) -> View:
    """A guarantee circle, with the guarantee chains into it and out of it."""
    members = list(dict.fromkeys(circle.members))
    _require(members, entities, "circle members")
    exposure = exposure or {}
    guarantees = [r for r in relationships if r.type == "GUARANTEES"]
    graph = nx.DiGraph((r.source, r.target) for r in guarantees)
    up = _chain_reach(graph, members, chain_hops, upstream=True)
    down = {n: d for n, d in _chain_reach(graph, members, chain_hops, upstream=False).items()
            if n not in up}
    parties = members + sorted(up) + sorted(down)
    _require(parties, entities, "guarantee parties")
    inside = set(parties)
    edges = [r for r in guarantees if r.source in inside and r.target in inside]
    kept, cut = keep_most_relevant(parties, edges, focus=members, exposure=exposure,
                                   max_nodes=max_nodes)
    notes = {m: ["member of the guarantee circle"] for m in members}
    notes.update({n: [f"guarantees the circle: {d} step(s) up the chain"] for n, d in up.items()})
    notes.update({n: [f"guaranteed by the circle: {d} step(s) down the chain"]
                  for n, d in down.items()})
    circle_keys = frozenset(edge_key(r) for r in circle.guarantees)
    deco = Decorations(node_notes=notes, emphasised=circle_keys,
                       edge_notes={k: ["a guarantee inside the circle"] for k in circle_keys})
    net = build_network((entities[p] for p in parties if p in kept), edges, exposure=exposure,
                        flags=_with_flag(flags or {}, members, "GUARANTEE_CIRCLE"),
                        decorations=deco, currency=currency)
    circle_id = getattr(circle, "id", "") or "guarantee circle"
    total = getattr(circle, "total_guaranteed", None)
    if total is None:
        total = sum(r.amount or 0.0 for r in circle.guarantees)
    title = f"Guarantee circle {circle_id}: {len(members)} members"
    subtitle = (f"Guarantees inside the circle: {format_money(total, currency)}; "
                f"{len(up):,} outside guarantors and {len(down):,} outside borrowers within "
                f"{chain_hops} step(s) of it.")
    section = LegendSection("This view", (
        "purple fill: circle members (unless a more severe flag)",
        "thick edges: guarantees inside the circle",
        "around it: chains of guarantees into the circle and out of it"))
    return _finish("circle", title, subtitle, net, physics_options(len(net.nodes)), cut,
                   [section], circle=circle_id, chain_hops=chain_hops)


def contagion_view(entities: Mapping[str, Entity], relationships: Iterable[Relationship], *,
                   rounds: Mapping[str, int], stress: Mapping[str, float] | None = None,
                   exposure: Mapping[str, float] | None = None, flags: Flags | None = None,
                   channels: Iterable[str] = ("GUARANTEES", "OWNS"), currency: str = "",
                   title: str = "Contagion", max_nodes: int = MAX_NODES) -> View:
    """A contagion result: the defaulted parties by round (``rounds``: party -> round, 0 for
    the initial defaults) and the parties under stress (``stress``: party -> h in [0, 1]),
    with the relationships of ``channels`` among them."""
    stress = stress or {}
    exposure = exposure or {}
    affected = list(dict.fromkeys([*sorted(rounds, key=lambda p: (rounds[p], p)),
                                   *sorted(p for p, h in stress.items() if h > 0)]))
    _require(affected, entities, "contagion parties")
    wanted = set(channels)
    inside = set(affected)
    edges = [r for r in relationships
             if r.type in wanted and r.source in inside and r.target in inside]
    initial = [p for p in affected if rounds.get(p) == 0]
    kept, cut = keep_most_relevant(affected, edges, focus=initial, exposure=exposure,
                                   max_nodes=max_nodes)
    last = max(rounds.values(), default=-1)
    channel = nx.Graph()
    channel.add_nodes_from(affected)
    channel.add_edges_from((r.source, r.target) for r in edges)
    away = nx.multi_source_dijkstra_path_length(channel, list(rounds)) if rounds else {}
    options, levels, positions = level_options(
        {p: rounds[p] if p in rounds else last + max(1, away.get(p, 1))
         for p in affected if p in kept}, edges)
    notes: dict[str, list[str]] = {}
    suffix: dict[str, str] = {}
    for p in (p for p in affected if p in kept):
        lines = [f"defaulted in round {rounds[p]}"] if p in rounds else ["not defaulted"]
        text = f"round {rounds[p]}" if p in rounds else ""
        if p in stress:
            lines.append(f"stress h = {stress[p]:.4g}")
            h = f"h={stress[p]:.2f}" if stress[p] >= 0.01 else "h<0.01"
            text = f"{text} · {h}" if text else h
        notes[p], suffix[p] = lines, text
    deco = Decorations(levels=levels, positions=positions, focus=frozenset(initial) & kept,
                       node_notes=notes,
                       node_colours={p: stress_colour(h) for p, h in stress.items() if p in kept},
                       label_suffix=suffix)
    net = build_network((entities[p] for p in affected if p in kept), edges, exposure=exposure,
                        flags=_with_flag(flags or {}, rounds, "DEFAULTED"), decorations=deco,
                        currency=currency)
    at_risk = sum(exposure.get(p, 0.0) for p in rounds)
    stressed = sum(1 for p, h in stress.items() if h > 0 and p not in rounds)
    subtitle = (f"{len(rounds):,} parties defaulted over {last + 1} round(s) "
                f"({len(initial):,} initially); {stressed:,} more under stress; gross exposure "
                f"to the defaulted {format_money(at_risk, currency)}.")
    rows = (stress_scale_html(),) if stress else ()
    section = LegendSection("This view", (
        "levels: default rounds, round 0 (the initial defaults) on top; below them the "
        "parties only under stress, by their distance from a default",
        f"fill: stress when given, else {FLAGS['DEFAULTED'].label} colour",
        "dark halo: an initial default"), rows)
    return _finish("contagion", title, subtitle, net, options, cut, [section], rounds=last + 1)


P = ParamSpec("P")


def _html_of(view: Callable[P, View]) -> Callable[P, str]:
    @functools.wraps(view)
    def html(*args: P.args, **kwargs: P.kwargs) -> str:
        return view(*args, **kwargs).to_html()

    html.__name__ = html.__qualname__ = view.__name__.replace("_view", "_html")
    html.__doc__ = f"The HTML page of :func:`{view.__name__}` (same arguments)."
    return html


neighbourhood_html = _html_of(neighbourhood_view)
group_html = _html_of(group_view)
circle_html = _html_of(circle_view)
contagion_html = _html_of(contagion_view)
