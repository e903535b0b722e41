"""Exempt counterparties (rule R13, DESIGN 3b).

A party is exempt when its counterparty class (:meth:`schema.regime.Regime.class_of`) and
record meet one of the regime's ``[[exemptions]]``: the ``class`` matches, the ``country``
(if the exemption names one) equals the entity's ``country``, and the entity's ``rating``
is ``min_rating`` or better on the regime's ``rating_scale`` (if the exemption names one;
an unrated party, or a rating off the scale, does not meet it). Exposure to an exempt party,
including what mitigation moved onto it (R16), is 可豁免: left out of limit checks and of
large-exposure status, counted in the totals.

CN-2018 exempts China's central government, the PBOC and the policy banks (country ``CN``),
sovereigns and central banks rated AA- or better, and multilaterals (BIS, IMF):

>>> from schema.records import Entity
>>> from schema.regime import load_regime
>>> cn = load_regime("CN-2018")
>>> mof = Entity("MOF", "财政部", "company", country="CN", counterparty_class="sovereign")
>>> us = Entity("UST", "US Treasury", "company", country="US", counterparty_class="sovereign",
...             rating="AA+")
>>> xx = Entity("XX", "Another state", "company", country="XX", counterparty_class="sovereign",
...             rating="A+")
>>> [is_exempt(e, cn) for e in (mof, us, xx, Entity("C", "A company", "company"))]
[True, True, False, False]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from schema.records import Entity
from schema.regime import Regime

__all__ = ["exempt_parties", "exemption_of", "is_exempt"]


def exemption_of(entity: Entity, regime: Regime) -> dict[str, Any] | None:
    """The first of the regime's exemptions ``entity`` meets (file order), or None."""
    if not regime.exemptions:
        return None
    cls = regime.class_of(entity.kind, entity.is_bank, entity.counterparty_class)
    scale = regime.rating_scale
    for exemption in regime.exemptions:
        if exemption["class"] != cls:
            continue
        if "country" in exemption and exemption["country"] != entity.country:
            continue
        if "min_rating" in exemption:
            if entity.rating not in scale:
                continue
            if scale.index(entity.rating) > scale.index(exemption["min_rating"]):
                continue
        return exemption
    return None


def is_exempt(entity: Entity, regime: Regime) -> bool:
    """Whether exposure to ``entity`` is exempt under ``regime`` (R13)."""
    return exemption_of(entity, regime) is not None


def exempt_parties(parties: Sequence[str], entities: Mapping[str, Entity] | None,
                   regime: Regime) -> np.ndarray:
    """Whether each of ``parties`` is exempt; a party ``entities`` does not hold is not.

    Only the classes the exemptions name are looked at closely, so a book of companies
    costs one class lookup per party.
    """
    exempt = np.zeros(len(parties), dtype=bool)
    if entities is None or not regime.exemptions:
        return exempt
    classes = {e["class"] for e in regime.exemptions}
    # a party of no class of its own and no bank is corporate or individual: decided once
    plain = {kind: regime.class_of(kind, False, None) in classes for kind in ("company", "person")}
    records = list(map(entities.get, parties))
    maybe = [k for k, e in enumerate(records) if e is not None and (
        e.counterparty_class is not None or e.is_bank or plain.get(e.kind, True))]
    for k in maybe:
        exempt[k] = is_exempt(records[k], regime)
    return exempt
