"""The seeded sample-portfolio generator: realistic synthetic bank portfolios, written as a
dataset folder.

:func:`generate_portfolio` writes ``entities.csv``, ``relationships.csv``,
``facilities.csv``, ``groups.csv`` and ``bank.toml`` (DESIGN section 2), and
``underlyings.csv``, ``collateral.csv`` and ``product_parties.csv`` (DESIGN 3b), for exactly
``parties`` entities (companies, persons, a few bank counterparties and the other parties
of 3b). The same
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

What DESIGN 3b added (the exposure model, R13-R20) is drawn from a random stream of its own,
so the rows of before stay as they were, but for the last clusters (the parties below are
taken from the same count):

* every entity states its ``counterparty_class``; banks, the larger companies and some
  non-bank financial institutions an external ``rating``;
* every facility its ``category``: loans, bonds in the banking book (``bond``) or the
  trading book (``trading``), interbank lending to the banks and to non-bank financial
  institutions (securities firms, trust and leasing companies: ``non_bank_fi``, interbank
  under CN-2018 although ``is_bank`` is false), derivatives (``counterparty``, the bank's
  EAD), off-balance items (notional and ccf) and other claims on a few per hundred
  companies, and one holding in about every 200th party, an asset-management product or a
  securitisation (``am_product``, ``abs``), 30-60% of it known by look-through
  (``underlyings.csv``, some obligors not known) and with its manager, originator and
  liquidity provider (``product_parties.csv``);
* collateral on about 4% of facilities (``collateral.csv``), of every kind of the model:
  deposits, cash and gold; government bonds, central bank bills, policy bank bonds and bank
  bonds, each naming its issuer (the sovereign 中华人民共和国财政部, 中国人民银行, 国家开发银行,
  the bank counterparties); real estate (most individual loans with collateral are
  mortgages), receivables, equity and other;
* the state: the bank holds government bonds (an exempt exposure, R13), central bank bills
  and policy bank bonds; one holding company in four is state-owned, controlled by a state
  asset agency (国资委, class ``state_asset_agency``) by a majority stake or a mandate, so
  that one agency controls companies of many groups, which R17 keeps apart.

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
:mod:`.facilities`     the bank's facilities and their exposure, the claims beyond loans
:mod:`.collateral`     collateral of every kind
:mod:`.products`       asset-management products and securitisations, looked through
:mod:`.state`          the sovereign, the central bank, a policy bank, the 国资委
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
