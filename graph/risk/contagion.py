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
from graph.risk.columns import Book, segment_sums
from schema.records import collector_paused

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


@collector_paused()
def cascade(analysis: Analysis, defaulted: Iterable[str]) -> CascadeResult:
    """R11: the guarantee-call cascade from ``defaulted``.

    The parties in ``defaulted`` default in round 0. In each round every guarantee of a
    party that defaulted in the round before is called for its full amount (in base
    currency); a guarantor whose calls, added up over all rounds, are above its
    ``net_assets`` defaults in this round. The cascade stops at a round with no new default
    (DESIGN R11).

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`: its current guarantees and exposures.
    defaulted : iterable of party ids
        The initial defaults.

    Returns
    -------
    CascadeResult
        Each defaulted party's round, the number of rounds that added a default, the bank's
        gross exposure to every defaulted party (the initial ones included), the calls on
        each guarantor, and the guarantors called without known ``net_assets``.

    Raises
    ------
    KeyError
        When ``defaulted`` names a party the dataset does not have.

    Examples
    --------
    B guarantees A for 50 and has net assets of 40; G guarantees A for 60 and B for 60 and
    has 100; H guarantees G for 5 and gives no net assets. The bank lends 10 to A, 20 to B
    and 30 to G. A defaults:

    - round 1: A's guarantors are called, B for 50 > 40 (B defaults) and G for 60 (G holds);
    - round 2: B's guarantor G is called 60 more: 120 > 100, G defaults;
    - round 3: G's guarantor H is called 5, but without net assets it cannot be judged:
      no new default, and the cascade stops after 2 rounds.

    The exposure at risk is 10 + 20 + 30 = 60.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F, Relationship as R
    >>> net_assets = {"B": 40.0, "G": 100.0}
    >>> parties = {i: Entity(i, f"company {i}", "company", net_assets=net_assets.get(i)) for i in "ABGH"}
    >>> guarantees = (R("GUARANTEES", "B", "A", amount=50.0), R("GUARANTEES", "G", "A", amount=60.0),
    ...               R("GUARANTEES", "G", "B", amount=60.0), R("GUARANTEES", "H", "G", amount=5.0))
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), parties, guarantees,
    ...                (F("F1", "A", 10.0), F("F2", "B", 20.0), F("F3", "G", 30.0)))
    >>> result = cascade(analyse(book), ["A"])
    >>> result.rounds_of, result.rounds, result.exposure_at_risk
    ({'A': 0, 'B': 1, 'G': 2}, 2, 60.0)
    >>> result.called, result.called_without_buffer
    ({'B': 50.0, 'G': 120.0, 'H': 5.0}, ('H',))
    """
    initial = _check_parties(analysis, defaulted)
    book = Book.of(analysis)
    entities = analysis.dataset.entities
    guarantees = book.edges("GUARANTEES")
    by_borrower = _guarantees_by_borrower(book)
    amounts = _amounts(book).tolist()
    rounds_of = dict.fromkeys(initial, 0)
    calls: dict[str, list[float]] = defaultdict(list)
    newest, round_number = list(initial), 0
    while newest:
        # the guarantees of this round's defaults, as rows of the borrower-by-guarantee matrix
        called = by_borrower[book.positions(newest)].indices.tolist()
        touched = set()
        for k in called:
            guarantor = guarantees.records[k].source
            calls[guarantor].append(amounts[k])
            touched.add(guarantor)
        round_number += 1
        newest = sorted(
            p for p in touched
            if p not in rounds_of and entities[p].net_assets is not None
            and math.fsum(calls[p]) > entities[p].net_assets
        )
        for party in newest:
            rounds_of[party] = round_number
    called_amounts = {p: math.fsum(v) for p, v in sorted(calls.items())}
    without = tuple(p for p in called_amounts if entities[p].net_assets is None and p not in rounds_of)
    exposure = analysis.exposures.of_parties(rounds_of).gross
    return CascadeResult(rounds_of, max(rounds_of.values(), default=0), exposure, called_amounts, without)


def _amounts(book: Book) -> np.ndarray:
    """Every current guarantee's amount in base currency (0 when it names none)."""
    rate = book.analysis.dataset.bank.rate
    return np.array([(r.amount or 0.0) * rate(r.currency) for r in book.edges("GUARANTEES").records],
                    dtype=float)


def _guarantees_by_borrower(book: Book) -> sp.csr_array:
    """Row ``j``: the guarantees (by their place in ``book.edges("GUARANTEES")``) of
    borrower ``j``, in that order."""
    guarantees = book.edges("GUARANTEES")
    n, m = len(book.parties), len(guarantees.records)
    return sp.csr_array((np.ones(m, dtype=np.int8), (guarantees.target, np.arange(m))), shape=(n, m))


@dataclass(frozen=True)
class ImpactMatrix:
    """The DebtRank impact matrix ``W`` (row ``j``, column ``i``: the impact of ``j`` on
    ``i``), its party order and the value weights ``v``: all a scenario needs, computed
    once for many scenarios."""

    weights: sp.csr_array
    parties: list[str]
    position: dict[str, int]
    values: np.ndarray


@collector_paused()
def impact_matrix(analysis: Analysis) -> ImpactMatrix:
    """The DebtRank impacts and value weights of the analysed book (R12).

    The impact of ``j`` on ``i`` is the share of ``i``'s net assets that ``j``'s default
    would take: ``W[j -> i] = min(1, (guarantee of i for j + share of j held by i x
    net_assets of j) / net_assets of i)``, with guarantees in base currency. The value
    weight ``v_j`` is ``j``'s share of the bank's gross exposure (DESIGN R12; Battiston et
    al. 2012, in the module's References).

    A party without ``net_assets`` takes no stress: it has no impacts on it. One whose
    ``net_assets`` are zero or negative has no buffer: any loss distresses it fully, its
    weight is 1 (DESIGN R12).

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`: its current guarantees and holdings, and
        exposures.

    Returns
    -------
    ImpactMatrix
        Built once, it serves many scenarios (:func:`debt_rank`, :func:`systemic_ranking`).

    Examples
    --------
    A has net assets of 50. B (net assets 100) guarantees A for 50: ``W[A -> B]`` = 50 / 100
    = 0.5. G (100) guarantees A for 300: 300 / 100 = 3, capped at 1. H (100) holds 40% of A
    and guarantees it for 10: (10 + 0.4 x 50) / 100 = 0.3. K guarantees A for 10 but gives
    no net assets: no impact. The bank lends 60 to A and 40 to B: ``v`` = 0.6 and 0.4.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F, Relationship as R
    >>> net_assets = {"A": 50.0, "B": 100.0, "G": 100.0, "H": 100.0}
    >>> parties = {i: Entity(i, f"company {i}", "company", net_assets=net_assets.get(i)) for i in "ABGHK"}
    >>> links = (R("GUARANTEES", "B", "A", amount=50.0), R("GUARANTEES", "G", "A", amount=300.0),
    ...          R("OWNS", "H", "A", share=0.4), R("GUARANTEES", "H", "A", amount=10.0),
    ...          R("GUARANTEES", "K", "A", amount=10.0))
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), parties, links,
    ...                (F("F1", "A", 60.0), F("F2", "B", 40.0)))
    >>> m = impact_matrix(analyse(book))
    >>> w = m.weights.toarray()
    >>> {i: float(w[m.position["A"], m.position[i]]) for i in "BGHK"}
    {'B': 0.5, 'G': 1.0, 'H': 0.3, 'K': 0.0}
    >>> dict(zip(m.parties, m.values.tolist()))
    {'A': 0.6, 'B': 0.4, 'G': 0.0, 'H': 0.0, 'K': 0.0}
    """
    book = Book.of(analysis)
    n = len(book.parties)
    buffer = book.net_assets
    guarantees, holdings = book.edges("GUARANTEES"), book.edges("OWNS")
    held = np.nan_to_num(buffer[holdings.target], nan=0.0)
    shares = np.array([r.share or 0.0 for r in holdings.records], dtype=float)
    # a loss of i (the guarantor, or the holder) on j's default (the borrower, or the held)
    j = np.concatenate([guarantees.target, holdings.target])
    i = np.concatenate([guarantees.source, holdings.source])
    lost = np.concatenate([_amounts(book), shares * held])
    keep = ~np.isnan(buffer[i])             # i takes no stress without net assets
    j, i, lost = j[keep], i[keep], lost[keep]
    pair = j * n + i
    order = np.argsort(pair, kind="stable")
    pair, lost = pair[order], lost[order]
    first = np.r_[True, pair[1:] != pair[:-1]] if len(pair) else np.zeros(0, dtype=bool)
    pair = pair[first]
    lost = segment_sums(lost, np.diff(np.r_[np.flatnonzero(first), len(first)]))
    rows, cols = pair // n, pair % n
    own = buffer[cols]
    # no buffer (net assets zero or negative): any loss at all distresses i fully
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(own > 0, np.minimum(1.0, lost / own), (lost > 0).astype(float))
    kept = weight > 0
    gross = book.gross.copy()
    total = gross.sum()
    return ImpactMatrix(sp.csr_array((weight[kept], (rows[kept], cols[kept])), shape=(n, n)),
                        list(book.parties), dict(book.position), gross / total if total > 0 else gross)


@collector_paused()
def debt_rank(analysis: Analysis, defaulted: Iterable[str], *,
              matrix: ImpactMatrix | None = None) -> DebtRankResult:
    """R12: DebtRank of the initial defaults ``defaulted``.

    Distress ``h`` runs from 0 to 1 and starts at 1 for the initial defaults. At each step
    the parties distressed at the step before pass their distress once and go inactive:
    ``h_i(t) = min(1, h_i(t-1) + sum over them of W[j -> i] h_j(t-1))``; it ends when no
    party is newly distressed. ``R = sum_j h_j(T) v_j - sum_j h_j(1) v_j``: the share of the
    book's gross exposure hit, the initial shock left out (DESIGN R12; Battiston et al.
    2012, in the module's References).

    A step reads only the rows of ``W`` of the parties active in it, so a scenario costs
    what it touches, not the book; R is summed exactly (:func:`math.fsum`) over the
    distressed parties.

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`.
    defaulted : iterable of party ids
        The initial defaults.
    matrix : ImpactMatrix, optional
        :func:`impact_matrix` of ``analysis``, computed once for many scenarios.

    Returns
    -------
    DebtRankResult
        The final distress of every distressed party, and R.

    Raises
    ------
    KeyError
        When ``defaulted`` names a party the dataset does not have.

    Examples
    --------
    A chain: B (net assets 100) guarantees A for 50, so ``W[A -> B]`` = 0.5; C (100)
    guarantees B for 50, ``W[B -> C]`` = 0.5. The bank lends 50 to A, 30 to B and 20 to C:
    ``v`` = 0.5, 0.3, 0.2. A defaults (``h_A`` = 1); then ``h_B`` = 0.5 x 1 = 0.5; then
    ``h_C`` = 0.5 x 0.5 = 0.25. R = (1 x 0.5 + 0.5 x 0.3 + 0.25 x 0.2) - 1 x 0.5 = 0.2.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F, Relationship as R
    >>> net_assets = {"A": 10.0, "B": 100.0, "C": 100.0}
    >>> parties = {i: Entity(i, f"company {i}", "company", net_assets=net_assets[i]) for i in "ABC"}
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), parties,
    ...                (R("GUARANTEES", "B", "A", amount=50.0), R("GUARANTEES", "C", "B", amount=50.0)),
    ...                (F("F1", "A", 50.0), F("F2", "B", 30.0), F("F3", "C", 20.0)))
    >>> result = debt_rank(analyse(book), ["A"])
    >>> result.stress, round(result.debt_rank, 10)
    ({'A': 1.0, 'B': 0.5, 'C': 0.25}, 0.2)
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
    steps = 1
    active = np.flatnonzero(distressed)
    while len(active):
        hit, passed = _passed(matrix.weights, active, h[active])
        h[hit] = np.minimum(1.0, h[hit] + passed)
        # the distressed go inactive after passing once
        active = hit[undistressed[hit] & (h[hit] > 0)]
        undistressed[active] = False
        steps += 1
    # R exactly, over the distressed parties only: a dot product over the book would cost
    # a pass over it, and its last digits would depend on how many threads BLAS runs
    hit, start = np.flatnonzero(h), np.flatnonzero(h_start)
    rank = math.fsum([*(h[hit] * matrix.values[hit]).tolist(),
                      *(-h_start[start] * matrix.values[start]).tolist()])
    stress = {matrix.parties[k]: float(h[k]) for k in hit.tolist()}
    return DebtRankResult(stress, rank, steps)


def _passed(weights: sp.csr_array, active: np.ndarray, stress: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """The parties the ``active`` ones (ascending) hit, and the distress each receives:
    ``sum over active j of W[j -> i] h_j``, added up in ascending ``j`` from 0, as the
    product ``W.T @ (h x distressed)`` over the whole book adds it, so the figures are the
    same to the last bit; but only the active rows are read, not the book."""
    rows = weights[active]
    targets = rows.indices
    amounts = rows.data * np.repeat(stress, np.diff(rows.indptr))
    order = np.argsort(targets, kind="stable")      # per target, the active j ascending
    targets, amounts = targets[order], amounts[order]
    hit, start, count = np.unique(targets, return_index=True, return_counts=True)
    passed = np.zeros(len(hit))
    for k in range(int(count.max(initial=0))):
        more = count > k
        passed[more] += amounts[start[more] + k]
    return hit, passed


@collector_paused()
def systemic_ranking(analysis: Analysis, top: int = 10, *, matrix: ImpactMatrix | None = None
                     ) -> list[tuple[str, float]]:
    """The ``top`` parties by gross exposure, each with the DebtRank R of its default
    alone (R12): the parties whose default would hit most of the rest of the book.

    Highest R first, then by id. One :func:`impact_matrix` serves every scenario: ``matrix``
    when given (:func:`graph.risk.assess` builds it once), else built here.

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`.
    top : int
        How many of the largest exposures to try (ties in exposure go by id).
    matrix : ImpactMatrix, optional
        A precomputed :func:`impact_matrix` of ``analysis``.

    Returns
    -------
    list of (party id, R)

    Examples
    --------
    B (net assets 100) guarantees A for 100: ``W[A -> B]`` = 1. The bank lends 50 to each:
    ``v`` = 0.5, 0.5. A alone distresses B fully, R = 1 x 0.5 = 0.5; B alone distresses no
    one, R = 0. With ``top=1`` only A is tried: it comes before B, whose exposure is the
    same, by id.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F, Relationship as R
    >>> parties = {"A": Entity("A", "company A", "company"),
    ...            "B": Entity("B", "company B", "company", net_assets=100.0)}
    >>> book = analyse(Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), parties,
    ...                        (R("GUARANTEES", "B", "A", amount=100.0),),
    ...                        (F("F1", "A", 50.0), F("F2", "B", 50.0))))
    >>> systemic_ranking(book), systemic_ranking(book, top=1)
    ([('A', 0.5), ('B', 0.0)], [('A', 0.5)])
    """
    parties = analysis.exposures.parties
    ids = list(parties)
    gross = np.fromiter((e.gross for e in parties.values()), dtype=float, count=len(ids))
    candidates = range(len(ids))
    if 0 < top < len(ids):
        # only the parties at or above the top-th largest exposure can be among the top
        threshold = np.partition(gross, len(ids) - top)[len(ids) - top]
        candidates = np.flatnonzero(gross >= threshold).tolist()
    largest = sorted(((ids[k], float(gross[k])) for k in candidates), key=lambda kv: (-kv[1], kv[0]))
    matrix = matrix or impact_matrix(analysis)
    ranked = [(party, debt_rank(analysis, [party], matrix=matrix).debt_rank)
              for party, _ in largest[:top]]
    return sorted(ranked, key=lambda pr: (-pr[1], pr[0]))
