"""The bank's facilities in a sample portfolio: products, drawn and undrawn parts, currencies.

A borrower's facilities are sized from its size; the undrawn part of each is weighted by the
credit conversion factor of the regime's product table (:data:`.calibration.REGIME`), or the
ccf the facility states, to give the exposure that clusters add up for tier 1.
"""

from __future__ import annotations

from loaders.synthetic.book import Book, money
from loaders.synthetic.calibration import REGIME

__all__ = ["FX", "facilities", "facility_row"]

FX = {"USD": 7.10, "HKD": 0.91}
"""Units of CNY per unit of each foreign currency, as written to ``bank.toml``."""

_PRODUCTS = (("loan", 0.45), ("revolving", 0.65), ("trade_finance", 0.80),
             ("guarantee_line", 0.90), ("bond", 1.0))


def facility_row(book: Book, borrower: str, outstanding: float, undrawn: float, *,
                 product: str, currency: str, ccf: str = "") -> str:
    """Write one facility under the next id; return the id."""
    book.n_facilities += 1
    fid = book.facility_fmt.format(book.n_facilities)
    book.fac.row(id=fid, borrower=borrower, outstanding=money(outstanding),
                 undrawn=money(undrawn), ccf=ccf, product=product, currency=currency)
    return fid


def facilities(book: Book, borrower: str, size: float, country: str, n: int,
               person: bool = False) -> tuple[list[tuple[str, float]], float]:
    """Write ``n`` facilities for a borrower of ``size`` (CNY); return them and the total
    exposure in CNY (undrawn parts weighted by the ccf or the product's usual one)."""
    r = book.r
    written: list[tuple[str, float]] = []
    total = 0.0
    for _ in range(n):
        product = "loan" if person else r.weighted(_PRODUCTS)
        cny = size * r.lognormal(0.06, 0.7) if not person else r.lognormal(600_000.0, 1.0)
        cny = min(max(cny, 20_000.0), max(size, 20_000.0) * 0.7) if not person else cny
        drawn_part = 1.0
        if product == "revolving":
            drawn_part = 0.0 if r.chance(0.06) else r.uniform(0.2, 0.9)
        elif product in ("trade_finance", "guarantee_line"):
            drawn_part = r.uniform(0.0, 1.0)
        elif product == "loan" and r.chance(0.25):
            drawn_part = r.uniform(0.5, 0.95)
        x = r.u()
        if country == "CN":
            currency = "USD" if x < 0.07 else "CNY"
        elif country == "HK":
            currency = "USD" if x < 0.5 else "HKD" if x < 0.8 else "CNY"
        elif country == "SG":
            currency = "USD" if x < 0.8 else "CNY"
        else:
            currency = "USD"
        rate = FX.get(currency, 1.0)
        outstanding = round(cny * drawn_part / rate, 2)
        undrawn = round(cny * (1.0 - drawn_part) / rate, 2)
        ccf = REGIME.ccf_for(product)
        ccf_text = ""
        if undrawn > 0 and not r.chance(0.3):
            # the facility states its ccf: the product's, or now and then a revolving line
            # the bank may cancel at any time
            if product == "revolving" and r.chance(0.2):
                ccf = REGIME.ccf["unconditionally_cancellable"]
            ccf_text = f"{ccf:g}"
        exposure = (outstanding + ccf * undrawn) * rate
        fid = facility_row(book, borrower, outstanding, undrawn, product=product,
                           currency=currency, ccf=ccf_text)
        written.append((fid, exposure))
        total += exposure
    return written, total
