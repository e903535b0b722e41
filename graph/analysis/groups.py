"""Groups of connected clients, with the evidence for every membership (rule R6).

Take the graph whose edges are every control link (unit -> entity it controls, R4), every
family tie (R3) and every ``DEPENDS_ON`` edge with share at or above the regime's
dependence threshold. Each connected component is one group; persons are members too; a
party with no such link is a group of one.

The evidence of a membership is the chain of links from the group's root to the member,
found by breadth-first search in a fixed order, so the same data gives the same chains.
The root is the unit at the top of the group: a unit no one controls that controls the most
members (ties broken by key), else the unit with the smallest key. A group's id is derived
from its sorted member ids, so the same data gives the same ids.

>>> from schema.records import Relationship as R
>>> from graph.analysis.control import compute_control
>>> edges = [R("OWNS", "A", "B", share=0.6), R("DEPENDS_ON", "D", "B", share=0.5),
...          R("OWNS", "X", "B", share=0.3)]
>>> parties = ["A", "B", "D", "X"]
>>> groups = connected_client_groups(parties, edges, compute_control(parties, edges))
>>> [g.members for g in groups]
[('A', 'B', 'D'), ('X',)]
>>> [step.rule for step in groups[0].evidence["D"]]
['R4b', 'R6-dependence']
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph.analysis.components import components, groups_of
from graph.analysis.control import ControlResult, Unit
from schema.records import Relationship

__all__ = ["DEPENDENCE_THRESHOLD", "EvidenceStep", "Group", "connected_client_groups", "group_id"]

DEPENDENCE_THRESHOLD = 0.5


@dataclass(frozen=True)
class EvidenceStep:
    """One link of an evidence chain: ``source`` is linked to ``target`` by ``rule``.

    ``rule`` is ``R4a`` (a CONTROLS edge), ``R4b`` (holdings of more than half),
    ``R3-family`` (a family tie) or ``R6-dependence`` (economic dependence). ``edges`` are
    the input relationships behind the link; ``share`` the summed holding for R4b.
    """

    rule: str
    source: str
    target: str
    edges: tuple[Relationship, ...]
    share: float | None = None


@dataclass(frozen=True)
class Group:
    """A group of connected clients."""

    id: str
    members: tuple[str, ...]
    root: str
    controllers: tuple[str, ...]
    evidence: dict[str, tuple[EvidenceStep, ...]]

    @property
    def size(self) -> int:
        return len(self.members)


def group_id(members: Iterable[str]) -> str:
    """A stable id from the member ids: ``G`` and 12 hex digits of their SHA-256.

    >>> group_id(["B", "A"]) == group_id(["A", "B"])
    True
    """
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"G{digest[:12]}"


def connected_client_groups(parties: Iterable[str], relationships: Iterable[Relationship],
                            control: ControlResult, *,
                            dependence_threshold: float = DEPENDENCE_THRESHOLD) -> list[Group]:
    """R6: every group of connected clients, largest first, then by id.

    Parameters
    ----------
    parties : every party id
    relationships : current relationships (``DEPENDS_ON`` are read here; control and
        family ties come from ``control``)
    control : the result of :func:`graph.analysis.control.compute_control` on the same data
    dependence_threshold : a ``DEPENDS_ON`` share at or above this joins the two parties
    """
    unit_keys = list(dict.fromkeys(control.unit_of[p] for p in parties))
    # unit -> {neighbour: the step that links them}; the first link found between two
    # units is their evidence (control links before dependence)
    links: dict[str, dict[str, EvidenceStep]] = defaultdict(dict)

    def link(a: str, b: str, step: EvidenceStep) -> None:
        if a != b and b not in links[a]:
            links[a][b] = links[b][a] = step

    for unit_key, controlled in control.links.items():
        for target, c in controlled.items():
            link(unit_key, control.unit_of[target],
                 EvidenceStep(c.rule, unit_key, target, c.edges, c.share))
    for r in relationships:
        if r.type == "DEPENDS_ON" and (r.share or 0.0) >= dependence_threshold:
            link(control.unit_of[r.source], control.unit_of[r.target],
                 EvidenceStep("R6-dependence", r.source, r.target, (r,), r.share))

    nodes, labels = components(((a, b) for a, nbrs in links.items() for b in nbrs), unit_keys)
    groups = []
    for component in groups_of(nodes, labels):
        root = _root(component, control)
        evidence: dict[str, tuple[EvidenceStep, ...]] = {}
        for unit_key, chain in _chains(links, root).items():
            unit = control.units[unit_key]
            for member in unit.members:
                evidence[member] = chain + _family_chain(unit, member)
        members = tuple(sorted(evidence))
        controllers = tuple(sorted(
            m for u in component if u in control.top_units and control.links.get(u)
            for m in control.units[u].members))
        groups.append(Group(group_id(members), members, root, controllers, evidence))
    groups.sort(key=lambda g: (-g.size, g.id))
    return groups


def _root(component: list[str], control: ControlResult) -> str:
    tops = [u for u in component if u in control.top_units]
    if tops:
        return min(tops, key=lambda u: (-len(control.links.get(u, ())), u))
    return min(component)


def _chains(links: dict[str, dict[str, EvidenceStep]], root: str
            ) -> dict[str, tuple[EvidenceStep, ...]]:
    """Breadth-first from ``root``: the chain of steps to every unit of its component."""
    chains: dict[str, tuple[EvidenceStep, ...]] = {root: ()}
    queue = deque([root])
    while queue:
        unit = queue.popleft()
        neighbours = links.get(unit, {})
        for neighbour in sorted(neighbours):
            if neighbour not in chains:
                chains[neighbour] = (*chains[unit], neighbours[neighbour])
                queue.append(neighbour)
    return chains


def _family_chain(unit: Unit, member: str) -> tuple[EvidenceStep, ...]:
    """The family ties from a family's first member to ``member`` (empty for the first)."""
    if not unit.is_family or member == unit.members[0]:
        return ()
    family = nx.Graph()
    for tie in unit.ties:
        family.add_edge(tie.source, tie.target, tie=tie)
    path = nx.shortest_path(family, unit.members[0], member)
    return tuple(
        EvidenceStep("R3-family", a, b, (family.edges[a, b]["tie"],))
        for a, b in itertools.pairwise(path)
    )
