"""Control units, control and ultimate controllers (rules R3, R4, R5).

R3  Persons joined by ``RELATIVE_OF`` edges form one family unit (connected components);
    every other party is a unit of its own.
R4  Unit U controls entity Y when (a) a member of U, or an entity U controls, has a
    ``CONTROLS`` edge to Y; or (b) the shares of Y held by U's members and by entities U
    controls sum to more than 0.5. Control is transitive through (b): a fixpoint.
R5  The ultimate controllers of Y are the units that control Y and are controlled by no
    one, listed as parties (every member of a family). An entity no one controls is
    independent: its list is empty.

Decisions where DESIGN is silent:

* "More than 0.5" is decided with a tolerance of 1e-9 so that 0.1 + 0.2 + 0.2 (which
  floating point sums to 0.5000000000000001) is not control, as a person would expect.
* A unit never controls its own members (a subsidiary's stake back in its parent does not
  make the parent control itself).
* Circular control (C1 controls C2 and C2 controls C1, with no one above them) would leave
  every member of the ring "controlled by someone" and so no one ultimate. Units are
  therefore ranked by the strongly connected components of the control graph: a unit is
  on top when no unit outside its component controls it, and the members of such a ring
  are ultimate controllers together.

Example (DESIGN R4): family {P1, P2} holds 40% + 15% of C1; C1 holds 60% of C2; C1 holds
30% and C2 25% of C3. The family controls C1, C2 and C3 (30% + 25% = 55% > 50%):

>>> from schema.records import Relationship as R
>>> edges = [R("RELATIVE_OF", "P1", "P2", relation="spouse"),
...          R("OWNS", "P1", "C1", share=0.40), R("OWNS", "P2", "C1", share=0.15),
...          R("OWNS", "C1", "C2", share=0.60),
...          R("OWNS", "C1", "C3", share=0.30), R("OWNS", "C2", "C3", share=0.25)]
>>> result = compute_control(["P1", "P2", "C1", "C2", "C3"], edges)
>>> result.ultimate_controllers("C3")
['P1', 'P2']
>>> sorted(result.controlled_by_unit(result.unit_of["P1"]))
['C1', 'C2', 'C3']
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from graph.analysis.components import components
from schema.records import Relationship

__all__ = ["CONTROL_THRESHOLD", "ControlLink", "ControlResult", "Unit", "compute_control",
           "family_units"]

CONTROL_THRESHOLD = 0.5
_EPSILON = 1e-9


@dataclass(frozen=True)
class Unit:
    """A control unit: one party, or a family of persons (R3). ``key`` names it."""

    key: str
    members: tuple[str, ...]
    ties: tuple[Relationship, ...] = ()

    @property
    def is_family(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class ControlLink:
    """Why ``unit`` controls ``target``: a ``CONTROLS`` edge (rule "R4a") or holdings that
    add up to more than half (rule "R4b", ``share`` is their sum)."""

    unit: str
    target: str
    rule: str
    edges: tuple[Relationship, ...]
    share: float | None = None


@dataclass
class ControlResult:
    """Units, every control link, and who is on top."""

    units: dict[str, Unit]
    unit_of: dict[str, str]
    links: dict[str, dict[str, ControlLink]] = field(default_factory=dict)
    controllers: dict[str, list[str]] = field(default_factory=dict)
    top_units: set[str] = field(default_factory=set)

    def controlled_by_unit(self, unit_key: str) -> dict[str, ControlLink]:
        """Every entity the unit controls, with the link that explains it."""
        return self.links.get(unit_key, {})

    def ultimate_units(self, entity: str) -> list[str]:
        """Keys of the units that ultimately control ``entity`` (R5), sorted."""
        own = self.unit_of.get(entity)
        return sorted(u for u in self.controllers.get(entity, ()) if u in self.top_units and u != own)

    def ultimate_controllers(self, entity: str) -> list[str]:
        """The ultimate controllers of ``entity`` as parties (R5); empty when independent."""
        return [m for u in self.ultimate_units(entity) for m in self.units[u].members]


def family_units(parties: Iterable[str], relationships: Iterable[Relationship]) -> dict[str, Unit]:
    """R3: family units from ``RELATIVE_OF`` edges, every other party a unit of its own.

    A unit's key is its first member id in sorted order, prefixed ``family:`` for families.

    >>> from schema.records import Relationship as R
    >>> units = family_units(["P1", "P2", "C1"], [R("RELATIVE_OF", "P1", "P2", relation="spouse")])
    >>> sorted((u.key, u.members) for u in units.values())
    [('C1', ('C1',)), ('family:P1', ('P1', 'P2'))]
    """
    ties = [r for r in relationships if r.type == "RELATIVE_OF"]
    family = nx.Graph()
    for tie in ties:
        family.add_edge(tie.source, tie.target, tie=tie)
    units: dict[str, Unit] = {}
    for component in nx.connected_components(family):
        members = tuple(sorted(component))
        edges = tuple(sorted((d["tie"] for _, _, d in family.subgraph(component).edges(data=True)),
                             key=lambda r: (r.source, r.target)))
        unit = Unit(f"family:{members[0]}", members, edges)
        for member in members:
            units[member] = unit
    for party in parties:
        units.setdefault(party, Unit(party, (party,)))
    return {u.key: u for u in units.values()}


def compute_control(parties: Iterable[str], relationships: Iterable[Relationship]) -> ControlResult:
    """R3-R5 on current relationships: units, control as a fixpoint, the top units.

    Parameters
    ----------
    parties : every party id
    relationships : the relationships that hold (``OWNS``, ``CONTROLS``, ``RELATIVE_OF``
        are used; others are ignored)
    """
    relationships = list(relationships)
    units = family_units(parties, relationships)
    unit_of = {m: u.key for u in units.values() for m in u.members}
    out_edges: dict[str, list[Relationship]] = defaultdict(list)
    for r in relationships:
        if r.type in ("OWNS", "CONTROLS"):
            out_edges[r.source].append(r)
    for edges in out_edges.values():
        edges.sort(key=lambda r: (r.target, r.type))

    result = ControlResult(units=units, unit_of=unit_of)
    for unit in units.values():
        if any(m in out_edges for m in unit.members):
            links = _controlled(unit, out_edges)
            if links:
                result.links[unit.key] = links
                for target in links:
                    result.controllers.setdefault(target, []).append(unit.key)
    result.top_units = _top_units(result)
    return result


def _controlled(unit: Unit, out_edges: dict[str, list[Relationship]]) -> dict[str, ControlLink]:
    """The fixpoint of R4 for one unit: a worklist over the holders it has so far."""
    members = set(unit.members)
    links: dict[str, ControlLink] = {}
    held: dict[str, list[Relationship]] = defaultdict(list)
    queue = sorted(members)
    while queue:
        holder = queue.pop(0)
        for edge in out_edges.get(holder, ()):
            target = edge.target
            if target in members or target in links:
                continue
            if edge.type == "CONTROLS":
                links[target] = ControlLink(unit.key, target, "R4a", (edge,))
            else:
                held[target].append(edge)
                total = math.fsum(e.share or 0.0 for e in held[target])
                if total <= CONTROL_THRESHOLD + _EPSILON:
                    continue
                links[target] = ControlLink(unit.key, target, "R4b", tuple(held[target]), total)
            queue.append(target)
    return links


def _top_units(result: ControlResult) -> set[str]:
    """Units that no unit outside their own control ring controls: the units of strongly
    connected components of the control graph that no edge enters from outside."""
    edges = [(unit_key, result.unit_of[target])
             for unit_key, links in result.links.items() for target in links]
    nodes, labels = components(edges, result.links, strong=True)
    label_of = dict(zip(nodes, labels.tolist(), strict=True))
    entered = {label_of[b] for a, b in edges if label_of[a] != label_of[b]}
    return {node for node, label in label_of.items() if label not in entered}
