"""Asset-management products and securitisations the bank holds (DESIGN 3b, R15): the
product vehicles, the bank's holdings, their underlyings and the products' third parties.

About one facility in two hundred is such a holding: a vehicle of class ``am_product`` (资管
计划, 信托计划, 私募基金) or ``abs_vehicle`` (资产支持专项计划, 信贷资产支持证券) borrows one
facility of category ``am_product`` or ``abs``, of which 30-60% is known by look-through
(one to five underlyings, mostly of the book's companies, some with the obligor unknown);
the rest is unidentified. A manager (a non-bank financial institution, now and then a
bank), for a securitisation its originator and now and then a liquidity provider, are the
products' third parties. Written last, once tier 1 is known: the amounts are fractions of
tier 1, around the look-through threshold (CN-2018: 0.15%), so that underlyings fall on
both sides of it.

>>> product_count(40), product_count(1_000_000)
(2, 5002)
"""

from __future__ import annotations

from loaders.synthetic.book import Book, money
from loaders.synthetic.names import root
from loaders.synthetic.parties import fi_count, fi_id

__all__ = ["product_count", "products"]

_AM = (("集合资产管理计划", "asset_management_plan"), ("单一资金信托计划", "trust_plan"),
       ("私募证券投资基金", "private_fund"))
_ABS = (("资产支持专项计划", "abs_senior", "AAA"), ("信贷资产支持证券", "abs_senior", "AAA"),
        ("资产支持专项计划", "abs_mezzanine", "AA"))
_CENTS = 100


def product_count(parties: int) -> int:
    """How many product vehicles a portfolio of ``parties`` has: the showcase's two, and
    one more per 200 parties."""
    return 2 + parties // 200


def products(book: Book, tier1: float) -> None:
    """Write the product vehicles and the bank's holdings in them, with their underlyings
    and third parties; the first two are the showcase's, the others drawn.

    The showcase's amounts are fractions of ``tier1`` (calibrated from the book before):
    an asset-management product of 2% of tier 1 with one underlying of 0.5% (at least the
    0.15% of CN-2018 and the 0.25% of BASEL: an exposure to its obligor under both), one of
    0.1% (below both: it stays an exposure to the product) and 1.4% unidentified (the
    anonymous client); and a securitisation of 1% with two underlyings of unknown obligors
    (0.3% and 0.2%), whose originator and liquidity provider are named."""
    r = book.r2
    featured = book.featured
    am = _vehicle(book, "am_product", f"{root(r)}稳健1号{_AM[0][0]}", tier1 * 0.02,
                  _AM[0][1], "")
    _underlying(book, am, featured["above"], tier1 * 0.005)
    _underlying(book, am, featured["below"], tier1 * 0.001)
    _party(book, am, fi_id(0), "manager")
    abs_ = _vehicle(book, "abs_vehicle", f"{root(r)}2024年第1期{_ABS[0][0]}", tier1 * 0.01,
                    _ABS[0][1], _ABS[0][2])
    _underlying(book, abs_, "", tier1 * 0.003)
    _underlying(book, abs_, "", tier1 * 0.002)
    _party(book, abs_, featured["originator"], "originator")
    _party(book, abs_, fi_id(0), "manager")
    _party(book, abs_, book.banks[0], "liquidity_provider")
    for n in range(2, product_count(book.parties)):
        holding = tier1 * min(0.03, max(0.0005, r.lognormal(0.004, 0.8)))
        securitised = r.chance(0.3)
        if securitised:
            kind, product, rating = r.pick(_ABS)
            name = f"{root(r)}{r.between(2019, 2024)}年第{r.between(1, 9)}期{kind}"
            facility = _vehicle(book, "abs_vehicle", name, holding, product, rating)
        else:
            kind, product = r.pick(_AM)
            name = f"{root(r)}{r.pick(('稳健', '增利', '鑫享', '安盈'))}{n}号{kind}"
            facility = _vehicle(book, "am_product", name, holding, product, "")
        _look_through(book, facility, holding, known_obligor=0.4 if securitised else 0.85)
        _party(book, facility, _manager(book), "manager")
        if securitised:
            originator = (book.banks[r.below(len(book.banks))] if r.chance(0.4)
                          else _company(book))
            _party(book, facility, originator, "originator")
            if r.chance(0.3):
                _party(book, facility, book.banks[r.below(len(book.banks))],
                       "liquidity_provider")


def _vehicle(book: Book, cls: str, name: str, holding: float, product: str,
             rating: str) -> str:
    """A product vehicle of which the bank holds ``holding`` (10-100% of the product), and
    the bank's holding; return the holding's facility id."""
    r = book.r2
    book.n_vehicles += 1
    vid = book.vehicle_fmt.format(book.n_vehicles)
    size = holding / r.uniform(0.1, 1.0)
    book.ent.row(id=vid, name=name, kind="company", country="CN",
                 region=r.pick(("CN-SH", "CN-BJ", "CN-GD")), industry="J", is_bank="false",
                 is_gsib="false", net_assets=f"{size * 0.98:.0f}", total_assets=f"{size:.0f}",
                 revenue=f"{size * r.uniform(0.03, 0.06):.0f}", counterparty_class=cls,
                 rating=rating, status="active")
    return book.facility(vid, holding, 0.0, product=product, currency="CNY",
                         category="abs" if cls == "abs_vehicle" else "am_product")


def _look_through(book: Book, facility: str, holding: float, *, known_obligor: float) -> None:
    """One to five underlyings adding up to 30-60% of ``holding``, each of a company of the
    book with probability ``known_obligor``, else of an obligor not known."""
    r = book.r2
    weights = [0.2 + r.u() for _ in range(r.between(1, 5))]
    known = holding * r.uniform(0.3, 0.6) / sum(weights)
    for weight in weights:
        obligor = _company(book) if r.chance(known_obligor) else ""
        _underlying(book, facility, obligor, known * weight)


def _underlying(book: Book, facility: str, obligor: str, amount: float) -> None:
    # rounded down to the cent, so that the underlyings never add up to more than the
    # holding (the loader checks it, R15)
    book.und.row(facility=facility, obligor=obligor,
                 amount=money(int(amount * _CENTS) / _CENTS), currency="CNY")
    book.n_underlyings += 1


def _party(book: Book, facility: str, party: str, role: str) -> None:
    book.pps.row(facility=facility, party=party, role=role)
    book.n_product_parties += 1


def _company(book: Book) -> str:
    """A company of the book, drawn at random over all of it (ids are numbered)."""
    return book.company_fmt.format(1 + book.r2.below(book.n_companies))


def _manager(book: Book) -> str:
    """A product's manager: a non-bank financial institution, one time in five a bank."""
    r = book.r2
    if r.chance(0.2):
        return book.banks[r.below(len(book.banks))]
    return fi_id(r.below(fi_count(book.parties)))
