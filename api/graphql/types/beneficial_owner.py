"""``BeneficialOwner``: a person who is a beneficial owner (受益所有人) of a company (R18).

``basis`` is text, as DESIGN section 7 names it: one of :data:`graph.analysis.owners.BASES`
(``ownership``, ``control``, ``senior_manager``), the first that applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from graph.analysis.owners import BASES

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["BeneficialOwner", "beneficial_owners"]


@strawberry.type(description="A beneficial owner of a company (R18), with why and how much.")
class BeneficialOwner:
    person: Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] = strawberry.field(
        description="The natural person.")
    basis: str = strawberry.field(
        description=f"The first basis that applies: {', '.join(BASES)} (at least the "
                    f"threshold by integrated ownership; a member of a unit that controls the "
                    f"company; else its legal representative, chairman or CEO).")
    share: float | None = strawberry.field(
        description="The person's integrated ownership of the company (R2), 0 when none; null "
                    "where it is not defined (through a ring of companies holding all of one "
                    "another).")


async def beneficial_owners(info: Info[Any, Any], company_id: str) -> list[BeneficialOwner]:
    """The beneficial owners of ``company_id`` through the request's loaders (empty for a
    person or an unknown id), each person in the same entity batch."""
    found = await common.context(info).loaders.beneficial_owners.load(company_id)
    people = {e.record.id: e for e in await common.entities(info, [o.person for o in found])}
    return [BeneficialOwner(person=people[o.person], basis=o.basis, share=o.share)
            for o in found]
