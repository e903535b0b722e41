"""The G14 columns of a facility's exposure value (rule R14, DESIGN 3b).

Each facility's exposure value is split into the six columns of the G14 return, in base
currency (CATEGORIES, in the return's order):

==================  ================================  ===========================================
category            column of the facility's own part  own part
==================  ================================  ===========================================
``loan`` ``bond``   ``general`` (一般风险暴露)            ``outstanding``
``interbank``
``other``           ``other`` (其他风险暴露)              ``outstanding``
``am_product``      ``specific`` (特定风险暴露)           ``outstanding``, allocated by look-through (R15)
``abs``
``trading``         ``trading`` (交易账簿风险暴露)         ``outstanding`` (market value)
``counterparty``    ``counterparty`` (交易对手信用风险暴露)  ``outstanding`` (the bank's EAD)
``off_balance``     ``potential`` (潜在风险暴露)           ``ccf x outstanding`` (the notional)
==================  ================================  ===========================================

Every facility's ``ccf x undrawn`` (a commitment) goes to ``potential`` besides; for an
``off_balance`` item, whose own part is potential already, that makes its value
``ccf x (outstanding + undrawn)``. A facility's value is its own part plus its commitment.
The figures are :func:`schema.measure.facility_arrays`' (the loader checks look-through
amounts against the same values).

The ccf is the facility's own, else the regime's default for its product (R7); a regime's
``ccf_floor`` (BASEL: 10%, LEX30) raises every ccf below it, given or default, since a ccf
only ever converts an off-balance item or a commitment.

>>> column_of(["loan", "off_balance", "abs"]).tolist()
[0, 4, 1]
>>> CATEGORIES[column_of(["other"])[0]]
'other'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from schema.errors import AnalysisError
from schema.measure import LOOKED_THROUGH

__all__ = ["CATEGORIES", "COLUMN", "LOOKED_THROUGH", "POTENTIAL", "UnknownCategory",
           "column_of"]

CATEGORIES = ("general", "specific", "trading", "counterparty", "potential", "other")
"""The six G14 columns, in the return's order; a column's number is its position here."""

COLUMN = {"loan": 0, "bond": 0, "interbank": 0, "am_product": 1, "abs": 1, "trading": 2,
          "counterparty": 3, "off_balance": 4, "other": 5}
"""The column of each facility category's own part (the table above)."""

POTENTIAL = CATEGORIES.index("potential")


class UnknownCategory(AnalysisError):
    """A facility's category is none of the model's (the loader refuses it; a dataset built
    by hand may not)."""


def column_of(categories: Sequence[str]) -> np.ndarray:
    """The column number of each category's own part.

    Raises
    ------
    UnknownCategory
        For a category not in :data:`COLUMN`.
    """
    distinct = dict.fromkeys(categories)
    unknown = [c for c in distinct if c not in COLUMN]
    if unknown:
        raise UnknownCategory(f"facility category {unknown[0]!r}: expected one of "
                              f"{', '.join(COLUMN)}")
    return np.fromiter(map(COLUMN.__getitem__, categories), dtype=np.int8, count=len(categories))
