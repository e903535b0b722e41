"""The risk rules as they were before they moved to arrays: one Python object per row,
NetworkX for the guarantee graph. Kept as the oracle the array versions are checked against
on random small books (tests/graph/risk/test_arrays.py); not used by the package.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.analysis import Analysis
from graph.analysis.components import components, groups_of
from graph.analysis.groups import Group
from graph.risk.circles import GuaranteeChain, GuaranteeCircle
from graph.risk.concentration import DIMENSIONS, Concentration, ConcentrationItem
from graph.risk.contagion import CascadeResult, DebtRankResult, ImpactMatrix
from graph.risk.limits import CHECKS, LimitCheck, RiskFlag
from graph.risk.subjects import checked_as_group
from graph.risk.suspects import DeclaredGroupDiff, SuspectedLink
from schema.errors import InvalidModel
from schema.records import Bank, Entity, Relationship
from schema.regime import Regime
from tests.graph.analysis.reference import _exempt

_TOLERANCE = 1e-12
UNKNOWN = "(unknown)"
CONTACT_COLUMNS = ("address", "phone")


def _circle_id(members: Iterable[str]) -> str:
    return "circle:" + hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()[:10]


def _check_parties(analysis: Analysis, parties: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(parties))
    unknown = [p for p in chosen if p not in analysis.dataset.entities]
    if unknown:
        raise KeyError(f"unknown entity ids: {', '.join(unknown)}")
    return chosen


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


def _loans(analysis: Analysis, party: str, products: Sequence[str]) -> float:
    return math.fsum(
        analysis.exposures.facilities[f.id].outstanding
        for f in analysis.facilities_of(party)
        if f.category == "loan" and (f.product is None or f.product in products)
    )


def _interbank(entity: Entity, regime: Regime) -> bool:
    return entity.is_bank or regime.class_of(entity.kind, entity.is_bank,
                                             entity.counterparty_class) in regime.interbank_classes


def _party_applies(check: str, entity: Entity, bank_is_gsib: bool, regime: Regime) -> bool:
    interbank = _interbank(entity, regime)
    return {
        "single_party": not interbank,
        "single_party_loans": not interbank,
        "group": False,
        "interbank": interbank,
        "gsib": bank_is_gsib and entity.is_gsib,
        "any": True,
    }[check]


def _group_applies(check: str, members: list[Entity], borrowers: list[Entity],
                   bank_is_gsib: bool, regime: Regime) -> bool:
    interbank = bool(borrowers) and all(_interbank(e, regime) for e in borrowers)
    return {
        "single_party": False,
        "single_party_loans": False,
        "group": not interbank,
        "interbank": interbank,
        "gsib": bank_is_gsib and any(e.is_gsib for e in members),
        "any": True,
    }[check]


def _checked(analysis: Analysis, party: str) -> float:
    """What R8 checks of one party: net without exempt exposure, or gross."""
    exposure = analysis.exposures.of(party)
    if analysis.regime.limits_apply_to == "gross":
        return exposure.gross
    exempt = _exempt(analysis.dataset.entities.get(party), analysis.regime)
    return 0.0 if exempt else exposure.net


def check_limits(analysis: Analysis) -> list[LimitCheck]:
    regime, bank = analysis.regime, analysis.dataset.bank
    for limit in regime.limits:
        if limit.get("check") not in CHECKS:
            raise InvalidModel(f"regime {regime.name}: unknown check {limit.get('check')!r}; "
                               f"expected one of {', '.join(CHECKS)}")
    denominators = {"tier1_capital": bank.tier1_capital, "net_capital": bank.net_capital}
    entities = analysis.dataset.entities
    basis = regime.limits_apply_to
    checks: list[LimitCheck] = []

    def add(subject: str, kind: str, limit: dict, gross: float, net: float, checked: float) -> None:
        checks.append(LimitCheck(
            subject, kind, limit["check"], limit.get("description", limit["check"]),
            float(limit["limit"]), limit["of"], denominators[limit["of"]],
            str(limit.get("source", "")), gross, net, regime.warning_level, basis, checked))

    for party, exposure in sorted(analysis.exposures.parties.items()):
        for limit in regime.limits:
            if not _party_applies(limit["check"], entities[party], bank.is_gsib, regime):
                continue
            if limit["check"] == "single_party_loans":
                loans = _loans(analysis, party, limit.get("loan_products", ("loan",)))
                left_out = basis == "net" and _exempt(entities[party], regime)
                add(party, "party", limit, loans, loans, 0.0 if left_out else loans)
            else:
                add(party, "party", limit, exposure.gross, exposure.net, _checked(analysis, party))
    for group in analysis.groups:
        if not checked_as_group(group):
            continue
        exposure = analysis.group_exposure(group)
        if exposure.gross == 0 and exposure.net == 0:
            continue
        members = [entities[m] for m in group.members]
        borrowers = [e for e in members if analysis.exposures.of(e.id).gross > 0]
        checked = math.fsum(_checked(analysis, m) for m in group.members)
        for limit in regime.limits:
            if _group_applies(limit["check"], members, borrowers, bank.is_gsib, regime):
                add(group.id, "group", limit, exposure.gross, exposure.net, checked)
    return checks


def large_exposure_flags(analysis: Analysis, groups: Iterable[Group]) -> list[RiskFlag]:
    regime, bank = analysis.regime, analysis.dataset.bank
    currency = bank.base_currency
    large = regime.large_exposure
    net_basis = regime.limits_apply_to == "net"
    what = "exposure after mitigation (exempt exposure left out)" if net_basis else "gross exposure"
    flags: list[RiskFlag] = []
    tier1 = bank.tier1_capital
    subjects = [(p, analysis.dataset.entities[p].name, _checked(analysis, p), e.gross)
                for p, e in sorted(analysis.exposures.parties.items())]
    subjects += [(g.id, f"{analysis.group_name(g)} group [{g.id}]",
                  math.fsum(_checked(analysis, m) for m in g.members), analysis.group_exposure(g).gross)
                 for g in groups if checked_as_group(g)]
    if large:
        threshold = float(large["threshold"])
        inclusive = bool(large.get("inclusive", False))
        for subject, name, figure, gross in subjects:
            ratio = figure / tier1
            hit = (ratio >= threshold - _TOLERANCE) if inclusive else (ratio > threshold + _TOLERANCE)
            if hit:
                words = "at least" if inclusive else "more than"
                beside = f"; before mitigation {gross / tier1:.2%}" if net_basis else ""
                flags.append(RiskFlag(
                    "LARGE_EXPOSURE", subject,
                    f"{name}: {what} {figure:,.2f} {currency} is {ratio:.2%} of tier 1 "
                    f"capital, a large exposure ({words} {threshold:.1%}; {regime.name} "
                    f"{large.get('source', '')}){beside}",
                    "large_exposure", figure, ratio, threshold, "tier1_capital",
                    f"{regime.name} {large.get('source', '')}"))
    review = regime.economic_dependence
    if review:
        level = float(review["review_above"])
        for subject, name, figure, _ in subjects:
            ratio = figure / tier1
            if subject in analysis.dataset.entities and ratio > level + _TOLERANCE:
                flags.append(RiskFlag(
                    "DEPENDENCE_REVIEW", subject,
                    f"{name}: {what} is {ratio:.2%} of tier 1 capital, above "
                    f"{level:.0%}: review its economic dependence with other clients "
                    f"({regime.name} {review.get('source', '')})",
                    "economic_dependence", figure, ratio, level, "tier1_capital",
                    f"{regime.name} {review.get('source', '')}"))
    return flags


def _guarantee_graph(relationships: Iterable[Relationship]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for r in relationships:
        if r.type == "GUARANTEES":
            if graph.has_edge(r.source, r.target):
                graph.edges[r.source, r.target]["edges"].append(r)
            else:
                graph.add_edge(r.source, r.target, edges=[r])
    return graph


def guarantee_circles(relationships: Iterable[Relationship], bank: Bank | None = None
                      ) -> list[GuaranteeCircle]:
    graph = _guarantee_graph(relationships)
    circles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        inside = sorted(
            (r for _, _, data in graph.subgraph(component).edges(data=True) for r in data["edges"]),
            key=lambda r: r.identity)
        rate = bank.rate if bank else (lambda _c: 1.0)
        total = math.fsum((r.amount or 0.0) * rate(r.currency) for r in inside)
        members = tuple(sorted(component))
        circles.append(GuaranteeCircle(_circle_id(members), members, tuple(inside), total))
    circles.sort(key=lambda c: (-len(c.members), c.id))
    return circles


def guarantee_chains(relationships: Iterable[Relationship], top: int = 10) -> list[GuaranteeChain]:
    graph = _guarantee_graph(relationships)
    if graph.number_of_edges() == 0:
        return []
    condensed = nx.condensation(graph)
    label = {}
    for node, data in condensed.nodes(data=True):
        members = data["members"]
        label[node] = next(iter(members)) if len(members) == 1 else _circle_id(members)
    best: dict[int, tuple[str, ...]] = {}
    for node in nx.topological_sort(condensed):
        candidates = [(label[node],)]
        for parent in condensed.predecessors(node):
            candidates.append((*best[parent], label[node]))
        best[node] = min(candidates, key=lambda steps: (-len(steps), steps))
    chains = sorted((GuaranteeChain(steps) for steps in best.values() if len(steps) > 1),
                    key=lambda c: (-c.length, c.steps))
    return chains[:top]


def cross_holdings(relationships: Iterable[Relationship]) -> list[tuple[str, ...]]:
    nodes, labels = components(((r.source, r.target) for r in relationships if r.type == "OWNS"),
                               strong=True)
    rings = [tuple(sorted(c)) for c in groups_of(nodes, labels) if len(c) > 1]
    return sorted(rings, key=lambda ring: (-len(ring), ring))


def concentration(exposure_by_key: Mapping[str, float], top: int = 10,
                  dimension: str = "group") -> Concentration:
    total = math.fsum(exposure_by_key.values())
    ranked = sorted(((k, v) for k, v in exposure_by_key.items() if v > 0),
                    key=lambda kv: (-kv[1], kv[0]))
    items = tuple(ConcentrationItem(k, v, v / total) for k, v in ranked) if total > 0 else ()
    hhi = math.fsum(item.share ** 2 for item in items) * 10_000
    top_share = math.fsum(item.share for item in items[:top])
    return Concentration(dimension, hhi, top, top_share, total, items)


def concentration_by(analysis: Analysis, dimension: str = "group", top: int = 10) -> Concentration:
    if dimension not in DIMENSIONS:
        raise ValueError(f"expected a dimension among {', '.join(DIMENSIONS)}, got {dimension!r}")
    buckets: dict[str, list[float]] = defaultdict(list)
    entities = analysis.dataset.entities
    for party, exposure in analysis.exposures.parties.items():
        if dimension == "group":
            key = analysis.group_by_member[party].id
        else:
            key = getattr(entities[party], dimension) or UNKNOWN
        buckets[key].append(exposure.gross)
    return concentration({k: math.fsum(v) for k, v in buckets.items()}, top, dimension)


def cascade(analysis: Analysis, defaulted: Iterable[str]) -> CascadeResult:
    initial = _check_parties(analysis, defaulted)
    bank = analysis.dataset.bank
    entities = analysis.dataset.entities
    guarantees_of: dict[str, list] = defaultdict(list)
    for r in analysis.relationships:
        if r.type == "GUARANTEES":
            guarantees_of[r.target].append(r)
    rounds_of = dict.fromkeys(initial, 0)
    calls: dict[str, list[float]] = defaultdict(list)
    newest, round_number = list(initial), 0
    while newest:
        touched = set()
        for borrower in newest:
            for g in guarantees_of.get(borrower, ()):
                calls[g.source].append((g.amount or 0.0) * bank.rate(g.currency))
                touched.add(g.source)
        round_number += 1
        newest = sorted(
            p for p in touched
            if p not in rounds_of and entities[p].net_assets is not None
            and math.fsum(calls[p]) > entities[p].net_assets
        )
        for party in newest:
            rounds_of[party] = round_number
    called = {p: math.fsum(v) for p, v in sorted(calls.items())}
    without = tuple(p for p in called if entities[p].net_assets is None and p not in rounds_of)
    exposure = analysis.exposures.of_parties(rounds_of).gross
    return CascadeResult(rounds_of, max(rounds_of.values(), default=0), exposure, called, without)


def impact_matrix(analysis: Analysis) -> ImpactMatrix:
    parties = list(analysis.dataset.entities)
    index = {p: k for k, p in enumerate(parties)}
    entities = analysis.dataset.entities
    bank = analysis.dataset.bank
    loss: dict[tuple[int, int], list[float]] = defaultdict(list)
    for r in analysis.relationships:
        holder = entities[r.source]
        if holder.net_assets is None:      # i takes no stress without net assets
            continue
        if r.type == "GUARANTEES":         # i = guarantor, j = borrower
            loss[index[r.target], index[r.source]].append((r.amount or 0.0) * bank.rate(r.currency))
        elif r.type == "OWNS":             # i = holder, j = the company held
            held = entities[r.target].net_assets or 0.0
            loss[index[r.target], index[r.source]].append((r.share or 0.0) * held)
    rows, cols, data = [], [], []
    for (j, i), amounts in loss.items():
        lost, buffer = math.fsum(amounts), entities[parties[i]].net_assets
        # no buffer (net assets zero or negative): any loss at all distresses i fully
        weight = min(1.0, lost / buffer) if buffer > 0 else float(lost > 0)
        if weight > 0:
            rows.append(j)
            cols.append(i)
            data.append(weight)
    n = len(parties)
    gross = np.zeros(n)
    for party, exposure in analysis.exposures.parties.items():
        gross[index[party]] = exposure.gross
    total = gross.sum()
    return ImpactMatrix(sp.csr_array((data, (rows, cols)), shape=(n, n)), parties, index,
                        gross / total if total > 0 else gross)


def debt_rank(analysis: Analysis, defaulted: Iterable[str], *,
              matrix: ImpactMatrix | None = None) -> DebtRankResult:
    initial = _check_parties(analysis, defaulted)
    matrix = matrix or impact_matrix(analysis)
    n = len(matrix.parties)
    h = np.zeros(n)
    undistressed, distressed = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    for party in initial:
        k = matrix.position[party]
        h[k], distressed[k], undistressed[k] = 1.0, True, False
    h_start = h.copy()
    transposed = matrix.weights.T.tocsr()   # row i: the impacts on i
    steps = 1
    while distressed.any():
        passed = transposed @ (h * distressed)
        h_next = np.minimum(1.0, h + passed)
        newly = undistressed & (h_next > 0)
        undistressed &= ~newly
        distressed = newly                  # the distressed go inactive after passing once
        h = h_next
        steps += 1
    rank = float(h @ matrix.values - h_start @ matrix.values)
    stress = {matrix.parties[k]: float(h[k]) for k in np.flatnonzero(h)}
    return DebtRankResult(stress, rank, steps)


def systemic_ranking(analysis: Analysis, top: int = 10, *, matrix: ImpactMatrix | None = None
                     ) -> list[tuple[str, float]]:
    largest = sorted(analysis.exposures.parties.items(), key=lambda kv: (-kv[1].gross, kv[0]))
    matrix = matrix or impact_matrix(analysis)
    ranked = [(party, debt_rank(analysis, [party], matrix=matrix).debt_rank)
              for party, _ in largest[:top]]
    return sorted(ranked, key=lambda pr: (-pr[1], pr[0]))


def suspected_links(analysis: Analysis) -> list[SuspectedLink]:
    group_of = {m: g.id for g in analysis.groups for m in g.members}
    entities = analysis.dataset.entities
    links: set[SuspectedLink] = set()

    controlled_by_person: dict[str, set[str]] = defaultdict(set)
    for unit_key, controlled in analysis.control.links.items():
        for member in analysis.control.units[unit_key].members:
            if entities[member].kind == "person":
                controlled_by_person[member].update(controlled)
    for r in analysis.relationships:
        if r.type != "MANAGES":
            continue
        person, managed = r.source, r.target
        elsewhere: dict[str, list[str]] = defaultdict(list)
        for other in sorted(controlled_by_person.get(person, ())):
            if group_of[other] != group_of[managed]:
                elsewhere[group_of[other]].append(other)
        for other_group, controlled in elsewhere.items():
            listed = ", ".join(f"{entities[c].name} [{c}]" for c in controlled[:5])
            more = f" and {len(controlled) - 5} more" if len(controlled) > 5 else ""
            links.add(SuspectedLink(
                "manager_controller", managed, controlled[0], (group_of[managed], other_group),
                person,
                f"{entities[person].name} [{person}] is {r.role} of {entities[managed].name} "
                f"[{managed}] and controls {listed}{more}"))

    for column in CONTACT_COLUMNS:
        holders: dict[str, list[str]] = defaultdict(list)
        for entity in entities.values():
            value = entity.extra.get(column)
            if value:
                holders[_normalise(value)].append(entity.id)
        for value, parties in holders.items():
            parties.sort()
            for i, a in enumerate(parties):
                for b in parties[i + 1:]:
                    if group_of[a] != group_of[b]:
                        links.add(SuspectedLink(f"shared_{column}", a, b,
                                                (group_of[a], group_of[b]), value,
                                                f"{entities[a].name} [{a}] and {entities[b].name} "
                                                f"[{b}] share the {column} {value!r}"))
    return sorted(links, key=lambda link: (link.kind, link.a, link.b, link.via))


def declared_group_diffs(analysis: Analysis) -> list[DeclaredGroupDiff]:
    declared: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for row in analysis.dataset.declared_groups:
        declared[row.group_id].append(row.member)
        names.setdefault(row.group_id, row.group_name)
    entities = analysis.dataset.entities
    diffs = []
    for group_id in sorted(declared):
        members = set(declared[group_id])
        overlap: dict[str, int] = defaultdict(int)
        for m in members:
            overlap[analysis.group_by_member[m].id] += 1
        best = min(overlap, key=lambda g: (-overlap[g], g))
        detected = analysis.group_by_id[best]
        relevant = {m for m in detected.members
                    if entities[m].kind == "company" or analysis.exposures.of(m).gross > 0}
        diffs.append(DeclaredGroupDiff(
            group_id, names[group_id], best,
            missed=tuple(sorted(relevant - members)),
            unsupported=tuple(sorted(members - set(detected.members)))))
    return diffs


def flags(analysis: Analysis) -> dict[str, list[RiskFlag]]:
    """The flags of ``assess``, gathered as it did before."""
    checks = check_limits(analysis)
    names = {e.id: e.name for e in analysis.dataset.entities.values()}
    bank, regime = analysis.dataset.bank, analysis.regime.name
    found: dict[str, list[RiskFlag]] = defaultdict(list)
    for group in analysis.groups:
        names.setdefault(group.id, f"{analysis.group_name(group)} group [{group.id}]")
    for check in checks:
        name = names[check.subject]
        flag = check.flag(name, bank.base_currency, regime)
        if flag is not None:
            found[check.subject].append(flag)
    for flag in large_exposure_flags(analysis, analysis.groups):
        found[flag.subject].append(flag)
    circles = guarantee_circles(analysis.relationships, bank)
    for circle in circles:
        for member in circle.members:
            found[member].append(RiskFlag(
                "GUARANTEE_CIRCLE", member,
                f"{names[member]} is in guarantee circle {circle.id} of {len(circle.members)} "
                f"parties guaranteeing {circle.total_guaranteed:,.2f} {bank.base_currency} "
                f"among themselves (R10)", figure=circle.total_guaranteed))
    rings = cross_holdings(analysis.relationships)
    for ring in rings:
        for member in ring:
            found[member].append(RiskFlag(
                "CROSS_HOLDING", member,
                f"{names[member]} holds shares in a ring with {', '.join(m for m in ring if m != member)}"))
    return dict(found)
