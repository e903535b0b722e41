"""The rules R3-R7 as they were written before the array implementation: one Python
object per party, NetworkX for families, a worklist of Relationship objects per unit; with
R17 (family relations, state bodies) added in the same style, and R18 by a dense inverse.

Kept as an oracle only: the tests compare :mod:`graph.analysis` with it on random graphs.
Its outputs use the public record classes, so the two can be compared with ``==``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from graph.analysis.components import components, groups_of
from graph.analysis.control import CONTROL_THRESHOLD, FAMILY_RELATIONS, ControlLink, Unit
from graph.analysis.exposure import Exposure, FacilityExposure, Move, Substitution
from graph.analysis.groups import EvidenceStep, Group
from schema.records import Bank, Collateral, Entity, Facility, Relationship, Underlying
from schema.regime import Regime

_EPSILON = 1e-9


@dataclass
class ReferenceControl:
    units: dict[str, Unit]
    unit_of: dict[str, str]
    links: dict[str, dict[str, ControlLink]] = field(default_factory=dict)
    controllers: dict[str, list[str]] = field(default_factory=dict)
    top_units: set[str] = field(default_factory=set)

    def ultimate_units(self, entity: str) -> list[str]:
        own = self.unit_of.get(entity)
        return sorted(u for u in self.controllers.get(entity, ()) if u in self.top_units and u != own)

    def ultimate_controllers(self, entity: str) -> list[str]:
        return [m for u in self.ultimate_units(entity) for m in self.units[u].members]


def family_units(parties: Iterable[str], relationships: Iterable[Relationship],
                 family_relations=FAMILY_RELATIONS) -> dict[str, Unit]:
    ties = [r for r in relationships if r.type == "RELATIVE_OF" and r.relation in family_relations]
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


def compute_control(parties: Iterable[str], relationships: Iterable[Relationship],
                    family_relations=FAMILY_RELATIONS) -> ReferenceControl:
    relationships = list(relationships)
    units = family_units(parties, relationships, family_relations)
    unit_of = {m: u.key for u in units.values() for m in u.members}
    out_edges: dict[str, list[Relationship]] = defaultdict(list)
    for r in relationships:
        if r.type in ("OWNS", "CONTROLS"):
            out_edges[r.source].append(r)
    for edges in out_edges.values():
        edges.sort(key=lambda r: (r.target, r.type))
    result = ReferenceControl(units=units, unit_of=unit_of)
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


def _top_units(result: ReferenceControl, state: frozenset[str] = frozenset()) -> set[str]:
    """R5's top units; with ``state`` (unit keys), the links from or to them left out."""
    edges = [(unit_key, result.unit_of[target])
             for unit_key, links in result.links.items() for target in links
             if unit_key not in state and result.unit_of[target] not in state]
    nodes, labels = components(edges, {a for a, _ in edges}, strong=True)
    label_of = dict(zip(nodes, labels.tolist(), strict=True))
    entered = {label_of[b] for a, b in edges if label_of[a] != label_of[b]}
    return {node for node, label in label_of.items() if label not in entered}


def group_id(members: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"G{digest[:12]}"


def connected_client_groups(parties: Iterable[str], relationships: Iterable[Relationship],
                            control: ReferenceControl, *,
                            dependence_threshold: float = 0.5,
                            state_parties: Iterable[str] = ()) -> list[Group]:
    unit_keys = list(dict.fromkeys(control.unit_of[p] for p in parties))
    links: dict[str, dict[str, EvidenceStep]] = defaultdict(dict)
    state = frozenset(control.unit_of[p] for p in state_parties if p in control.unit_of)
    top_units = _top_units(control, state) if state else control.top_units
    link_count = {u: sum(control.unit_of[t] not in state for t in links_of)
                  for u, links_of in control.links.items() if u not in state}

    def link(a: str, b: str, step: EvidenceStep) -> None:
        if a != b and b not in links[a] and a not in state and b not in state:
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
        root = _root(component, top_units, link_count)
        evidence: dict[str, tuple[EvidenceStep, ...]] = {}
        for unit_key, chain in _chains(links, root).items():
            unit = control.units[unit_key]
            for member in unit.members:
                evidence[member] = chain + _family_chain(unit, member)
        members = tuple(sorted(evidence))
        controllers = tuple(sorted(
            m for u in component if u in top_units and link_count.get(u)
            for m in control.units[u].members))
        groups.append(Group(group_id(members), members, root, controllers, evidence))
    groups.sort(key=lambda g: (-g.size, g.id))
    return groups


def _root(component: list[str], top_units: set[str], link_count: dict[str, int]) -> str:
    tops = [u for u in component if u in top_units]
    if tops:
        return min(tops, key=lambda u: (-link_count.get(u, 0), u))
    return min(component)


def _chains(links: dict[str, dict[str, EvidenceStep]], root: str
            ) -> dict[str, tuple[EvidenceStep, ...]]:
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


@dataclass
class ReferenceExposures:
    facilities: dict[str, FacilityExposure]
    parties: dict[str, Exposure]
    substitutions: list[Substitution]
    moves: list[Move]
    before: dict[str, dict[str, float]]
    after: dict[str, dict[str, float]]
    moved_out: dict[str, float]
    moved_in: dict[str, float]
    exempt: dict[str, bool]


_OWN_COLUMN = {"loan": "general", "bond": "general", "interbank": "general", "other": "other",
               "am_product": "specific", "abs": "specific", "trading": "trading",
               "counterparty": "counterparty", "off_balance": "potential"}


def _exempt(entity: Entity | None, regime: Regime) -> bool:
    if entity is None:
        return False
    cls = regime.class_of(entity.kind, entity.is_bank, entity.counterparty_class)
    scale = list(regime.rating_scale)
    for e in regime.exemptions:
        if e["class"] == cls and e.get("country", entity.country) == entity.country and (
                "min_rating" not in e or (entity.rating in scale
                                          and scale.index(entity.rating) <= scale.index(e["min_rating"]))):
            return True
    return False


def compute_exposures(bank: Bank, regime: Regime, facilities: Iterable[Facility],
                      guarantees: Iterable[Relationship], *, entities: dict[str, Entity] | None = None,
                      underlyings: Iterable[Underlying] = (), collateral: Iterable[Collateral] = ()
                      ) -> ReferenceExposures:
    """R7 and R13-R16, one facility, one row and one party at a time."""
    facilities = list(facilities)
    by_facility: dict[str, FacilityExposure] = {}
    # what each facility's borrower holds of it, per column
    held: dict[str, list[list]] = {}
    entries: list[tuple[str, str, float]] = []         # before mitigation
    moves: list[Move] = []
    for f in facilities:
        if f.ccf is not None:
            ccf, source = f.ccf, "facility"
        else:
            ccf = regime.ccf_for(f.product)
            source = f"{regime.name} {f.product if f.product in regime.ccf else 'default'}"
        if regime.ccf_floor is not None and ccf < regime.ccf_floor:
            ccf, source = regime.ccf_floor, f"{regime.name} ccf_floor"
        rate = bank.rate(f.currency)
        column = _OWN_COLUMN[f.category]
        own = ccf * (f.outstanding * rate) if column == "potential" else f.outstanding * rate
        potential = ccf * (f.undrawn * rate)
        by_facility[f.id] = FacilityExposure(f.id, f.borrower, f.outstanding * rate, f.undrawn * rate,
                                             ccf, source, rate, own + potential, f.category, own,
                                             potential)
        kept = own
        if f.category in ("am_product", "abs"):
            left, per_obligor, rows, unknown = own, {}, {}, []
            for u in underlyings:
                if u.facility != f.id:
                    continue
                amount = max(min(u.amount * (bank.rate(u.currency) if u.currency else rate), left), 0.0)
                left -= amount
                if u.obligor is None:
                    unknown.append(u)
                else:
                    per_obligor.setdefault(u.obligor, []).append(amount)
                    rows.setdefault(u.obligor, []).append(u)
            stays = []
            for obligor, amounts in per_obligor.items():
                total = math.fsum(amounts)
                level = regime.look_through_threshold - 1e-12
                if obligor != f.borrower and total / bank.tier1_capital >= level:
                    moves.append(Move("look_through", f.id, f.borrower, obligor, "specific", total,
                                      tuple(rows[obligor])))
                    entries.append((obligor, "specific", total))
                else:
                    stays.append(total)
            rest = max(own - math.fsum(a for v in per_obligor.values() for a in v), 0.0)
            if rest > 0.0:
                moves.append(Move("look_through", f.id, f.borrower, "ANONYMOUS", "specific", rest,
                                  tuple(unknown)))
                entries.append(("ANONYMOUS", "specific", rest))
            kept = math.fsum(stays)
        entries.append((f.borrower, column, kept))
        if potential != 0.0:
            entries.append((f.borrower, "potential", potential))
        held[f.id] = [[column, kept], ["potential", potential]]

    mitigation: list[Move] = []

    def take(f: Facility, kind: str, target: str | None, amount: float, row: object) -> float:
        parts = held[f.id]
        amount = min(amount, parts[0][1] + parts[1][1])
        moved = []
        for part in parts:
            piece = min(amount, part[1])
            if piece > 0.0:
                part[1] -= piece
                amount -= piece
                mitigation.append(Move(kind, f.id, f.borrower, target, part[0], piece, (row,)))
                moved.append(piece)
        return math.fsum(moved)

    facility_of = {f.id: f for f in facilities}
    reducing = regime.mitigation.get("reducing_collateral", ())
    substituting = regime.mitigation.get("substituting_collateral", ())
    for f in facilities:
        if f.id in {c.facility for c in collateral} and facility_of[f.id] is f:
            rows = [c for c in collateral if c.facility == f.id]
            for c in rows:
                if c.kind in reducing:
                    take(f, "reduction", None, c.value * bank.rate(c.currency or f.currency), c)
            for c in rows:
                if c.kind in substituting and c.issuer is not None:
                    take(f, "substitution", c.issuer, c.value * bank.rate(c.currency or f.currency), c)

    def eligible(g: Relationship) -> bool:
        if g.eligible is not None:
            return g.eligible
        entity = (entities or {}).get(g.source)
        return entity is not None and regime.class_of(
            entity.kind, entity.is_bank, entity.counterparty_class) in regime.mitigation.get(
            "guarantor_classes", ())

    chosen = [g for g in guarantees if g.type == "GUARANTEES" and eligible(g)]
    chosen.sort(key=lambda g: (g.facility is None, g.facility or g.target, g.source))
    substitutions = []
    for g in chosen:
        amount = (g.amount or 0.0) * bank.rate(g.currency)
        if g.facility is not None:
            moved = take(facility_of[g.facility], "guarantee", g.source, amount, g)
        else:
            taken: list[float] = []
            for f in facilities:
                if f.borrower == g.target and amount - math.fsum(taken) > 0.0:
                    taken.append(take(f, "guarantee", g.source, amount - math.fsum(taken), g))
            moved = math.fsum(taken)
        if moved > 0.0:
            substitutions.append(Substitution(g.source, g.target, g.facility, moved, g))

    names = list(dict.fromkeys([*(e[0] for e in entries),
                                *(m.target for m in mitigation if m.target is not None)]))
    before = {p: dict.fromkeys(_CATEGORIES, 0.0) for p in names}
    after = {p: dict.fromkeys(_CATEGORIES, 0.0) for p in names}
    listed: dict[tuple[str, str], list[float]] = defaultdict(list)
    for party, column, amount in entries:
        listed[party, column].append(amount)
    everything = defaultdict(list, {k: list(v) for k, v in listed.items()})
    for m in mitigation:
        everything[m.source, m.category].append(-m.amount)
        if m.target is not None:
            everything[m.target, m.category].append(m.amount)
    for (party, column), amounts in listed.items():
        before[party][column] = math.fsum(amounts)
    for (party, column), amounts in everything.items():
        after[party][column] = math.fsum(amounts)
    parties = {}
    for party in names:
        gross = math.fsum(a for (p, _), v in listed.items() if p == party for a in v)
        net = math.fsum(a for (p, _), v in everything.items() if p == party for a in v)
        parties[party] = Exposure(gross, max(net, 0.0))
    moved_out = {p: math.fsum(m.amount for m in mitigation if m.source == p) for p in names}
    moved_in = {p: math.fsum(m.amount for m in mitigation if m.target == p) for p in names}
    exempt = {p: _exempt((entities or {}).get(p), regime) if regime.exemptions else False for p in names}
    return ReferenceExposures(by_facility, parties, substitutions, moves + mitigation, before, after,
                              moved_out, moved_in, exempt)


_CATEGORIES = ("general", "specific", "trading", "counterparty", "potential", "other")


def beneficial_owners(parties: list[str], persons: list[str], relationships: list[Relationship],
                      control: ReferenceControl, threshold: float = 0.25) -> dict[str, tuple]:
    """R18 by a dense inverse of ``I - A`` (books without closed rings): every company's
    beneficial owners, companies with none left out."""
    import numpy as np

    from graph.analysis.owners import BASES, BeneficialOwner

    position = {p: i for i, p in enumerate(parties)}
    a = np.zeros((len(parties), len(parties)))
    for r in relationships:
        if r.type == "OWNS":
            a[position[r.source], position[r.target]] += r.share or 0.0
    integrated = a @ np.linalg.inv(np.eye(len(parties)) - a)
    people = set(persons)
    found = {}
    for company in parties:
        if company in people:
            continue
        c = position[company]
        entries: dict[str, str] = {}
        for p in sorted(people):
            if integrated[position[p], c] >= threshold - 1e-9:
                entries[p] = "ownership"
        for unit in control.controllers.get(company, ()):
            for m in control.units[unit].members:
                if m in people:
                    entries.setdefault(m, "control")
        if not entries:
            for r in relationships:
                if (r.type == "MANAGES" and r.target == company and r.source in people
                        and r.role in ("legal_representative", "chairman", "ceo")):
                    entries.setdefault(r.source, "senior_manager")
        if entries:
            share = {p: float(integrated[position[p], c]) for p in entries}
            found[company] = tuple(
                BeneficialOwner(p, basis, share[p]) for p, basis in sorted(
                    entries.items(), key=lambda e: (BASES.index(e[1]), -share[e[0]], e[0])))
    return found
