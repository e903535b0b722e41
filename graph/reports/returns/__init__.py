"""The large-exposure returns of R20 as data: the parts a regime file defines
(:mod:`.definition`), filled from an analysis (:mod:`.build`).

>>> from graph.analysis import analyse
>>> from schema.records import Bank, Dataset, Entity, Facility
>>> book = Dataset(Bank("B", "CNY", 1000.0, 1200.0, regime="BASEL"),
...                {"A": Entity("A", "A Ltd", "company")}, (), (Facility("F1", "A", 30.0),))
>>> [(p.key, len(p.rows)) for p in build_returns(analyse(book)).parts]
[('after_mitigation', 0), ('before_mitigation', 0), ('exempt', 0), ('largest_20', 1)]
"""

from graph.reports.returns.build import ReturnFigures, Returns, ReturnTable, build_returns, figures_of
from graph.reports.returns.definition import InvalidReturns, read_definition

__all__ = ["InvalidReturns", "ReturnFigures", "ReturnTable", "Returns", "build_returns", "figures_of",
           "read_definition"]
