"""Per-request DataLoaders: every lookup of one level of a query in one snapshot call.

A resolver never reads the snapshot for one object at a time; it asks a loader
(``await info.context.loaders.entity.load(id)``), and the loader gathers every key asked
for in the same tick of the event loop into one call of a :class:`api.graphql.snapshot.Snapshot`
batch method. A page of 50 groups with their members and controllers therefore costs one
call per kind of lookup and level, whatever the page size. Loaders are created per request
(in the context), so their caches never outlive it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from api.graphql.snapshot import RelationshipKey, Snapshot
from graph.analysis.exposure import Exposure, ExposureBreakdown, FacilityExposure
from graph.analysis.groups import Group
from graph.analysis.owners import BeneficialOwner
from graph.risk.limits import LimitCheck, RiskFlag
from schema.records import Entity, Facility, Relationship

__all__ = ["Loaders", "create_loaders"]

K = TypeVar("K")
V = TypeVar("V")


def _loader(batch: Callable[[Sequence[K]], list[V]], *, threaded: bool = False
            ) -> DataLoader[K, V]:
    """A loader calling ``batch`` once per batch of keys; in the threadpool when the batch
    does real work (solving for integrated ownership), inline for look-ups."""
    async def load(keys: list[K]) -> list[V]:
        if threaded:
            return await run_in_threadpool(batch, keys)
        return batch(keys)

    return DataLoader(load_fn=load)


@dataclass(frozen=True)
class Loaders:
    """The loaders of one request, one per batch method of the snapshot."""

    entity: DataLoader[str, Entity | None]
    exposure: DataLoader[str, Exposure]
    group: DataLoader[str, Group | None]
    group_of: DataLoader[str, Group | None]
    group_exposure: DataLoader[str, Exposure]
    breakdown: DataLoader[str, ExposureBreakdown]
    group_breakdown: DataLoader[str, ExposureBreakdown]
    flags: DataLoader[str, list[RiskFlag]]
    limit_usage: DataLoader[str, float]
    limit_checks: DataLoader[str, list[LimitCheck]]
    ultimate_controllers: DataLoader[str, list[str]]
    relationships: DataLoader[RelationshipKey, list[Relationship]]
    facilities: DataLoader[str, list[tuple[Facility, FacilityExposure]]]
    integrated_ownership: DataLoader[tuple[str, str], float]
    beneficial_owners: DataLoader[str, tuple[BeneficialOwner, ...]]

    async def entities(self, ids: Sequence[str]) -> list[Entity]:
        """The parties of ``ids`` that exist, in order."""
        found: list[Any] = await self.entity.load_many(list(ids))
        return [e for e in found if e is not None]


def create_loaders(snapshot: Snapshot) -> Loaders:
    """Fresh loaders over ``snapshot``."""
    return Loaders(
        entity=_loader(snapshot.entities),
        exposure=_loader(snapshot.exposures),
        group=_loader(snapshot.groups),
        group_of=_loader(snapshot.groups_of),
        group_exposure=_loader(snapshot.group_exposures),
        breakdown=_loader(snapshot.breakdowns),
        group_breakdown=_loader(snapshot.group_breakdowns),
        flags=_loader(snapshot.flags),
        limit_usage=_loader(snapshot.limit_usage),
        limit_checks=_loader(snapshot.limit_checks),
        ultimate_controllers=_loader(snapshot.ultimate_controllers),
        relationships=_loader(snapshot.relationships),
        facilities=_loader(snapshot.facilities),
        integrated_ownership=_loader(snapshot.integrated_ownerships, threaded=True),
        beneficial_owners=_loader(snapshot.beneficial_owners, threaded=True),
    )
