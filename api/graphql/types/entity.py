"""``Entity``: a party (company or person), with its relationships, group, exposure, flags.

Scalar fields read the record; everything else goes through the request's loaders, so a
list of entities asking for their exposure costs one snapshot call, not one per entity.
Relationship lists (holdings, owners, managers, guarantees, ...) are connections: a holding
company or a guarantor can have thousands. Ownership chains and the neighbourhood are
graph queries answered by the store (Cypher on Neo4j), limited per request.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.graphql.errors import BadRequest
from api.graphql.types import common
from api.graphql.types.beneficial_owner import BeneficialOwner, beneficial_owners
from api.graphql.types.connection import After, Connection, First
from api.graphql.types.enums import (
    ChainDirection,
    Direction,
    EntityKind,
    EntityStatus,
    RelationshipType,
)
from api.graphql.types.exposure import Exposure
from api.graphql.types.facility import Facility
from api.graphql.types.guarantee import Guarantee
from api.graphql.types.holding import Holding
from api.graphql.types.limit_check import LimitCheck
from api.graphql.types.management import Management
from api.graphql.types.path import Path
from api.graphql.types.property import Property
from api.graphql.types.relationship import Relationship, properties_of
from api.graphql.types.relative import Relative
from api.graphql.types.risk_flag import RiskFlag
from api.graphql.types.subgraph import Subgraph
from graph.stores.queries import MAX_HOPS
from schema.model import load_model
from schema.records import Entity as EntityRecord
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.group import Group

__all__ = ["Entity"]

_FIELDS = load_model().nodes["Entity"].properties
_OWN_FIELDS = frozenset({"id", "name", "kind", "registration_id", "lei", "country", "region",
                         "industry", "is_bank", "is_gsib", "net_assets", "total_assets",
                         "revenue", "status", "extra", "origin"})


def _about(name: str) -> str:
    return _FIELDS[name].description


async def _related(info: Info, entity_id: str, rel_type: str, direction: str, first: int | None,
                   after: str | None) -> tuple[list[RelationshipRecord], object]:
    found = await common.context(info).loaders.relationships.load((entity_id, rel_type, direction))
    at = common.page_window(info, len(found), first, after)
    return found[at.start:at.end], at


@strawberry.type(description=load_model().nodes["Entity"].description)
class Entity:
    record: strawberry.Private[EntityRecord]
    # the two fields nearly every query asks for are plain attributes: cheaper to resolve
    id: strawberry.ID = strawberry.field(description=_about("id"))
    name: str = strawberry.field(description=_about("name"))

    @classmethod
    def from_record(cls, record: EntityRecord) -> Entity:
        return cls(record=record, id=strawberry.ID(record.id), name=record.name)

    @strawberry.field(description=_about("kind"))
    def kind(self) -> EntityKind:
        return EntityKind(self.record.kind)

    @strawberry.field(description=_about("registration_id"))
    def registration_id(self) -> str | None:
        return self.record.registration_id

    @strawberry.field(description=_about("lei"))
    def lei(self) -> str | None:
        return self.record.lei

    @strawberry.field(description=_about("country"))
    def country(self) -> str | None:
        return self.record.country

    @strawberry.field(description=_about("region"))
    def region(self) -> str | None:
        return self.record.region

    @strawberry.field(description=_about("industry"))
    def industry(self) -> str | None:
        return self.record.industry

    @strawberry.field(description=_about("is_bank"))
    def is_bank(self) -> bool:
        return self.record.is_bank

    @strawberry.field(description=_about("is_gsib"))
    def is_gsib(self) -> bool:
        return self.record.is_gsib

    @strawberry.field(description=_about("net_assets") + " In base currency units.")
    def net_assets(self) -> float | None:
        return self.record.net_assets

    @strawberry.field(description=_about("total_assets"))
    def total_assets(self) -> float | None:
        return self.record.total_assets

    @strawberry.field(description=_about("revenue"))
    def revenue(self) -> float | None:
        return self.record.revenue

    @strawberry.field(description=_about("status"))
    def status(self) -> EntityStatus:
        return EntityStatus(self.record.status)

    @strawberry.field(description="The input row: file and line, e.g. entities.csv:3.")
    def origin(self) -> str | None:
        return self.record.origin

    @strawberry.field(description="Provenance fields that are set (public sources), and the "
                                  "input's extra columns.")
    def properties(self) -> list[Property]:
        return properties_of(self.record, _OWN_FIELDS)

    # -- analysis -------------------------------------------------------------------------

    @strawberry.field(description="The bank's exposure to this party alone (R7, R13-R16).")
    def exposure(self, info: Info) -> Exposure:
        return common.exposure_via(info, common.context(info).loaders.exposure,  # type: ignore[return-value]
                                   self.record.id)

    @strawberry.field(description="The group of connected clients the party belongs to (R6); "
                                  "a party with no link is a group of one.")
    def group(self, info: Info) -> Annotated[Group, strawberry.lazy("api.graphql.types.group")] | None:
        from api.graphql.types.group import Group

        return common.via(common.context(info).loaders.group_of, self.record.id,  # type: ignore[return-value]
                          lambda found: Group.from_record(found) if found is not None else None)

    @strawberry.field(description="The parties that ultimately control this one (R5): every "
                                  "member of each controlling unit no one controls. Empty "
                                  "when independent.")
    async def ultimate_controllers(self, info: Info) -> list[Entity]:
        ids = await common.context(info).loaders.ultimate_controllers.load(self.record.id)
        return await common.entities(info, ids)

    @strawberry.field(description="The company's beneficial owners (受益所有人, R18): persons "
                                  "holding at least the regime's threshold (25%) by integrated "
                                  "ownership, or belonging to a unit that controls it, else its "
                                  "legal representative, chairman or CEO; one entry per person, "
                                  "by basis, then share. Empty for a person.")
    async def beneficial_owners(self, info: Info) -> list[BeneficialOwner]:
        return await beneficial_owners(info, self.record.id)

    @strawberry.field(description="The party's own risk flags (limits as a single party, "
                                  "large exposure, guarantee circle, cross-holding).")
    def flags(self, info: Info) -> list[RiskFlag]:
        return common.via(common.context(info).loaders.flags, self.record.id,  # type: ignore[return-value]
                          lambda flags: [RiskFlag.from_record(f) for f in flags])

    @strawberry.field(description="The limits applied to this party as a single party (R8).")
    def limit_checks(self, info: Info) -> list[LimitCheck]:
        return common.via(common.context(info).loaders.limit_checks, self.record.id,  # type: ignore[return-value]
                          lambda checks: [LimitCheck.from_record(c) for c in checks])

    @strawberry.field(description="The facilities this party borrows, in input order.")
    def facilities(self, info: Info) -> list[Facility]:
        return common.via(common.context(info).loaders.facilities, self.record.id,  # type: ignore[return-value]
                          lambda found: [Facility(record=f, value=v) for f, v in found])

    # -- relationships (current on the analysis date) ------------------------------------

    @strawberry.field(description="Who holds shares in this company, with their shares.")
    async def owners(self, info: Info, first: First = 50, after: After = None
                     ) -> Connection[Holding]:
        page, at = await _related(info, self.record.id, "OWNS", "in", first, after)
        return Connection.of([Holding.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="The companies this party holds shares in, with the shares.")
    async def holdings(self, info: Info, first: First = 50, after: After = None
                       ) -> Connection[Holding]:
        page, at = await _related(info, self.record.id, "OWNS", "out", first, after)
        return Connection.of([Holding.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="The managers of this company, with their roles.")
    async def managers(self, info: Info, first: First = 50, after: After = None
                       ) -> Connection[Management]:
        page, at = await _related(info, self.record.id, "MANAGES", "in", first, after)
        return Connection.of([Management.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="The companies this person manages, with the roles.")
    async def manages(self, info: Info, first: First = 50, after: After = None
                      ) -> Connection[Management]:
        page, at = await _related(info, self.record.id, "MANAGES", "out", first, after)
        return Connection.of([Management.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="Who guarantees this party's debt, with the amounts.")
    async def guarantors(self, info: Info, first: First = 50, after: After = None
                         ) -> Connection[Guarantee]:
        page, at = await _related(info, self.record.id, "GUARANTEES", "in", first, after)
        return Connection.of([Guarantee.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="The guarantees this party gives for others' debt.")
    async def guarantees(self, info: Info, first: First = 50, after: After = None
                         ) -> Connection[Guarantee]:
        page, at = await _related(info, self.record.id, "GUARANTEES", "out", first, after)
        return Connection.of([Guarantee.from_record(r) for r in page], at)  # type: ignore[arg-type]

    @strawberry.field(description="This person's close relatives (近亲属).")
    async def relatives(self, info: Info) -> list[Relative]:
        found = await common.context(info).loaders.relationships.load(
            (self.record.id, "RELATIVE_OF", "both"))
        return [Relative(record=r, of=self.record.id) for r in found]

    @strawberry.field(description="Relationships of any type (CONTROLS, DEPENDS_ON, declared "
                                  "interests, ...) as loaded, from this party (OUT), to it (IN) "
                                  "or both.")
    async def relationships(
            self, info: Info,
            type: Annotated[RelationshipType, strawberry.argument(
                description="The relationship kind to list.")],
            direction: Annotated[Direction, strawberry.argument(
                description="OUT: relationships from this party; IN: to it; BOTH: either. "
                            "Ignored for RELATIVE_OF, which is undirected.")] = Direction.BOTH,
            first: First = 50, after: After = None) -> Connection[Relationship]:
        rel_type = type.value
        loaders = common.context(info).loaders
        if rel_type == "RELATIVE_OF":
            found = await loaders.relationships.load((self.record.id, rel_type, "both"))
        elif direction.value == "both":
            out, into = await loaders.relationships.load_many(
                [(self.record.id, rel_type, "out"), (self.record.id, rel_type, "in")])
            found = [*out, *into]
        else:
            found = await loaders.relationships.load((self.record.id, rel_type, direction.value))
        at = common.page_window(info, len(found), first, after)
        return Connection.of([Relationship.from_record(r) for r in found[at.start:at.end]],  # type: ignore[arg-type]
                             at)

    # -- graph queries answered by the store ---------------------------------------------

    @strawberry.field(description=f"Chains of holdings up to this party's owners (UP) or down "
                                  f"to its holdings (DOWN), 1 to `maxHops` steps (at most "
                                  f"{MAX_HOPS}). Answered by the store.")
    async def ownership_chains(
            self, info: Info,
            direction: Annotated[ChainDirection, strawberry.argument(
                description="UP: towards the owners; DOWN: towards the holdings.")
            ] = ChainDirection.UP,
            max_hops: Annotated[int, strawberry.argument(
                description=f"The longest chain listed, in OWNS steps: 1 to {MAX_HOPS}; "
                            f"anything else is refused.")] = 4) -> list[Path]:
        _check_hops(max_hops)
        context = common.context(info)
        store, as_of = context.store(), context.snapshot.as_of
        chains = await run_in_threadpool(store.ownership_chains, self.record.id, direction.value,
                                         max_hops, as_of=as_of)
        return [Path.along(chain, self.record.id) for chain in chains]

    @strawberry.field(description=f"The parties within `hops` steps (1 to {MAX_HOPS}) and the "
                                  f"relationships among them. Answered by the store.")
    async def neighbourhood(
            self, info: Info,
            hops: Annotated[int, strawberry.argument(
                description=f"How far to reach, in relationships (steps) of any type and "
                            f"direction from this party: 1 to {MAX_HOPS}; anything else is "
                            f"refused.")] = 1) -> Subgraph:
        _check_hops(hops)
        context = common.context(info)
        store, as_of = context.store(), context.snapshot.as_of
        found = await run_in_threadpool(store.neighbourhood, self.record.id, hops, as_of=as_of)
        return Subgraph.of(found, context.settings.max_page_size * 10)

    @strawberry.field(description="Provenance date of a public record (GLEIF, BODS).")
    def statement_date(self) -> date | None:
        return self.record.statement_date


def _check_hops(hops: int) -> None:
    if not 1 <= hops <= MAX_HOPS:
        raise BadRequest(f"hops must be between 1 and {MAX_HOPS}, got {hops}")
