"""The report of an analysis, as plain data ready for JSON.

Amounts are in the bank's base currency. Every group lists its members with the evidence
that put each one there, in words and as the input rows behind it (``origin`` is
``file:line``), so a reader can check every number back to the data.
"""

from __future__ import annotations

from typing import Any

from graph.analysis import Analysis
from graph.exposure import Exposure
from graph.groups import EvidenceStep, Group
from schema.records import Relationship

__all__ = ["build_report", "describe_step", "group_name"]


def _pct(value: float | None) -> str:
    return f"{(value or 0.0) * 100:.4g}%"


def describe_step(step: EvidenceStep, names: dict[str, str]) -> str:
    """One evidence step in words.

    >>> from schema.records import Relationship as R
    >>> step = EvidenceStep("R4b", "family:P1", "C1",
    ...                     (R("OWNS", "P1", "C1", share=0.4), R("OWNS", "P2", "C1", share=0.15)), 0.55)
    >>> describe_step(step, {})
    'family:P1 controls C1 by holdings of more than half: P1 40% + P2 15% = 55% (R4b)'
    """
    def name(party: str) -> str:
        return f"{names[party]} [{party}]" if party in names else party

    if step.rule == "R4a":
        edge = step.edges[0]
        basis = f" ({edge.basis})" if edge.basis else ""
        return (f"{name(step.source)} controls {name(step.target)}: "
                f"{name(edge.source)} has a CONTROLS edge{basis} (R4a)")
    if step.rule == "R4b":
        parts = " + ".join(f"{name(e.source)} {_pct(e.share)}" for e in step.edges)
        return (f"{name(step.source)} controls {name(step.target)} by holdings of more than "
                f"half: {parts} = {_pct(step.share)} (R4b)")
    if step.rule == "R3-family":
        return f"{name(step.source)} and {name(step.target)} are relatives ({step.edges[0].relation}) (R3)"
    return (f"{name(step.source)} depends economically on {name(step.target)} "
            f"for {_pct(step.share)} (R6)")


def group_name(analysis: Analysis, group: Group) -> str:
    """The group's name: its root's name, with ``family`` for a family root."""
    entities = analysis.dataset.entities
    unit = analysis.control.units[group.root]
    first = entities[unit.members[0]].name
    return f"{first} family" if unit.is_family else first


def _edge(r: Relationship) -> dict[str, Any]:
    edge = {"type": r.type, "source": r.source, "target": r.target}
    for key in ("share", "basis", "relation", "role", "amount", "facility", "source_ref", "origin"):
        value = getattr(r, key)
        if value is not None:
            edge[key] = value
    return edge


def _exposure(e: Exposure) -> dict[str, float]:
    return {"gross": round(e.gross, 2), "net": round(e.net, 2)}


def build_report(analysis: Analysis) -> dict[str, Any]:
    """Groups ranked by gross exposure with members, controllers and evidence; and every
    party with its group, ultimate controllers and exposure."""
    dataset = analysis.dataset
    names = {e.id: e.name for e in dataset.entities.values()}
    for unit in analysis.control.units.values():
        if unit.is_family:
            names[unit.key] = "family of " + ", ".join(names[m] for m in unit.members)
    tier1 = dataset.bank.tier1_capital
    groups = []
    for group in analysis.groups_by_exposure():
        exposure = analysis.group_exposure(group)
        groups.append({
            "id": group.id,
            "name": group_name(analysis, group),
            "size": group.size,
            "root": group.root,
            "controllers": [{"id": c, "name": names[c]} for c in group.controllers],
            "exposure": _exposure(exposure),
            "share_of_tier1": {"gross": round(exposure.gross / tier1, 6),
                               "net": round(exposure.net / tier1, 6)},
            "members": [
                {
                    "id": m,
                    "name": names[m],
                    "kind": dataset.entities[m].kind,
                    "exposure": _exposure(analysis.exposures.of(m)),
                    "evidence": [
                        {"rule": s.rule, "source": s.source, "target": s.target,
                         "text": describe_step(s, names), "share": s.share,
                         "edges": [_edge(e) for e in s.edges]}
                        for s in group.evidence[m]
                    ],
                }
                for m in group.members
            ],
        })
    parties = [
        {
            "id": e.id,
            "name": e.name,
            "kind": e.kind,
            "group": analysis.group_by_member[e.id].id,
            "ultimate_controllers": analysis.control.ultimate_controllers(e.id),
            "exposure": _exposure(analysis.exposures.of(e.id)),
        }
        for e in dataset.entities.values()
    ]
    total = analysis.exposures.of_parties(dataset.entities)
    return {
        "dataset": {
            "version": dataset.version,
            "bank": dataset.bank.name,
            "base_currency": dataset.bank.base_currency,
            "tier1_capital": tier1,
            "net_capital": dataset.bank.net_capital,
            "regime": analysis.regime.name,
            "as_of": analysis.as_of.isoformat(),
        },
        "summary": {
            "parties": len(dataset.entities),
            "facilities": len(dataset.facilities),
            "groups": len(analysis.groups),
            "groups_with_more_than_one_member": sum(1 for g in analysis.groups if g.size > 1),
            "exposure": _exposure(total),
        },
        "groups": groups,
        "parties": parties,
    }
