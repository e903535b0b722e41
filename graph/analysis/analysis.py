"""One analysis of a dataset: control (R3-R5), groups (R6, R17), beneficial owners (R18)
and exposures (R7, R13-R16) together.

Every answer is computed from the current relationships on ``as_of`` (default today), with
the regime the bank names in ``bank.toml`` unless another is given. When look-through leaves
exposure unidentified, ``Analysis.dataset`` is the dataset with the anonymous client
(:mod:`graph.analysis.lookthrough`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from graph.analysis.control import ControlResult, compute_control
from graph.analysis.exposure import Exposure, ExposureBreakdown, ExposureResult, compute_exposures
from graph.analysis.groups import Group, connected_client_groups, state_parties
from graph.analysis.lookthrough import with_anonymous
from graph.analysis.owners import BeneficialOwner, BeneficialOwnership
from graph.analysis.ownership import OwnershipMatrix
from schema.records import Dataset, Facility, Relationship, collector_paused
from schema.regime import Regime, load_regime

__all__ = ["Analysis", "analyse"]


@dataclass
class Analysis:
    """The analysed dataset. Use :func:`analyse` to build one."""

    dataset: Dataset
    regime: Regime
    as_of: date
    relationships: list[Relationship]
    control: ControlResult
    groups: list[Group]
    exposures: ExposureResult

    @cached_property
    def group_by_member(self) -> dict[str, Group]:
        return {m: g for g in self.groups for m in g.members}

    @cached_property
    def group_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    @cached_property
    def _facilities_by_borrower(self) -> dict[str, list[Facility]]:
        index: dict[str, list[Facility]] = {}
        for f in self.dataset.facilities:
            index.setdefault(f.borrower, []).append(f)
        return index

    def facilities_of(self, party: str) -> list[Facility]:
        """The facilities ``party`` borrows, in input order."""
        return self._facilities_by_borrower.get(party, [])

    @cached_property
    def ownership(self) -> OwnershipMatrix:
        """The direct-share matrix of the current holdings (R2), from the holdings' columns
        that control read."""
        arrays = self.control.arrays
        if arrays is None or arrays.holdings is None or arrays.relationships is not self.relationships:
            return OwnershipMatrix(
                (r.source, r.target, r.share or 0.0) for r in self.relationships if r.type == "OWNS")
        edges = arrays.holdings
        owns = edges.kind == 0
        return OwnershipMatrix.from_columns(arrays.index.ids, edges.source[owns], edges.target[owns],
                                            edges.share[owns])

    def group_name(self, group: Group) -> str:
        """The group's name: its root's name, with ``family`` for a family root."""
        unit = self.control.units[group.root]
        first = self.dataset.entities[unit.members[0]].name
        return f"{first} family" if unit.is_family else first

    def group_exposure(self, group: Group) -> Exposure:
        return self.exposures.of_parties(group.members)

    def group_breakdown(self, group: Group) -> ExposureBreakdown:
        """The group's exposure by G14 column before and after mitigation, its exempt and
        non-exempt parts, and what mitigation moved (R13-R16); a party's is
        ``exposures.breakdown_of(party)``."""
        return self.exposures.breakdown_of_parties(group.members)

    def groups_by_exposure(self) -> list[Group]:
        """Groups ranked by gross exposure, largest first (then by id)."""
        return sorted(self.groups, key=lambda g: (-self.group_exposure(g).gross, g.id))

    @cached_property
    def _owners(self) -> BeneficialOwnership:
        persons = [p for p, e in self.dataset.entities.items() if e.kind == "person"]
        return BeneficialOwnership(list(self.dataset.entities), persons, self.relationships,
                                   self.control, self.ownership, threshold=self.regime.ubo_threshold)

    def beneficial_owners(self, company: str) -> tuple[BeneficialOwner, ...]:
        """R18: the beneficial owners of ``company``, from its column of integrated
        ownership only (see :mod:`graph.analysis.owners`)."""
        return self._owners.of(company)

    @cached_property
    def beneficial_owners_by_company(self) -> Mapping[str, tuple[BeneficialOwner, ...]]:
        """R18 for the whole book: every company with beneficial owners, computed at once."""
        return self._owners.all()

    def integrated_ownership(self, owner: str, owned: str) -> float:
        """R2: the integrated ownership of ``owner`` in ``owned``; ClosedOwnershipRing when
        it is not defined."""
        return self.ownership.row(owner).share_in(owned)


def analyse(dataset: Dataset, *, regime: Regime | None = None, as_of: date | None = None
            ) -> Analysis:
    """Run R3-R7 and R13-R17 on ``dataset``. R2 and R18 are computed on demand (see
    Analysis.integrated_ownership and Analysis.beneficial_owners)."""
    as_of = as_of or date.today()
    regime = regime or load_regime(dataset.bank.regime)
    with collector_paused():
        current = dataset.current_relationships(as_of)
        exposures = compute_exposures(
            dataset.bank, regime, dataset.facilities, current, entities=dataset.entities,
            underlyings=dataset.underlyings, collateral=dataset.collateral,
            product_parties=dataset.product_parties)
        if exposures.unidentified:
            # the anonymous client of look-through is a party like the others (R15)
            dataset = with_anonymous(dataset)
        parties = list(dataset.entities)
        control = compute_control(parties, current, family_relations=regime.family_relations)
        groups = connected_client_groups(parties, current, control,
                                         dependence_threshold=regime.dependence_threshold,
                                         state_parties=state_parties(dataset.entities, regime))
    return Analysis(dataset, regime, as_of, current, control, groups, exposures)
