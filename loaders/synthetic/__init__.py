"""The seeded sample-portfolio generator (:func:`generate_portfolio`)."""

from loaders.synthetic.portfolio import (
    DEFAULT_AS_OF,
    ENTITY_COLUMNS,
    FACILITY_COLUMNS,
    GROUP_COLUMNS,
    MIN_PARTIES,
    RELATIONSHIP_COLUMNS,
    PortfolioSummary,
    generate_portfolio,
)

__all__ = [
    "DEFAULT_AS_OF",
    "ENTITY_COLUMNS",
    "FACILITY_COLUMNS",
    "GROUP_COLUMNS",
    "MIN_PARTIES",
    "RELATIONSHIP_COLUMNS",
    "PortfolioSummary",
    "generate_portfolio",
]
