"""The GraphQL schema: ``Query`` (the core of DESIGN section 5 and what a consumer needs
around it), ``Mutation`` (``reload``), and the protective extensions.

Resolvers are async. Lookups go through the request's DataLoaders (:mod:`api.graphql.dataloaders`);
whole-book computations (search, ordering, integrated ownership, contagion) and store
queries (paths) run in the threadpool so they never block the event loop.

Protection (:func:`build_schema`): query depth, token and alias limits (Strawberry's
``QueryDepthLimiter``, ``MaxTokensLimiter``, ``MaxAliasesLimiter``), a limit on the objects
an answer may hold (:class:`api.graphql.cost.MaxCostLimiter`), internal errors masked
with a request id (:func:`api.graphql.errors.mask_internal_errors`), introspection off when the
settings say so (``DisableIntrospection``, and then no "Did you mean ...?" hints in error
messages), parsing and validation cached.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, Info

from api.graphql.cost import BoundedValidation, MaxCostLimiter
from api.graphql.errors import (
    BadRequest,
    NotFound,
    add_codes,
    hide_suggestions,
    log_errors,
    mask_internal_errors,
)
from api.graphql.types import common
from api.graphql.types.beneficial_owner import BeneficialOwner, beneficial_owners
from api.graphql.types.concentration import Concentration
from api.graphql.types.connection import PAGE_LIMIT, After, Connection, First
from api.graphql.types.contagion import Contagion
from api.graphql.types.dataset_info import DatasetInfo
from api.graphql.types.entity import Entity
from api.graphql.types.enums import ContagionModel, Dimension, GroupOrder, RiskFlagCode
from api.graphql.types.group import Group
from api.graphql.types.guarantee_circle import GuaranteeCircle
from api.graphql.types.headroom import Headroom
from api.graphql.types.large_exposure import LargeExposure
from api.graphql.types.path import Path
from api.graphql.types.return_table import ReturnTable
from api.graphql.types.what_if import ProposedFacility, WhatIf
from graph.reports.returns import InvalidReturns
from graph.stores.queries import MAX_HOPS

if TYPE_CHECKING:   # the server's settings; GraphQL takes them, never imports the server
    from api.server.settings import Settings

__all__ = ["GroupGraphSchema", "Mutation", "Query", "build_schema"]

MAX_DEFAULTED = 1000
"""The most initial defaults one contagion scenario may start from."""

MAX_PROPOSALS = 50
"""The most proposed facilities one what-if may add."""


def _known(info: Info, *ids: str) -> None:
    entities = common.snapshot(info).dataset.entities
    unknown = [i for i in ids if i not in entities]
    if unknown:
        raise BadRequest(f"unknown entity id(s): {', '.join(unknown[:20])}")


@strawberry.type(description="Questions about the book: parties, groups, exposures, paths, "
                             "concentration, guarantee circles, contagion.")
class Query:
    @strawberry.field(description="The party with this id, or null.")
    async def entity(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="A party id (`Entity.id`: the bank's id of the party).")]
                     ) -> Entity | None:
        return await common.entity(info, str(id))

    @strawberry.field(description="The parties with these ids, in order (null for an unknown "
                                  "id); at most the maximum page size at a time.")
    async def entities(self, info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(
            description=f"Party ids (`Entity.id`), at most {PAGE_LIMIT}; the answer has one "
                        f"entry per id, in this order.")]) -> list[Entity | None]:
        limit = common.context(info).settings.max_page_size
        if len(ids) > limit:
            raise BadRequest(f"at most {limit} ids at a time, got {len(ids)}")
        found = await common.context(info).loaders.entity.load_many([str(i) for i in ids])
        await common.prefetch_entities(info, [r.id for r in found if r is not None])
        return [Entity.from_record(r) if r is not None else None for r in found]

    @strawberry.field(description="Parties whose id, name (Chinese or Latin, any part, case "
                                  "and full-width forms ignored), registration id or LEI "
                                  "contains `query`. Exact id, registration id or LEI first, "
                                  "then exact names, then names starting with the query.")
    async def search_entities(
            self, info: Info,
            query: Annotated[str, strawberry.argument(
                description="The text to look for, at most 200 characters; a blank query "
                            "finds nothing.")],
            first: First = 20, after: After = None) -> Connection[Entity]:
        if len(query) > 200:
            raise BadRequest("query must be at most 200 characters")
        ids = await run_in_threadpool(common.snapshot(info).search, query)
        return await common.entity_page(info, ids, first, after)

    @strawberry.field(description="Groups of connected clients, ranked (default: largest gross "
                                  "exposure first). `minSize` keeps groups of at least that "
                                  "many members; `flag` those carrying that flag.")
    async def groups(
            self, info: Info, first: First = 20, after: After = None,
            order_by: Annotated[GroupOrder | None, strawberry.argument(
                description="How the groups are ranked, ties by group id; null means "
                            "EXPOSURE_DESC.")] = GroupOrder.EXPOSURE_DESC,
            min_size: Annotated[int | None, strawberry.argument(
                description="Keep only groups of at least this many members (persons "
                            "included): 1 or more, null means 1.")] = 1,
            flag: Annotated[RiskFlagCode | None, strawberry.argument(
                description="Keep only groups carrying this flag in `Group.flags`; null keeps "
                            "every group.")] = None
            ) -> Connection[Group]:
        snapshot = common.snapshot(info)
        order = (order_by or GroupOrder.EXPOSURE_DESC).value
        min_size = 1 if min_size is None else min_size
        if min_size < 1:
            raise BadRequest(f"minSize must be at least 1, got {min_size}")
        ids = await run_in_threadpool(snapshot.group_ids, order, min_size,
                                      flag.value if flag else None)
        at = common.page_window(info, len(ids), first, after)
        page = list(ids[at.start:at.end])
        found = await common.context(info).loaders.group.load_many(page)
        await common.prefetch_groups(info, page, "edges", "node")
        return Connection.of([Group.from_record(g) for g in found if g is not None], at)  # type: ignore[arg-type]

    @strawberry.field(description="The group with this id (G...), or null.")
    async def group(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="A group id (`Group.id`, G...): derived from the members, so the same "
                        "data gives the same id.")]) -> Group | None:
        found = await common.context(info).loaders.group.load(str(id))
        return Group.from_record(found) if found is not None else None

    @strawberry.field(description="The group the party `entityId` belongs to, or null for an "
                                  "unknown party.")
    async def group_of(self, info: Info, entity_id: Annotated[strawberry.ID, strawberry.argument(
            description="A party id (`Entity.id`).")]) -> Group | None:
        found = await common.context(info).loaders.group_of.load(str(entity_id))
        return Group.from_record(found) if found is not None else None

    @strawberry.field(description="Integrated ownership of `ownerId` in `ownedId` (R2): the sum "
                                  "over every chain of holdings of the product of the shares, "
                                  "A(I - A)^-1. Null, with an error saying why, where it is not "
                                  "defined: through a ring of companies holding all of one "
                                  "another.")
    async def integrated_ownership(
            self, info: Info,
            owner_id: Annotated[strawberry.ID, strawberry.argument(
                description="The holder: a party id (`Entity.id`); an unknown id is "
                            "refused.")],
            owned_id: Annotated[strawberry.ID, strawberry.argument(
                description="The company held: a party id (`Entity.id`); an unknown id is "
                            "refused.")]) -> float | None:
        # nullable so that the error of an undefined ownership leaves the rest of the answer
        _known(info, str(owner_id), str(owned_id))
        return await run_in_threadpool(common.snapshot(info).integrated_ownership,
                                       str(owner_id), str(owned_id))

    @strawberry.field(description=f"Every shortest connection between two parties over current "
                                  f"relationships of any type, in either direction, of at most "
                                  f"`maxHops` steps (1 to {MAX_HOPS}); empty when none is that "
                                  f"short. Answered by the store (Cypher on Neo4j).")
    async def paths(
            self, info: Info,
            from_id: Annotated[strawberry.ID, strawberry.argument(
                description="The party the paths start from (`Entity.id`); each path is listed "
                            "from it. An unknown id is refused.")],
            to_id: Annotated[strawberry.ID, strawberry.argument(
                description="The party the paths end at (`Entity.id`); an unknown id is "
                            "refused.")],
            max_hops: Annotated[int | None, strawberry.argument(
                description=f"The longest connection wanted, in relationships (steps): 1 to "
                            f"{MAX_HOPS}, null means 4; anything else is refused.")] = 4
            ) -> list[Path]:
        max_hops = 4 if max_hops is None else max_hops
        if not 1 <= max_hops <= MAX_HOPS:
            raise BadRequest(f"maxHops must be between 1 and {MAX_HOPS}, got {max_hops}")
        _known(info, str(from_id), str(to_id))
        context = common.context(info)
        store, as_of = context.store(), context.snapshot.as_of
        found = await run_in_threadpool(store.paths, str(from_id), str(to_id), max_hops,
                                        as_of=as_of)
        return [Path.along(p, str(from_id)) for p in found]

    @strawberry.field(description="Every large exposure (R8) to a party or a group of two or "
                                  "more, largest first.")
    def large_exposures(self, info: Info) -> list[LargeExposure]:
        return [LargeExposure(record=f) for f in common.snapshot(info).large_exposures]

    @strawberry.field(description="Concentration of gross exposure (R9) by group, industry or "
                                  "region: HHI and the share of the `top` largest buckets.")
    async def concentration(
            self, info: Info,
            dimension: Annotated[Dimension | None, strawberry.argument(
                description="What the book is split into buckets by; null means "
                            "GROUP.")] = Dimension.GROUP,
            top: Annotated[int | None, strawberry.argument(
                description=f"How many of the largest buckets `topShare` and `items` cover: 1 "
                            f"to {PAGE_LIMIT}; null means 10.")] = 10) -> Concentration:
        dimension = dimension or Dimension.GROUP
        top = 10 if top is None else top
        limit = common.context(info).settings.max_page_size
        if not 1 <= top <= limit:
            raise BadRequest(f"top must be between 1 and {limit}, got {top}")
        found = await run_in_threadpool(common.snapshot(info).concentration, dimension.value, top)
        return Concentration(record=found)

    @strawberry.field(description="Every guarantee circle (担保圈, R10), largest first.")
    def guarantee_circles(self, info: Info) -> list[GuaranteeCircle]:
        return [GuaranteeCircle(record=c) for c in common.snapshot(info).circles]

    @strawberry.field(description="What the default of `defaulted` sets off: the guarantee-call "
                                  "cascade (R11), and with model DEBTRANK also DebtRank (R12).")
    async def contagion(
            self, info: Info,
            defaulted: Annotated[list[strawberry.ID], strawberry.argument(
                description=f"The parties (`Entity.id`) that default first, in round 0: 1 to "
                            f"{MAX_DEFAULTED} distinct ids (repeats count once); an unknown id "
                            f"is refused.")],
            model: Annotated[ContagionModel | None, strawberry.argument(
                description="Which contagion model to run; null means CASCADE.")
            ] = ContagionModel.CASCADE) -> Contagion:
        model = model or ContagionModel.CASCADE
        initial = list(dict.fromkeys(str(d) for d in defaulted))
        if not initial:
            raise BadRequest("defaulted must name at least one entity id")
        if len(initial) > MAX_DEFAULTED:
            raise BadRequest(f"at most {MAX_DEFAULTED} initial defaults, got {len(initial)}")
        _known(info, *initial)
        found = await run_in_threadpool(common.snapshot(info).contagion, initial,
                                        model is ContagionModel.DEBTRANK)
        return Contagion(result=found, model=model)

    @strawberry.field(description="How much more the party `entityId` may borrow under each "
                                  "limit of it and of its group (R19), and which binds. An "
                                  "unknown party is an error (code NOT_FOUND).")
    def headroom(self, info: Info, entity_id: Annotated[strawberry.ID, strawberry.argument(
            description="A party id (`Entity.id`).")]) -> Headroom:
        found = common.snapshot(info).headroom(str(entity_id))
        if found is None:
            raise NotFound(f"no party has the id {str(entity_id)!r}")
        return Headroom(record=found)

    @strawberry.field(description="The limit checks and flags the book would have with the "
                                  "proposed facilities added (R19), before and after, for every "
                                  "party and group they touch. Computed on a copy of the served "
                                  "book: nothing is stored. Bad proposals are refused whole, "
                                  "each problem naming the proposal (from 1) and the field.")
    async def what_if(
            self, info: Info,
            facilities: Annotated[list[ProposedFacility], strawberry.argument(
                description=f"1 to {MAX_PROPOSALS} proposed facilities, in the columns of "
                            f"facilities.csv.")]) -> WhatIf:
        if not 1 <= len(facilities) <= MAX_PROPOSALS:
            raise BadRequest(f"facilities must hold 1 to {MAX_PROPOSALS} proposals, got "
                             f"{len(facilities)}")
        found = await run_in_threadpool(common.snapshot(info).what_if,
                                        [p.row() for p in facilities])
        return WhatIf(record=found)

    @strawberry.field(description="The beneficial owners (受益所有人, R18) of the company "
                                  "`entityId`, as `Entity.beneficialOwners`: empty for a person; "
                                  "an unknown party is an error (code NOT_FOUND).")
    async def beneficial_owners(
            self, info: Info, entity_id: Annotated[strawberry.ID, strawberry.argument(
                description="A party id (`Entity.id`).")]) -> list[BeneficialOwner]:
        if str(entity_id) not in common.snapshot(info).dataset.entities:
            raise NotFound(f"no party has the id {str(entity_id)!r}")
        return await beneficial_owners(info, str(entity_id))

    @strawberry.field(description="One part of the large-exposure return of the dataset's "
                                  "regime (R20), by its key in the regime file (CN-2018: totals, "
                                  "large_exposure_clients, non_interbank_single, ...; BASEL: "
                                  "after_mitigation, before_mitigation, exempt, largest_20). An "
                                  "unknown part is refused with the list of the known ones.")
    async def return_table(self, info: Info, part: Annotated[str, strawberry.argument(
            description="The part's key, as the regime file's [returns] table names it.")]
                           ) -> ReturnTable:
        try:
            # the first request fills the return (a walk of the book); later ones read it
            returns = await run_in_threadpool(lambda: common.snapshot(info).returns)
        except InvalidReturns as error:
            raise NotFound(f"the regime defines no return this server can fill: {error}") from None
        known = [p.key for p in returns.parts]
        if part not in known:
            raise BadRequest(f"no return part {part!r}; the parts of {returns.definition.regime} "
                             f"are {', '.join(known)}")
        return ReturnTable(record=returns.part(part))

    @strawberry.field(description="The dataset being served: version, bank, regime, analysis "
                                  "date, store, counts.")
    def dataset(self, info: Info) -> DatasetInfo:
        return DatasetInfo(snapshot=common.snapshot(info))


@strawberry.type(description="Changes. Only an API key of the loader role may call them.")
class Mutation:
    @strawberry.mutation(description="Load a dataset folder and/or GLEIF and BODS files into "
                                     "the store, as `groupgraph load` does (each under one of "
                                     "the server's reload roots; a relative path is taken from "
                                     "the first), then analyse the store again and serve it. "
                                     "Without a path, re-read the store (after a `groupgraph "
                                     "load`). Bad input is refused whole with every problem "
                                     "listed; the dataset served stays as it was.")
    async def reload(self, info: Info, path: Annotated[str | None, strawberry.argument(
            description="A dataset folder (entities.csv, relationships.csv, ...) or a GLEIF or "
                        "BODS file under one of the server's reload roots "
                        "(GROUPGRAPH_RELOAD_ROOTS); a relative path is taken from the first "
                        "root. Null, with no `paths`, re-reads the store.")] = None,
                     paths: Annotated[list[str] | None, strawberry.argument(
            description="Several paths loaded together, as `groupgraph load PATH...` takes "
                        "them: at most one dataset folder, GLEIF LEI-CDF and RR-CDF files, BODS "
                        "files. Given with `path`, both are loaded.")] = None
                     ) -> DatasetInfo:
        context = common.context(info)
        context.require_loader()
        every = ([path] if path is not None else []) + list(paths or ())
        snapshot = await run_in_threadpool(context.state.reload, every)
        return DatasetInfo(snapshot=snapshot)


class GroupGraphSchema(strawberry.Schema):
    """A Strawberry schema that logs errors with the request id (internal ones with their
    traceback), then hides the internal ones from the client
    (:func:`api.graphql.errors.mask_internal_errors`).
    With ``hide_suggestions`` (introspection off) it first cuts the "Did you mean ...?" hints
    from every error message, which would otherwise reveal names of the schema."""

    def __init__(self, *args: Any, hide_suggestions: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hide_suggestions = hide_suggestions

    def process_errors(self, errors: list[Any],
                       execution_context: ExecutionContext | None = None) -> None:
        if self.hide_suggestions:
            hide_suggestions(errors)
        context = execution_context.context if execution_context else None
        add_codes(errors)
        log_errors(errors, context)
        mask_internal_errors(errors, context)


class CycleFreeExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution context that lets go of itself once the response is built.

    graphql-core keeps bound methods of the context on the context (``async_helpers``), a
    reference cycle that holds a request's whole state (its loaders, their futures and
    records) until the collector's next full pass. Under load those passes freed tens of
    thousands of objects at once and stalled every request in flight for 20-30 ms (the p99
    of ``groupOf`` showed it). With the cycle broken, reference counting frees a request's
    objects as soon as its response is built.
    """

    def build_response(self, data: dict[str, Any] | None) -> Any:
        try:
            return super().build_response(data)
        finally:
            self.async_helpers = None  # type: ignore[assignment]


def _per_request(prototype: SchemaExtension) -> Callable[[], SchemaExtension]:
    """A factory of copies of ``prototype``: a fresh extension per operation that shares the
    prototype's validation rule classes, so the validation cache recognises them."""
    return lambda: copy.copy(prototype)


def build_schema(settings: Settings) -> GroupGraphSchema:
    """The schema with the limits of ``settings``."""
    extensions: list[Callable[[], SchemaExtension]] = [
        _per_request(MaxTokensLimiter(max_token_count=settings.max_tokens)),
        _per_request(QueryDepthLimiter(max_depth=settings.max_depth)),
        _per_request(MaxAliasesLimiter(max_alias_count=settings.max_aliases)),
    ]
    if not settings.introspection:
        extensions.append(_per_request(DisableIntrospection()))
    extensions += [
        lambda: ParserCache(maxsize=256),
        lambda: BoundedValidation(max_fields=settings.max_fields, maxsize=256),
        lambda: MaxCostLimiter(max_cost=settings.max_cost,
                               max_page_size=settings.max_page_size),
    ]
    return GroupGraphSchema(query=Query, mutation=Mutation, extensions=extensions,
                            execution_context_class=CycleFreeExecutionContext,
                            hide_suggestions=not settings.introspection)
