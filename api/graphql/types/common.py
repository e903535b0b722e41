"""Helpers the types share: the request context, entities through the loader, and the
look-ahead that lets lists fill the loaders for their items.

Batching with DataLoaders alone makes every nested look-up an awaitable: one future and
one coroutine per item and field, which costs more than the look-up itself. So a resolver
that returns a list (a page of members, of search results, of groups) first asks the
loaders, in one batch per kind, for what the query selects on its items
(:func:`prefetch_entities`, :func:`prefetch_groups`); the items' resolvers then find the
answer already in the loader's cache and return it at once (:func:`via`), and fall back to
an ordinary ``load`` when they are reached some other way. Parents at the same level issue
their prefetches in the same tick, so the DataLoaders still batch them across parents: the
number of snapshot calls stays bounded whatever the page size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from api.graphql.context import Context
from api.graphql.snapshot import Snapshot

if TYPE_CHECKING:
    from api.graphql.types.connection import Connection, Window
    from api.graphql.types.entity import Entity
    from api.graphql.types.exposure import Exposure

__all__ = ["context", "entities", "entity", "entity_page", "exposure_via", "page_window",
           "prefetch_entities", "prefetch_groups", "selected", "snapshot", "via"]

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def context(info: Info[Any, Any]) -> Context:
    return info.context


def snapshot(info: Info[Any, Any]) -> Snapshot:
    return info.context.snapshot


async def entity(info: Info[Any, Any], entity_id: str) -> Entity | None:
    """The ``Entity`` of ``entity_id`` through the request's loader (None if unknown)."""
    from api.graphql.types.entity import Entity

    record = await context(info).loaders.entity.load(entity_id)
    return Entity.from_record(record) if record is not None else None


async def entities(info: Info[Any, Any], ids: Sequence[str], *path: str) -> list[Entity]:
    """The ``Entity`` of each id that exists, in order, in one loader batch; with what the
    query selects on them (below ``path``) prefetched."""
    from api.graphql.types.entity import Entity

    found = [Entity.from_record(r) for r in await context(info).loaders.entities(ids)]
    await prefetch_entities(info, [e.record.id for e in found], *path)
    return found


async def entity_page(info: Info[Any, Any], ids: Sequence[str], first: int | None,
                      after: str | None) -> Connection[Entity]:
    """One page of the entities ``ids`` as a connection, with what the query selects on its
    nodes prefetched; the page size is bounded by the settings."""
    from api.graphql.types.connection import Connection

    at = page_window(info, len(ids), first, after)
    nodes = await entities(info, ids[at.start:at.end], "edges", "node")
    return Connection.of(nodes, at)  # type: ignore[arg-type]


def page_window(info: Info[Any, Any], total: int, first: int | None, after: str | None
                ) -> Window:
    """The page ``first``/``after`` of a list of ``total`` items, within the server's
    maximum page size, its cursors of the dataset served."""
    from api.graphql.types.connection import window

    return window(total, first, after, context(info).settings.max_page_size,
                  snapshot(info).version)


def exposure_via(info: Info[Any, Any], loader: DataLoader[str, Any], key: str, *,
                 is_group: bool = False) -> Exposure | Awaitable[Exposure]:
    """The ``Exposure`` (in the bank's currency, with its share of tier 1) that ``loader``
    holds for ``key``: a party's, or with ``is_group`` a group's."""
    from api.graphql.types.exposure import Exposure

    bank = snapshot(info).dataset.bank
    return via(loader, key, lambda found: Exposure.of(
        found, bank.base_currency, bank.tier1_capital, subject=key, is_group=is_group))


def via(loader: DataLoader[K, V], key: K, convert: Callable[[V], R]) -> R | Awaitable[R]:
    """``convert`` of the loader's value for ``key``: at once when the loader already holds
    it, else an awaitable that loads it (batched with the others)."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() \
            and future.exception() is None:
        return convert(future.result())

    async def load() -> R:
        return convert(await loader.load(key))

    return load()


def _fields(selections: Iterable[Any]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)


def selected(info: Info[Any, Any], *path: str) -> set[str]:
    """Names of the fields the query selects below the current field, along ``path``
    (e.g. ``edges``, ``node`` for a connection's items), through fragments."""
    level = list(_fields(info.selected_fields))
    for name in path:
        level = [child for field in level for child in _fields(field.selections)
                 if child.name == name]
    return {child.name for field in level for child in _fields(field.selections)}


async def prefetch_entities(info: Info[Any, Any], ids: Sequence[str], *path: str) -> None:
    """Fill the loaders for what the query selects on the entities ``ids``."""
    if not ids:
        return
    wanted = selected(info, *path)
    loaders = context(info).loaders
    chosen = [loader for name, loader in (
        ("exposure", loaders.exposure), ("flags", loaders.flags), ("group", loaders.group_of),
        ("limitChecks", loaders.limit_checks), ("facilities", loaders.facilities),
        ("ultimateControllers", loaders.ultimate_controllers),
        ("beneficialOwners", loaders.beneficial_owners)) if name in wanted]
    if chosen:
        await asyncio.gather(*(loader.load_many(list(ids)) for loader in chosen))


async def prefetch_groups(info: Info[Any, Any], ids: Sequence[str], *path: str) -> None:
    """Fill the loaders for what the query selects on the groups ``ids``."""
    if not ids:
        return
    wanted = selected(info, *path)
    loaders = context(info).loaders
    chosen = [loader for name, loader in (
        ("exposure", loaders.group_exposure), ("flags", loaders.flags),
        ("limitRatio", loaders.limit_usage), ("limitChecks", loaders.limit_checks))
        if name in wanted]
    if chosen:
        await asyncio.gather(*(loader.load_many(list(ids)) for loader in chosen))
