"""``Property``: a named value without a field of its own (extra input columns, provenance)."""

from __future__ import annotations

import strawberry

__all__ = ["Property"]


@strawberry.type(description="A named value, as text: a column the model does not know "
                             "(kept from the input), or a field without its own GraphQL field.")
class Property:
    name: str = strawberry.field(description="The column or field name.")
    value: str = strawberry.field(description="The value, as text.")
