"""Helpers the types share: the request context, and entities through the loader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from api.context import Context
from api.snapshot import Snapshot

if TYPE_CHECKING:
    from api.types.entity import Entity

__all__ = ["context", "entities", "entity", "snapshot"]


def context(info: Info[Any, Any]) -> Context:
    return info.context


def snapshot(info: Info[Any, Any]) -> Snapshot:
    return info.context.snapshot


async def entity(info: Info[Any, Any], entity_id: str) -> Entity | None:
    """The ``Entity`` of ``entity_id`` through the request's loader (None if unknown)."""
    from api.types.entity import Entity

    record = await context(info).loaders.entity.load(entity_id)
    return Entity.from_record(record) if record is not None else None


async def entities(info: Info[Any, Any], ids: Sequence[str]) -> list[Entity]:
    """The ``Entity`` of each id that exists, in order, in one loader batch."""
    from api.types.entity import Entity

    return [Entity.from_record(r) for r in await context(info).loaders.entities(ids)]
