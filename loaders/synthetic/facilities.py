"""The bank's facilities in a sample portfolio: products, categories, drawn and undrawn
parts, currencies, and the claims beyond loans.

A borrower's facilities are sized from its size; the undrawn part of each is weighted by the
credit conversion factor of the regime's product table (:data:`.calibration.REGIME`), or the
ccf the facility states, to give the exposure that clusters add up for tier 1. Bonds are in
the banking book (category ``bond``) or, one in three, the trading book (``trading``); now
and then a facility has collateral (:mod:`.collateral`). Once tier 1 is known,
:func:`other_claims` adds derivatives (``counterparty``), off-balance items, trading-book
positions and other claims on a sample of the book's companies (DESIGN 3b, R14).
"""

from __future__ import annotations

from loaders.synthetic.book import Book
from loaders.synthetic.calibration import REGIME
from loaders.synthetic.collateral import maybe_pledge

__all__ = ["FX", "facilities", "other_claims"]

FX = {"USD": 7.10, "HKD": 0.91}
"""Units of CNY per unit of each foreign currency, as written to ``bank.toml``."""

_PRODUCTS = (("loan", 0.45), ("revolving", 0.65), ("trade_finance", 0.80),
             ("guarantee_line", 0.90), ("bond", 1.0))


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
        category = "loan"
        if product == "bond":
            category = "trading" if book.r2.chance(1 / 3) else "bond"
        fid = book.facility(borrower, outstanding, undrawn, product=product,
                            currency=currency, ccf=ccf_text, category=category)
        maybe_pledge(book, fid, exposure / rate, currency, person=person)
        if not person:
            book.note_claim(borrower, exposure)
        written.append((fid, exposure))
        total += exposure
    return written, total


# (category, product, stated ccf, cumulative probability) of the claims of other_claims
_CLAIMS = (("counterparty", "interest_rate_swap", "", 0.22),
           ("counterparty", "fx_forward", "", 0.35),
           ("off_balance", "letter_of_guarantee", "0.5", 0.55),
           ("off_balance", "letter_of_credit", "0.2", 0.70),
           ("off_balance", "bank_acceptance", "1", 0.82),
           ("trading", "bond", "", 0.92),
           ("other", "other_receivable", "", 1.0))
# the first claims take one of each category, so that a small book has them all
_FIRST = (0, 2, 5, 6)
# the claim's size, a fraction of the facility its borrower was drawn with
_SIZE = {"counterparty": (0.05, 0.3), "off_balance": (0.2, 1.0), "trading": (0.1, 0.5),
         "other": (0.05, 0.2)}


def other_claims(book: Book, tier1: float) -> None:
    """The claims beyond loans, once ``tier1`` is known: for each company of the sample
    :attr:`.Book.claims` (a few per hundred parties) a derivative (its EAD), an off-balance
    item (its notional and ccf), a trading-book bond or another claim, sized from the
    facility it was drawn with. Companies whose drawn facility is itself a large exposure
    (above the regime's threshold) get none, so that the largest exposures stay as tier 1
    was calibrated for."""
    r = book.r2
    large = float(REGIME.large_exposure["threshold"]) * tier1
    written = 0
    for borrower, exposure in book.claims:
        if exposure > large:
            continue
        if written < len(_FIRST):
            category, product, ccf, _ = _CLAIMS[_FIRST[written]]
        else:
            x = r.u()
            category, product, ccf, _ = next(c for c in _CLAIMS if x < c[3])
        written += 1
        lo, hi = _SIZE[category]
        currency = "USD" if product == "fx_forward" else "CNY"
        amount = exposure * r.uniform(lo, hi) / FX.get(currency, 1.0)
        if category == "off_balance":
            amount /= float(ccf)        # the notional, of which the ccf is the exposure
        book.facility(borrower, amount, 0.0, product=product, currency=currency,
                      category=category, ccf=ccf)
