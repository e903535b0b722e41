"""The rules on one dataset: ownership (R2), control (R3-R5), groups (R6), exposure (R7).

:func:`analyse` runs them together; the modules beside it hold one rule each.
"""

from graph.analysis.analysis import Analysis, analyse

__all__ = ["Analysis", "analyse"]
