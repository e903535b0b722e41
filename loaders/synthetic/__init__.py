"""The seeded sample-portfolio generator: realistic synthetic bank portfolios, written as a
dataset folder.

:func:`generate_portfolio` writes ``entities.csv``, ``relationships.csv``,
``facilities.csv``, ``groups.csv`` and ``bank.toml`` (DESIGN section 2) for exactly
``parties`` entities (companies, persons and a few bank counterparties). The same
``(parties, seed, as_of)`` gives byte-identical files (with the same numpy version: the
draws come from ``numpy.random.default_rng``). Rows are streamed to the CSV writers cluster
by cluster and random numbers are drawn from numpy in blocks, so a million parties take
about half a minute and some 40 MB of memory.

How a portfolio is built
------------------------
The parties come in *clusters*, each one true group of connected clients (DESIGN R6) plus
the outsiders around it (managers, minority investors, joint ventures):

* cluster sizes are heavy-tailed (Lomax/Pareto): many standalone companies and individual
  borrowers, a few conglomerates with thousands of subsidiaries;
* the top of a group is a person, a family of 2-4 relatives (``RELATIVE_OF``) or a holding
  company; below it a tree of subsidiaries 2-4 levels deep with majority stakes, control
  that needs two holders added together (e.g. 30% + 25%), control by agreement, board or VIE
  (``CONTROLS``), exactly-50% joint ventures and minority associates (both *not*
  controlled, so not group members), cross-holdings back into a parent or a sibling, minority
  outside investors, historical (expired) stakes, and sometimes a supplier that depends on
  the group for more than half its revenue (``DEPENDS_ON`` >= 0.5, a group member too);
* between clusters: guarantee chains and circles (担保圈), economic dependence below 0.5,
  and "suspected links" (the person controlling one group manages a company of another);
  none of them merges groups.

Every share is kept in basis points, and the OWNS rows into any company (current and
historical together) sum to at most 99%; outsiders hold at most 49% of any company in all,
so no outsider ever gains control by accident and ``groups.csv`` can state the true groups.
``groups.csv`` declares most groups exactly, with a few deliberate differences (a member
missing, an unrelated standalone company added).

The first clusters are a fixed showcase (a family that controls only with its shares added
together, a 4-level chain, a 50% joint venture, a VIE, a cross-holding, a three-group
guarantee circle whose defaulted member sets off a cascade, a suspected link, an eligible
bank guarantee, ...), so every feature is present even for :data:`MIN_PARTIES` parties.
``tier1_capital`` in ``bank.toml`` is chosen from the generated book (gross exposures with
the CN-2018 product ccfs): the three largest groups at or above the 20% group limit of
CN-2018 and no single party above 25% of tier 1 (so the largest party breaches the 15%
single-party limit: there is always a breach to show), and a handful of parties are large
exposures (above 2.5% of tier 1). Interbank counterparties get 3-20% of tier 1.

Dates: historical rows end before ``as_of``; by default ``as_of`` is the fixed date
:data:`DEFAULT_AS_OF` (not today), so that the output does not change with the calendar and
every row that is current on that date is also current today.

Column names and relationship types are the model's data contract
(``Model.contract_columns``); the CCFs and limits are those of the CN-2018 regime file.

Modules, one job each (the names below are the generator's interface; the modules' own are
its parts):

=====================  ==================================================================
:mod:`.portfolio`      :func:`generate_portfolio`: the run from the showcase to ``bank.toml``
:mod:`.showcase`       the fixed first clusters
:mod:`.clusters`       one cluster: its top, ownership tree, managers, declared group
:mod:`.links`          links between clusters that merge no groups
:mod:`.parties`        persons, families, companies, bank counterparties
:mod:`.facilities`     the bank's facilities and their exposure
:mod:`.calibration`    the regime, the largest exposures and tier 1 capital
:mod:`.book`           the portfolio being written: tables, counters, relationship rows
:mod:`.names`          names and places
:mod:`.draws`          seeded random draws and identifiers with check characters
=====================  ==================================================================
"""


from loaders.synthetic.book import (
    COLLATERAL_COLUMNS,
    ENTITY_COLUMNS,
    FACILITY_COLUMNS,
    GROUP_COLUMNS,
    PRODUCT_PARTY_COLUMNS,
    RELATIONSHIP_COLUMNS,
    UNDERLYING_COLUMNS,
)
from loaders.synthetic.portfolio import DEFAULT_AS_OF, PortfolioSummary, generate_portfolio
from loaders.synthetic.showcase import MIN_PARTIES

__all__ = [
    "COLLATERAL_COLUMNS",
    "DEFAULT_AS_OF",
    "ENTITY_COLUMNS",
    "FACILITY_COLUMNS",
    "GROUP_COLUMNS",
    "MIN_PARTIES",
    "PRODUCT_PARTY_COLUMNS",
    "RELATIONSHIP_COLUMNS",
    "UNDERLYING_COLUMNS",
    "PortfolioSummary",
    "generate_portfolio",
]
