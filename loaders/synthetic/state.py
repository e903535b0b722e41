"""The state's parties of a sample portfolio (DESIGN 3b, R13 and R17): the sovereign, the
central bank, a policy bank and the state asset agencies (国资委) that own or control
state-owned groups.

Their ids are fixed (``S0001`` the sovereign, ``S0002`` the central bank, ``S0003`` the
policy bank, then the agencies), so that clusters can name an agency as the holder of their
apex before the agencies' rows are written, last, with the bank's holdings of the state's
bonds (:func:`state_parties`). An agency's companies belong to groups of their own: control
held by a ``state_asset_agency`` joins no group (R17), so a state-owned cluster keeps the
group it would have without the agency.

>>> agency_count(40), agency_count(10_000), state_count(40)
(1, 6, 4)
"""

from __future__ import annotations

from loaders.synthetic.book import Book, Co
from loaders.synthetic.draws import uscc

__all__ = ["CENTRAL_BANK", "POLICY_BANK", "SOVEREIGN", "agency", "agency_count",
           "state_count", "state_owned", "state_parties"]

SOVEREIGN, CENTRAL_BANK, POLICY_BANK = "S0001", "S0002", "S0003"

# (name, administrative division of the register, region)
_AGENCIES = (
    ("国务院国有资产监督管理委员会", "100000", "CN-BJ"),
    ("北京市人民政府国有资产监督管理委员会", "110000", "CN-BJ"),
    ("上海市国有资产监督管理委员会", "310000", "CN-SH"),
    ("深圳市人民政府国有资产监督管理委员会", "440300", "CN-GD"),
    ("广东省人民政府国有资产监督管理委员会", "440000", "CN-GD"),
    ("浙江省人民政府国有资产监督管理委员会", "330000", "CN-ZJ"),
)
_MAX_HELD_BP = 9900     # as in .clusters: the OWNS rows into one company sum to at most 99%


def agency_count(parties: int) -> int:
    """How many state asset agencies a portfolio of ``parties`` has: the central one, and
    one provincial or city agency more per 2,000 parties, up to six in all."""
    return 1 + min(len(_AGENCIES) - 1, parties // 2000)


def state_count(parties: int) -> int:
    """The state's parties of a portfolio of ``parties``: sovereign, central bank, policy
    bank and the agencies."""
    return 3 + agency_count(parties)


def agency(book: Book, number: int | None = None) -> str:
    """The id of agency ``number`` (0 the central one), or of one drawn at random."""
    if number is None:
        number = book.r2.below(agency_count(book.parties))
    return f"S{4 + number:04d}"


def state_owned(book: Book, co: Co, holder: str, *, control: bool | None = None) -> None:
    """``holder`` (an agency) controls ``co``: by a majority stake, or (``control`` true, or
    drawn one time in four) by ``CONTROLS`` (an authorisation to run it) beside a minority
    stake. ``co`` must be held by outsiders only, at most 49% in all, so the majority fits
    under 99%."""
    r = book.r2
    room = _MAX_HELD_BP - co.held
    if control if control is not None else r.chance(0.25):
        book.link("CONTROLS", holder, co.id, basis="state_mandate", source_ref="register")
        if room >= 2100:
            book.owns(holder, co, r.between(1000, min(4500, room - 1000)), outside=False, r=r)
        return
    book.owns(holder, co, r.between(5100, min(9000, room)), outside=False, r=r)


def state_parties(book: Book, tier1: float) -> None:
    """Write the state's parties and the bank's holdings of their bonds, relative to
    ``tier1``: government bonds of 50% of tier 1 in the banking book (exempt under CN-2018 as
    China's central government, R13), central bank bills of 5%, and policy bank bonds of
    10% in the trading book. The agencies borrow nothing."""
    r = book.r2
    for sid, name, category, industry, total_assets in (
            (SOVEREIGN, "中华人民共和国财政部", "11", "S", None),
            (CENTRAL_BANK, "中国人民银行", "11", "S", 4.4e13),
            (POLICY_BANK, "国家开发银行", "91", "J", 1.8e13)):
        policy = sid == POLICY_BANK
        book.ent.row(id=sid, name=name, kind="company",
                     registration_id=uscc(r, "100000", category), country="CN",
                     region="CN-BJ", industry=industry, is_bank="true" if policy else "false",
                     is_gsib="false",
                     net_assets=f"{total_assets * 0.085:.0f}" if policy else "",
                     total_assets=f"{total_assets:.0f}" if total_assets else "",
                     revenue=f"{total_assets * 0.03:.0f}" if policy else "",
                     counterparty_class={SOVEREIGN: "sovereign", CENTRAL_BANK: "central_bank",
                                         POLICY_BANK: "policy_bank"}[sid],
                     rating="A+", status="active")
    for number in range(agency_count(book.parties)):
        name, division, region = _AGENCIES[number]
        book.ent.row(id=agency(book, number), name=name, kind="company",
                     registration_id=uscc(r, division, "11"), country="CN", region=region,
                     industry="S", is_bank="false", is_gsib="false",
                     counterparty_class="state_asset_agency", status="active")
    book.n_special += state_count(book.parties)
    book.facility(SOVEREIGN, tier1 * 0.5, 0.0, product="government_bond", currency="CNY",
                  category="bond")
    book.facility(CENTRAL_BANK, tier1 * 0.05, 0.0, product="central_bank_bill",
                  currency="CNY", category="bond")
    book.facility(POLICY_BANK, tier1 * 0.1, 0.0, product="policy_bank_bond", currency="CNY",
                  category="trading")

