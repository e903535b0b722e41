"""The analysed snapshot the API serves: one read of the store, analysed once.

At start (and on ``reload``) the server reads the dataset from its store once
(:func:`api.service.read_store`), analyses and assesses it (:func:`api.service.assess_dataset`), and
builds the indexes below. Every answer of a request then comes from one snapshot, even
if a reload swaps in another meanwhile.

Lookups are **batch methods**: each takes a list of keys and returns one result per key,
in order (``None`` or an empty list where there is nothing), so that the per-request
DataLoaders (:mod:`api.graphql.dataloaders`) can gather every lookup of one level of a query into one
call. Each call is counted in :attr:`Snapshot.calls` (by method name), which is how the
tests hold a page of groups with members and controllers to a bounded number of calls.

Questions that walk the graph (paths, ownership chains, neighbourhoods) are not here: they
go to the store (Cypher on Neo4j), see :mod:`api.graphql.schema`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from api import service
from api.graphql.relationship_index import RelationshipIndex
from api.graphql.search import SearchIndex
from graph.analysis import Analysis
from graph.analysis.exposure import Exposure, ExposureBreakdown, FacilityExposure
from graph.analysis.groups import Group
from graph.analysis.owners import BeneficialOwner
from graph.analysis.ownership import IntegratedRow
from graph.reports.returns import Returns, build_returns
from graph.risk import RiskAssessment
from graph.risk.circles import GuaranteeCircle
from graph.risk.columns import Book
from graph.risk.concentration import DIMENSIONS, Concentration, concentration_by
from graph.risk.contagion import (
    CascadeResult,
    DebtRankResult,
    cascade,
    debt_rank,
)
from graph.risk.headroom import Headroom, headroom
from graph.risk.limits import LimitCheck, RiskFlag
from graph.risk.whatif import WhatIf, parse_proposals, what_if
from graph.stores.base import GraphStore, StoreInfo
from schema.errors import ClosedOwnershipRing
from schema.records import Entity, Facility, Relationship

__all__ = ["GROUP_ORDERS", "ContagionResult", "RelationshipKey", "Snapshot", "build_snapshot"]

GROUP_ORDERS = ("EXPOSURE_DESC", "NET_EXPOSURE_DESC", "LIMIT_USAGE_DESC", "SIZE_DESC", "ID_ASC")

RelationshipKey = tuple[str, str, str]
"""``(entity id, relationship type, direction)``; direction ``out`` (the entity is the
source), ``in`` (the target) or ``both`` (for undirected kinds such as ``RELATIVE_OF``)."""

_UNDIRECTED = frozenset({"RELATIVE_OF"})


class _Names(Mapping[str, str]):
    """Display names of parties and family units (``family:P1``) for evidence texts,
    resolved when asked rather than copied for every party."""

    def __init__(self, analysis: Analysis) -> None:
        self._entities = analysis.dataset.entities
        self._units = analysis.control.units

    def __getitem__(self, key: str) -> str:
        entity = self._entities.get(key)
        if entity is not None:
            return entity.name
        unit = self._units.get(key)
        if unit is not None and unit.is_family:
            return "family of " + ", ".join(self._entities[m].name for m in unit.members)
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if key in self._entities:
            return True
        unit = self._units.get(key) if isinstance(key, str) else None
        return unit is not None and unit.is_family

    def __iter__(self) -> Iterator[str]:
        return iter(self._entities)

    def __len__(self) -> int:
        return len(self._entities)


class _GroupExposures(Mapping[str, Exposure]):
    """Each group's exposure by group id, from the sums the risk rules made on arrays
    (:meth:`graph.risk.columns.Book.group_arrays`, each equal to ``math.fsum`` over the
    members, as :meth:`Analysis.group_exposure`); a record is built when one is read."""

    def __init__(self, analysis: Analysis) -> None:
        arrays = Book.of(analysis).group_arrays(analysis.groups)
        self._position = {g.id: k for k, g in enumerate(analysis.groups)}
        self._gross = arrays.gross.tolist()
        self._net = arrays.net.tolist()

    def __getitem__(self, group_id: str) -> Exposure:
        k = self._position[group_id]
        return Exposure(self._gross[k], self._net[k])

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


@dataclass(frozen=True)
class ContagionResult:
    """A cascade (R11), and with the DebtRank model also the DebtRank (R12)."""

    cascade: CascadeResult
    debt_rank: DebtRankResult | None


class Snapshot:
    """An analysed dataset with the indexes the API reads. Build with :func:`build_snapshot`."""

    def __init__(self, assessment: RiskAssessment, *, info: StoreInfo | None, store_uri: str,
                 build_seconds: float = 0.0) -> None:
        self.assessment = assessment
        self.analysis = assessment.analysis
        self.dataset = self.analysis.dataset
        self.info = info
        self.store_uri = store_uri
        self.build_seconds = build_seconds
        self.built_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.calls: Counter[str] = Counter()
        self.names: Mapping[str, str] = _Names(self.analysis)
        self._lock = threading.Lock()
        self._what_if_lock = threading.Lock()
        self._returns_lock = threading.Lock()
        self._returns: Returns | None = None
        self._group_lists: dict[tuple[str, str | None], tuple[tuple[str, ...], tuple[Group, ...]]] = {}
        self._concentrations: dict[tuple[str, int], Concentration] = {}
        arrays = self.analysis.control.arrays
        shared = arrays is not None and arrays.relationships is self.analysis.relationships
        self._relationships = RelationshipIndex(
            self.analysis.relationships, undirected=_UNDIRECTED,
            index=arrays.index if shared else None, types=arrays.types if shared else None)
        self.group_exposure: Mapping[str, Exposure] = _GroupExposures(self.analysis)

    # -- facts about the snapshot -------------------------------------------------------

    @cached_property
    def version(self) -> str:
        """The dataset version: the store's record of it, else the dataset's content hash
        (hashing a large dataset takes seconds, and the store has done it on load)."""
        if self.info is not None:
            return self.info.version
        return self.dataset.version

    @property
    def as_of(self) -> date:
        return self.analysis.as_of

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex(self.dataset.entities.values())

    @cached_property
    def total_exposure(self) -> Exposure:
        return self.analysis.exposures.of_parties(self.analysis.exposures.parties)

    @cached_property
    def total_breakdown(self) -> ExposureBreakdown:
        """The whole book's exposure by R13-R16, summed once."""
        return self.analysis.exposures.breakdown_of_parties(self.analysis.exposures.parties)

    def _count(self, method: str) -> None:
        self.calls[method] += 1

    # -- batch methods: one result per key, in order ------------------------------------

    def entities(self, ids: Sequence[str]) -> list[Entity | None]:
        """The parties of ``ids`` (None for an unknown id)."""
        self._count("entities")
        entities = self.dataset.entities
        return [entities.get(i) for i in ids]

    def exposures(self, ids: Sequence[str]) -> list[Exposure]:
        """Each party's gross and net exposure (zero for a party the bank does not lend to)."""
        self._count("exposures")
        of = self.analysis.exposures.of
        return [of(i) for i in ids]

    def groups(self, ids: Sequence[str]) -> list[Group | None]:
        """The groups of ``ids`` (group ids)."""
        self._count("groups")
        by_id = self.analysis.group_by_id
        return [by_id.get(i) for i in ids]

    def groups_of(self, ids: Sequence[str]) -> list[Group | None]:
        """The group each party (entity id) belongs to."""
        self._count("groups_of")
        by_member = self.analysis.group_by_member
        return [by_member.get(i) for i in ids]

    def group_exposures(self, ids: Sequence[str]) -> list[Exposure]:
        """Each group's exposure: the sum over its members."""
        self._count("group_exposures")
        return [self.group_exposure.get(i, Exposure()) for i in ids]

    def breakdowns(self, ids: Sequence[str]) -> list[ExposureBreakdown]:
        """Each party's exposure by R13-R16 (exempt, moved out and in, the G14 columns),
        read from the book's arrays (all zero for a party the bank does not lend to)."""
        self._count("breakdowns")
        of = self.analysis.exposures.breakdown_of
        return [of(i) for i in ids]

    def group_breakdowns(self, ids: Sequence[str]) -> list[ExposureBreakdown]:
        """Each group's exposure by R13-R16: the exact sums over its members (all zero
        for an unknown group id)."""
        self._count("group_breakdowns")
        analysis = self.analysis
        by_id, none = analysis.group_by_id, analysis.exposures.breakdown_of_parties
        return [analysis.group_breakdown(by_id[i]) if i in by_id else none(()) for i in ids]

    def flags(self, subjects: Sequence[str]) -> list[list[RiskFlag]]:
        """The flags of each party or group (a group of one carries its member's)."""
        self._count("flags")
        flags_of = self.assessment.flags_of
        return [list(flags_of(s)) for s in subjects]

    def limit_usage(self, ids: Sequence[str]) -> list[float]:
        """Each group's highest share of a limit used (1.0 = at the limit)."""
        self._count("limit_usage")
        by_id = self.analysis.group_by_id
        usage = self.assessment.limit_usage
        return [usage(by_id[i]) if i in by_id else 0.0 for i in ids]

    def limit_checks(self, subjects: Sequence[str]) -> list[list[LimitCheck]]:
        """The limit checks of each party or group id (a group of one: its member's)."""
        self._count("limit_checks")
        checks_of = self.assessment.limit_checks_of
        return [list(checks_of(s)) for s in subjects]

    def ultimate_controllers(self, ids: Sequence[str]) -> list[list[str]]:
        """Each party's ultimate controllers (R5), as party ids; empty when independent."""
        self._count("ultimate_controllers")
        control = self.analysis.control
        return [control.ultimate_controllers(i) if i in self.dataset.entities else [] for i in ids]

    def beneficial_owners(self, ids: Sequence[str]) -> list[tuple[BeneficialOwner, ...]]:
        """Each company's beneficial owners (R18); empty for a person or an unknown id. Each
        is solved from its own column of integrated ownership."""
        self._count("beneficial_owners")
        return [self.analysis.beneficial_owners(i) for i in ids]

    def relationships(self, keys: Sequence[RelationshipKey]) -> list[list[Relationship]]:
        """The current relationships of each ``(entity id, type, direction)`` key."""
        self._count("relationships")
        return self._relationships.lookup(keys)

    def facilities(self, ids: Sequence[str]) -> list[list[tuple[Facility, FacilityExposure]]]:
        """Each party's facilities with their exposure values, in input order."""
        self._count("facilities")
        values = self.analysis.exposures.facilities
        return [[(f, values[f.id]) for f in self.analysis.facilities_of(i)] for i in ids]

    # -- whole-book questions ------------------------------------------------------------

    def search(self, query: str) -> tuple[str, ...]:
        """Party ids matching ``query`` (see :mod:`api.graphql.search`), best first."""
        self._count("search")
        return self.search_index.search(query)

    def group_ids(self, order: str = "EXPOSURE_DESC", min_size: int = 1,
                  flag: str | None = None) -> tuple[str, ...]:
        """Every group id in ``order`` (see :data:`GROUP_ORDERS`), keeping groups of at
        least ``min_size`` members and, when given, carrying a ``flag`` code. Ties are
        broken by id. The ordering is computed once per order and flag (a bounded number of
        lists, whatever sizes clients ask for); ``min_size`` filters it."""
        self._count("group_ids")
        key = (order, flag)
        with self._lock:
            cached = self._group_lists.get(key)
        if cached is None:
            ordered = self._ordered_groups(order, flag)
            cached = (tuple(g.id for g in ordered), ordered)
            with self._lock:
                self._group_lists[key] = cached
        ids, ordered = cached
        if min_size <= 1:  # every group: the list as cached, not a copy per request
            return ids
        return tuple(g.id for g in ordered if g.size >= min_size)

    def _ordered_groups(self, order: str, flag: str | None) -> tuple[Group, ...]:
        if order not in GROUP_ORDERS:
            raise ValueError(f"unknown group order {order!r}")
        groups = list(self.analysis.groups)
        if flag is not None:
            flags_of = self.assessment.flags_of
            groups = [g for g in groups if any(f.code == flag for f in flags_of(g.id))]
        exposure = self.group_exposure
        sort_keys = {
            "EXPOSURE_DESC": lambda g: (-exposure[g.id].gross, g.id),
            "NET_EXPOSURE_DESC": lambda g: (-exposure[g.id].net, g.id),
            "LIMIT_USAGE_DESC": lambda g: (-self.assessment.limit_usage(g), g.id),
            "SIZE_DESC": lambda g: (-g.size, g.id),
            "ID_ASC": lambda g: (g.id,),
        }
        return tuple(sorted(groups, key=sort_keys[order]))

    def group_name(self, group: Group) -> str:
        return self.analysis.group_name(group)

    def integrated_ownership(self, owner: str, owned: str) -> float:
        """R2: the integrated ownership of ``owner`` in ``owned``; ClosedOwnershipRing when
        it is not defined."""
        self._count("integrated_ownership")
        return self.analysis.ownership.row(owner).share_in(owned)

    def integrated_ownerships(self, pairs: Sequence[tuple[str, str]]
                              ) -> list[float | ClosedOwnershipRing]:
        """R2 for each ``(owner, owned)`` pair; each owner's row is solved once. A pair whose
        ownership is not defined gets its ClosedOwnershipRing in place of a value (a
        DataLoader raises it for that pair alone)."""
        self._count("integrated_ownership")
        rows: dict[str, IntegratedRow] = {}
        ownership = self.analysis.ownership
        for owner, _ in pairs:
            if owner not in rows:
                rows[owner] = ownership.row(owner)
        shares: list[float | ClosedOwnershipRing] = []
        for owner, owned in pairs:
            try:
                shares.append(rows[owner].share_in(owned))
            except ClosedOwnershipRing as undefined:
                shares.append(undefined)
        return shares

    def concentration(self, dimension: str, top: int) -> Concentration:
        """R9 by ``dimension`` (``group``, ``industry`` or ``region``), top-``top`` share."""
        self._count("concentration")
        if dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dimension!r}")
        key = (dimension, top)
        with self._lock:
            cached = self._concentrations.get(key)
        if cached is None:
            cached = concentration_by(self.analysis, dimension, top)
            with self._lock:
                self._concentrations[key] = cached
        return cached

    @property
    def circles(self) -> list[GuaranteeCircle]:
        return self.assessment.circles

    @cached_property
    def large_exposures(self) -> list[RiskFlag]:
        """Ranked once: every request's cost check counts them (a walk of every flag)."""
        return self.assessment.large_exposures

    def contagion(self, defaulted: Iterable[str], with_debt_rank: bool) -> ContagionResult:
        """R11 from ``defaulted`` and, when asked, R12. Raises KeyError for unknown ids."""
        self._count("contagion")
        initial = list(defaulted)
        result = cascade(self.analysis, initial)
        rank = debt_rank(self.analysis, initial, matrix=self.assessment.impact) if with_debt_rank else None
        return ContagionResult(result, rank)

    def headroom(self, entity_id: str) -> Headroom | None:
        """R19 for the party ``entity_id``, or None for an unknown id."""
        self._count("headroom")
        if entity_id not in self.dataset.entities:
            return None
        return headroom(self.assessment, entity_id)

    def what_if(self, rows: Sequence[Mapping[str, str | None]]) -> WhatIf:
        """R19: the served book with the proposals of ``rows`` (text cells, as a proposals
        table holds them) added, analysed and assessed on a copy; the snapshot and the store
        are left as they are. Raises InvalidProposal. One what-if runs at a time, as each
        analyses the whole book again."""
        self._count("what_if")
        proposals = parse_proposals(rows, self.dataset)
        with self._what_if_lock:
            return what_if(self.assessment, proposals)

    @property
    def returns(self) -> Returns:
        """R20: the return of the snapshot's regime, filled when first asked for and kept
        with the snapshot (every later request reads the same one). Raises
        InvalidReturns when the regime file cannot define it."""
        with self._returns_lock:   # one filling at a time: each walks the whole book
            if self._returns is None:
                self._count("returns")
                self._returns = build_returns(self.analysis)
            return self._returns

    def exposure_of_parties(self, ids: Iterable[str]) -> Exposure:
        return self.analysis.exposures.of_parties(ids)

    def share_of_tier1(self, amount: float) -> float:
        tier1 = self.dataset.bank.tier1_capital
        return amount / tier1 if tier1 else math.nan


def build_snapshot(store: GraphStore, *, as_of: date | None = None, regime: str | None = None
                   ) -> Snapshot:
    """Read ``store`` once and analyse it. Raises StoreEmpty when nothing was loaded."""
    start = time.perf_counter()
    info, dataset = service.read_store(store)
    assessment = service.assess_dataset(dataset, as_of=as_of, regime=regime)
    snapshot = Snapshot(assessment, info=info, store_uri=store.uri)
    snapshot.version  # noqa: B018 - known now rather than at the first request
    snapshot.search_index  # noqa: B018 - built now rather than by the first search
    assessment.analysis.ownership  # noqa: B018 - the R2 matrix, likewise
    snapshot.build_seconds = time.perf_counter() - start
    return snapshot
