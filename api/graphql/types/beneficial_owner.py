"""``BeneficialOwner``: a person who is a beneficial owner (受益所有人) of a company (R18)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.types.enums import BeneficialOwnerBasis

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["BeneficialOwner"]


@strawberry.type(description="A beneficial owner of a company (R18), with why and how much.")
class BeneficialOwner:
    person: Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] = strawberry.field(
        description="The natural person.")
    basis: BeneficialOwnerBasis = strawberry.field(
        description="The first basis that applies: ownership, control, senior manager.")
    share: float | None = strawberry.field(
        description="The person's integrated ownership of the company (R2), 0 when none; null "
                    "where it is not defined (through a ring of companies holding all of one "
                    "another).")
