"""Contagion: the guarantee-call cascade (R11) and DebtRank (R12).

**Cascade (R11).** Start from a set of defaulted parties (round 0). In each round, every
guarantee whose borrower has defaulted is called for its full amount; a party whose total
called amount is above its ``net_assets`` defaults in the next round. Stop when a round adds
no default. A guarantee is called once; the calls on a guarantor add up over the rounds.
A guarantor with no ``net_assets`` cannot be judged: it does not default, and is listed
in ``called_without_buffer`` so that no one mistakes it for safe.

**DebtRank (R12)** [1]_. The impact of ``j`` on ``i`` is
``W[j -> i] = min(1, (guarantee of i for j + share of j held by i x net_assets of j) /
net_assets of i)``. Distress ``h`` runs from 0 to 1; the initial defaults start at 1. At
each step every distressed node passes its distress to its neighbours once and then goes
inactive: ``h_i(t) = min(1, h_i(t-1) + sum over distressed j of W[j -> i] h_j(t-1))``.
Value weights ``v`` are each party's share of the bank's gross exposure, and
``R = sum_j h_j(T) v_j - sum_j h_j(1) v_j``: the share of the book hit, not counting the
initial shock. A party without ``net_assets`` takes no stress; one whose ``net_assets`` are
zero or negative has no buffer, so any loss distresses it fully (its weights are 1).

References
----------
.. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G. (2012).
   "DebtRank: Too central to fail? Financial networks, the FED and systemic risk".
   Scientific Reports 2, 541.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph.analysis import Analysis

__all__ = ["CascadeResult", "DebtRankResult", "ImpactMatrix", "cascade", "debt_rank",
           "impact_matrix", "systemic_ranking"]


@dataclass(frozen=True)
class CascadeResult:
    """Every defaulted party with its round (0 for the initial ones), the number of rounds
    that added defaults, and the bank's gross exposure to all defaulted parties."""

    rounds_of: dict[str, int]
    rounds: int
    exposure_at_risk: float
    called: dict[str, float]
    called_without_buffer: tuple[str, ...]


@dataclass(frozen=True)
class DebtRankResult:
    """Final distress per party (parties left at 0 are omitted) and the DebtRank R."""

    stress: dict[str, float]
    debt_rank: float
    steps: int


def _check_parties(analysis: Analysis, parties: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(parties))
    unknown = [p for p in chosen if p not in analysis.dataset.entities]
    if unknown:
        raise KeyError(f"unknown entity ids: {', '.join(unknown)}")
    return chosen


def cascade(analysis: Analysis, defaulted: Iterable[str]) -> CascadeResult:
    """R11: the guarantee-call cascade from ``defaulted``.

    Example: G guarantees A for 60 and B for 60, with net assets 100; B guarantees A for 50
    with net assets 40. A defaults: B is called 50 > 40 and defaults in round 1; G is called
    60, then 60 more in round 2 (120 > 100), and defaults in round 2.
    """
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


@dataclass(frozen=True)
class ImpactMatrix:
    """The DebtRank impact matrix ``W`` (row ``j``, column ``i``: the impact of ``j`` on
    ``i``), its party order and the value weights ``v``: all a scenario needs, computed
    once for many scenarios."""

    weights: sp.csr_array
    parties: list[str]
    position: dict[str, int]
    values: np.ndarray


def impact_matrix(analysis: Analysis) -> ImpactMatrix:
    """Build :class:`ImpactMatrix` for the analysed book."""
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
    """R12: DebtRank of the initial defaults ``defaulted``.

    ``matrix`` may pass a precomputed :func:`impact_matrix` when running many scenarios.
    """
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


def systemic_ranking(analysis: Analysis, top: int = 10) -> list[tuple[str, float]]:
    """Each of the ``top`` parties by gross exposure, with its DebtRank when it alone
    defaults; highest DebtRank first (then by id)."""
    largest = sorted(analysis.exposures.parties.items(), key=lambda kv: (-kv[1].gross, kv[0]))
    matrix = impact_matrix(analysis)
    ranked = [(party, debt_rank(analysis, [party], matrix=matrix).debt_rank)
              for party, _ in largest[:top]]
    return sorted(ranked, key=lambda pr: (-pr[1], pr[0]))
