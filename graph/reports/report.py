"""The report of an analysis and its risk assessment, as plain data ready for JSON.

Amounts are in the bank's base currency. Every group lists its members with the evidence
that put each one there, in words and as the input rows behind it (``origin`` is
``file:line``), so a reader can check every number back to the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.analysis import Analysis
from graph.analysis.exposure import CATEGORIES, Exposure, ExposureBreakdown
from graph.analysis.groups import EvidenceStep
from graph.risk import RiskAssessment
from graph.risk.limits import RiskFlag
from schema.records import Relationship

__all__ = ["build_report", "describe_step"]


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


def _edge(r: Relationship) -> dict[str, Any]:
    edge = {"type": r.type, "source": r.source, "target": r.target}
    for key in ("share", "basis", "relation", "role", "amount", "facility", "source_ref",
                "source_standard", "record_id", "origin"):
        value = getattr(r, key)
        if value is not None:
            edge[key] = value
    return edge


def _exposure(e: Exposure) -> dict[str, float]:
    return {"gross": round(e.gross, 2), "net": round(e.net, 2)}


def _breakdown(b: ExposureBreakdown) -> dict[str, Any]:
    """R13-R16 beside ``exposure``: whether it is all exempt (可豁免), its exempt part and the
    rest, which the limits check in a net regime; what mitigation moved out (转出) and in
    (转入); the G14 columns before (``gross``) and after (``net``) mitigation."""
    return _breakdown_row(b.exempt, b.exempt_net, b.non_exempt, b.moved_out, b.moved_in,
                          [c.gross for c in b.by_category], [c.net for c in b.by_category])


def _breakdown_row(exempt: bool, exempt_net: float, non_exempt: float, moved_out: float,
                   moved_in: float, before: list[float], after: list[float]) -> dict[str, Any]:
    return {
        "exempt": exempt, "exempt_net": round(exempt_net, 2), "non_exempt": round(non_exempt, 2),
        "moved_out": round(moved_out, 2), "moved_in": round(moved_in, 2),
        "by_category": {name: {"gross": round(b, 2), "net": round(a, 2)}
                        for name, b, a in zip(CATEGORIES, before, after, strict=True)},
    }


def _party_breakdowns(analysis: Analysis) -> dict[str, dict[str, Any]]:
    """The breakdown of every party with exposure, from the book's columns in one pass (a
    record per party would cost a million small sums)."""
    c = analysis.exposures.columns
    exempt = c.exempt.tolist()
    rows = zip(exempt, np.where(c.exempt, c.net, 0.0).tolist(), c.non_exempt.tolist(),
               c.moved_out.tolist(), c.moved_in.tolist(), c.before.tolist(), c.after.tolist(),
               strict=True)
    return {party: _breakdown_row(*row) for party, row in zip(c.parties, rows, strict=True)}


def _names(analysis: Analysis) -> dict[str, str]:
    """Display names of parties and of family units."""
    names = {e.id: e.name for e in analysis.dataset.entities.values()}
    for unit in analysis.control.units.values():
        if unit.is_family:
            names[unit.key] = "family of " + ", ".join(names[m] for m in unit.members)
    return names


def _flags(flags: list[RiskFlag]) -> list[dict[str, Any]]:
    return [{"code": f.code, "message": f.message} for f in flags]


def _ratio(value: float) -> float:
    return round(value, 6)


def build_report(risk: RiskAssessment) -> dict[str, Any]:
    """The whole report: groups ranked by gross exposure (members, controllers, evidence,
    flags, limit usage), every party, and the risk sections (limits, large exposures,
    concentration, guarantee circles and chains, cross-holdings, suspected links, declared
    groups, systemic parties)."""
    analysis = risk.analysis
    dataset = analysis.dataset
    names = _names(analysis)
    tier1 = dataset.bank.tier1_capital
    groups = []
    for group in analysis.groups_by_exposure():
        exposure = analysis.group_exposure(group)
        groups.append({
            "id": group.id,
            "name": analysis.group_name(group),
            "size": group.size,
            "root": group.root,
            "controllers": [{"id": c, "name": names[c]} for c in group.controllers],
            "exposure": _exposure(exposure),
            "breakdown": _breakdown(analysis.group_breakdown(group)),
            "share_of_tier1": {"gross": _ratio(exposure.gross / tier1),
                               "net": _ratio(exposure.net / tier1)},
            "limit_usage": _ratio(risk.limit_usage(group)),
            "flags": _flags(risk.flags_of(group.id)),
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
    breakdowns = _party_breakdowns(analysis)
    parties = [
        {
            "id": e.id,
            "name": e.name,
            "kind": e.kind,
            "group": analysis.group_by_member[e.id].id,
            "ultimate_controllers": analysis.control.ultimate_controllers(e.id),
            "exposure": _exposure(analysis.exposures.of(e.id)),
            "breakdown": breakdowns.get(e.id) or _breakdown_row(False, 0.0, 0.0, 0.0, 0.0,
                                                                [0.0] * 6, [0.0] * 6),
            "flags": _flags(risk.flags.get(e.id, [])),
            "source": {key: value for key, value in (
                ("standard", e.source_standard), ("record_id", e.record_id),
                ("statement_date", e.statement_date and e.statement_date.isoformat()),
                ("registration_status", e.registration_status), ("origin", e.origin))
                if value},
        }
        for e in dataset.entities.values()
    ]
    total = analysis.exposures.of_parties(dataset.entities)

    def subject_name(subject: str) -> str:
        group = analysis.group_by_id.get(subject)
        return analysis.group_name(group) + " group" if group else names[subject]

    # statuses of every check at once (0 ok, 1 warning, 2 breach): records only for those
    # the report lists
    checks = risk.limit_checks
    gross_status, net_status = checks.status_codes("gross"), checks.status_codes("net")
    status = checks.status_codes()     # on the figure R8 checks (net or gross, the regime says)
    not_ok = [checks[k] for k in np.flatnonzero((gross_status > 0) | (net_status > 0)
                                                 | (status > 0)).tolist()]

    def gross_of(subject: str) -> float:
        group = analysis.group_by_id.get(subject)
        return (analysis.group_exposure(group) if group else analysis.exposures.of(subject)).gross

    return {
        "dataset": {
            "version": dataset.version,
            "bank": dataset.bank.name,
            "base_currency": dataset.bank.base_currency,
            "tier1_capital": tier1,
            "net_capital": dataset.bank.net_capital,
            "regime": analysis.regime.name,
            "regime_title": analysis.regime.title,
            "as_of": analysis.as_of.isoformat(),
        },
        "summary": {
            "parties": len(dataset.entities),
            "facilities": len(dataset.facilities),
            "groups": len(analysis.groups),
            "groups_with_more_than_one_member": sum(1 for g in analysis.groups if g.size > 1),
            "exposure": _exposure(total),
            "limit_breaches": int((status == 2).sum()),
            "limit_warnings": int((status == 1).sum()),
            "limits_apply_to": checks.basis,
            "large_exposures": len(risk.large_exposures),
            "guarantee_circles": len(risk.circles),
        },
        "limits": [
            {"subject": c.subject, "kind": c.subject_kind, "name": subject_name(c.subject),
             "check": c.check, "description": c.description, "limit": c.limit,
             "denominator": c.denominator,
             "denominator_label": c.denominator_label,
             "source": f"{analysis.regime.name} {c.source}",
             "gross": round(c.gross, 2), "gross_ratio": _ratio(c.gross_ratio),
             "gross_status": c.status("gross"), "net": round(c.net, 2),
             "net_ratio": _ratio(c.net_ratio), "net_status": c.status("net"),
             "basis": c.basis, "checked": round(c.checked, 2),
             "checked_ratio": _ratio(c.checked_ratio), "status": c.status()}
            for c in sorted(not_ok, key=lambda c: (-c.usage, c.subject, c.check))
        ],
        "large_exposures": [
            {"subject": f.subject, "name": subject_name(f.subject),
             "kind": "group" if f.subject in analysis.group_by_id else "party",
             "checked": round(f.figure or 0.0, 2), "share_of_tier1": _ratio(f.ratio or 0.0),
             "gross": round(gross_of(f.subject), 2), "message": f.message}
            for f in risk.large_exposures
        ],
        "concentration": {
            dimension: {
                "hhi": round(c.hhi, 2), "top": c.top, "top_share": _ratio(c.top_share),
                "items": [{"key": i.key,
                           "name": subject_name(i.key) if dimension == "group" else i.key,
                           "exposure": round(i.exposure, 2), "share": _ratio(i.share)}
                          for i in c.items[:c.top]],
            }
            for dimension, c in risk.concentration.items()
        },
        "guarantee_circles": [
            {"id": c.id, "members": [{"id": m, "name": names[m]} for m in c.members],
             "total_guaranteed": round(c.total_guaranteed, 2),
             "exposure": _exposure(analysis.exposures.of_parties(c.members))}
            for c in risk.circles
        ],
        "guarantee_chains": [{"steps": list(c.steps), "length": c.length} for c in risk.chains],
        "cross_holdings": [list(ring) for ring in risk.cross_holdings],
        "suspected_links": [
            {"kind": k.kind, "a": k.a, "b": k.b, "groups": list(k.groups), "via": k.via,
             "detail": k.detail}
            for k in risk.suspected_links
        ],
        "declared_groups": [
            {"declared_id": d.declared_id, "declared_name": d.declared_name,
             "detected_id": d.detected_id, "agrees": d.agrees, "missed": list(d.missed),
             "unsupported": list(d.unsupported)}
            for d in risk.declared_groups
        ],
        "systemic": [
            {"id": p, "name": names[p], "gross": round(analysis.exposures.of(p).gross, 2),
             "debt_rank": _ratio(rank)}
            for p, rank in risk.systemic
        ],
        "groups": groups,
        "parties": parties,
    }
