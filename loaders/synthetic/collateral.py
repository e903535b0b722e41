"""Collateral in a sample portfolio (DESIGN 3b, R16): a few per hundred facilities.

Of every kind of the model: cash, deposits and gold (they reduce the exposure), government
bonds, central bank bills, policy bank bonds and bank bonds (they move it onto their
issuer: the sovereign, the central bank, the policy bank of :mod:`.state`, or one of the
bank counterparties), and real estate, receivables, equity and other physical collateral
(never recognised). Most individual loans with collateral are mortgages.
"""

from __future__ import annotations

from loaders.synthetic.book import Book, money
from loaders.synthetic.state import CENTRAL_BANK, POLICY_BANK, SOVEREIGN

__all__ = ["maybe_pledge", "pledge"]

# (kind, cumulative probability) for companies' facilities with collateral
_KINDS = (("real_estate", 0.34), ("receivables", 0.48), ("equity", 0.56), ("other", 0.60),
          ("deposit", 0.72), ("cash", 0.77), ("gold", 0.79), ("gov_bond", 0.87),
          ("central_bank_bill", 0.90), ("policy_bank_bond", 0.95), ("bank_bond", 1.0))
# value as a fraction of the facility's exposure value: physical collateral is pledged with
# a margin above the loan, financial collateral covers part of it
_COVER = {"real_estate": (0.8, 1.8), "receivables": (0.4, 1.2), "equity": (0.5, 1.5),
          "other": (0.3, 1.0)}
_FINANCIAL_COVER = (0.2, 1.0)
_ISSUERS = {"gov_bond": SOVEREIGN, "central_bank_bill": CENTRAL_BANK,
            "policy_bank_bond": POLICY_BANK}


def pledge(book: Book, facility: str, kind: str, value: float, currency: str) -> None:
    """Write one collateral row; a bond's issuer is the party that owes it (a bank bond's
    one of the bank counterparties, drawn)."""
    issuer = _ISSUERS.get(kind, "")
    if kind == "bank_bond":
        issuer = book.banks[book.r2.below(len(book.banks))]
    book.col.row(facility=facility, kind=kind, value=money(value), currency=currency,
                 issuer=issuer)
    book.n_collateral += 1


def maybe_pledge(book: Book, facility: str, value: float, currency: str, *,
                 person: bool) -> None:
    """Now and then collateral for a facility worth ``value`` (in ``currency``): one
    individual loan in ten is a mortgage (one in a hundred is secured by a deposit), one
    company facility in twenty-five has collateral of a kind drawn from :data:`_KINDS`."""
    r = book.r2
    x = r.u()
    if person:
        if x >= 0.11:
            return
        kind = "real_estate" if x < 0.10 else "deposit"
    else:
        if x >= 0.04:
            return
        kind = r.weighted(_KINDS)
    lo, hi = _COVER.get(kind, _FINANCIAL_COVER)
    pledge(book, facility, kind, value * r.uniform(lo, hi), currency)
