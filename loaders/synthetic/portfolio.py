"""Write a seeded sample portfolio as a dataset folder: :func:`generate_portfolio`.

It opens the tables, writes the showcase clusters (:mod:`.showcase`), then random clusters
and single parties until ``parties`` entities are written (less those written last), with
the links between them; then it picks tier 1 capital from the book (:mod:`.calibration`),
adds the bank counterparties, the state's parties (:mod:`.state`), the non-bank financial
institutions, the product holdings (:mod:`.products`) and the claims beyond loans, all
sized from tier 1, and writes ``bank.toml``. How a portfolio is built: :mod:`loaders.synthetic`.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from loaders.synthetic.book import TABLES, Book, Table
from loaders.synthetic.calibration import REGIME
from loaders.synthetic.clusters import cluster, cluster_spec, singleton
from loaders.synthetic.facilities import FX, other_claims
from loaders.synthetic.links import cross_links, remember
from loaders.synthetic.parties import bank_counterparties, fi_count, financial_institutions
from loaders.synthetic.products import product_count, products
from loaders.synthetic.showcase import MIN_PARTIES, showcase
from loaders.synthetic.state import state_count, state_parties

__all__ = ["DEFAULT_AS_OF", "PortfolioSummary", "generate_portfolio"]

DEFAULT_AS_OF = date(2024, 12, 31)
"""The reference date used when ``as_of`` is not given: historical rows end before it."""


@dataclass(frozen=True)
class PortfolioSummary:
    """What :func:`generate_portfolio` wrote.

    Attributes
    ----------
    folder : Path
        The dataset folder.
    entities, companies, persons, banks : int
        Entity rows; ``companies`` includes the ``banks`` (interbank counterparties), the
        state's parties, the non-bank financial institutions and the product vehicles.
    relationships : dict of str to int
        Relationship rows by type, every type of DESIGN section 2 present (possibly 0).
    facilities : int
        Facility rows.
    categories : dict of str to int
        Facility rows by category (DESIGN 3b), only those present.
    underlyings, collateral, product_parties : int
        Rows of ``underlyings.csv``, ``collateral.csv`` and ``product_parties.csv``.
    declared_groups, declared_members : int
        Groups and member rows of ``groups.csv``.
    tier1_capital : int
        The tier 1 capital written to ``bank.toml``, in CNY.
    """

    folder: Path
    entities: int
    companies: int
    persons: int
    banks: int
    relationships: dict[str, int]
    facilities: int
    categories: dict[str, int]
    underlyings: int
    collateral: int
    product_parties: int
    declared_groups: int
    declared_members: int
    tier1_capital: int

    @property
    def relationship_rows(self) -> int:
        """All relationship rows."""
        return sum(self.relationships.values())


def generate_portfolio(folder: Path, parties: int = 200, seed: int = 7, *,
                       as_of: date | None = None) -> PortfolioSummary:
    """Write a synthetic bank portfolio of about ``parties`` companies and persons.

    Parameters
    ----------
    folder : Path
        The dataset folder; created if missing. ``entities.csv``, ``relationships.csv``,
        ``facilities.csv``, ``groups.csv``, ``underlyings.csv``, ``collateral.csv``,
        ``product_parties.csv`` and ``bank.toml`` in it are overwritten.
    parties : int, default 200
        Number of entity rows (companies, persons, the bank counterparties and the other
        financial and state parties); the portfolio has exactly this many. At least
        :data:`MIN_PARTIES`; a million take well under a minute.
    seed : int, default 7
        Seed of the random draws: the same ``(parties, seed, as_of)`` gives byte-identical
        files.
    as_of : date, optional
        Reference date: historical rows end before it and current rows start before it.
        Default :data:`DEFAULT_AS_OF`, a fixed past date, so that the output does not depend
        on the day it is generated.

    Returns
    -------
    PortfolioSummary
        Counts of what was written.

    Raises
    ------
    ValueError
        If ``parties`` is below :data:`MIN_PARTIES`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = generate_portfolio(Path(tmp), parties=40, seed=1)
    >>> summary.entities, summary.relationships["RELATIVE_OF"] > 0
    (40, True)
    """
    if parties < MIN_PARTIES:
        raise ValueError(f"parties must be at least {MIN_PARTIES}, got {parties}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    as_of = as_of or DEFAULT_AS_OF
    with ExitStack() as stack:
        tables = {
            stem: Table(stack.enter_context(
                (folder / f"{stem}.csv").open("w", encoding="utf-8", newline="")), columns)
            for stem, columns in TABLES.items()
        }
        book = Book(tables, parties, seed, as_of)
        showcase(book)
        last = state_count(parties) + fi_count(parties) + product_count(parties)
        remaining = parties - len(book.banks) - last - book.n_companies - book.n_persons
        cap = max(8, min(5000, parties // 40))
        second_default = parties >= 1000
        while remaining > 0:
            spec = cluster_spec(book, remaining, cap)
            if spec is None:
                company = book.r.chance(0.6)
                status = None
                if company and second_default:
                    status, second_default = "defaulted", False
                singleton(book, company=company, status=status)
                remaining -= 1
                continue
            built = cluster(book, spec)
            cross_links(book, built)
            remember(book, built)
            remaining -= spec.budget
        tier1 = book.largest.tier1()
        bank_counterparties(book, float(tier1))
        state_parties(book, float(tier1))
        financial_institutions(book, float(tier1))
        products(book, float(tier1))
        other_claims(book, float(tier1))
    net_capital = round(tier1 * 1.2)
    fx = "\n".join(f"{code} = {rate:.2f}" for code, rate in FX.items())
    (folder / "bank.toml").write_text(
        f"# Synthetic portfolio (groupgraph loaders.synthetic): parties={parties}, seed={seed},"
        f" as_of={as_of.isoformat()}\n"
        f'name = "示范商业银行股份有限公司 (synthetic)"\n'
        f'base_currency = "CNY"\n'
        f"tier1_capital = {tier1}\n"
        f"net_capital = {net_capital}\n"
        f'regime = "{REGIME.name}"\n'
        f"\n[fx]\n{fx}\n",
        encoding="utf-8", newline="\n")
    others = len(book.banks) + book.n_special + book.n_vehicles
    return PortfolioSummary(
        folder=folder,
        entities=book.n_companies + book.n_persons + others,
        companies=book.n_companies + others,
        persons=book.n_persons,
        banks=len(book.banks),
        relationships=dict(book.counts),
        facilities=book.n_facilities,
        categories=dict(sorted(book.categories.items())),
        underlyings=book.n_underlyings,
        collateral=book.n_collateral,
        product_parties=book.n_product_parties,
        declared_groups=book.n_groups,
        declared_members=book.n_members,
        tier1_capital=tier1,
    )
