"""The risk rules on an analysed book: limits (R8), concentration (R9), circles (R10),
contagion (R11, R12) and suspected links.

:func:`assess` runs them together; the modules beside it hold one rule each.
"""

from graph.risk.assessment import RiskAssessment, assess

__all__ = ["RiskAssessment", "assess"]
