"""The parties of a sample portfolio: persons, families, companies, bank counterparties and
non-bank financial institutions.

Each function writes the entity rows (and a company's facilities, a family's ties) into the
:class:`~loaders.synthetic.book.Book` and returns the ids. Each row states its counterparty
class (DESIGN 3b, R13); banks, the larger companies and some non-bank financial
institutions have an external rating.
"""

from __future__ import annotations

from loaders.synthetic.book import Book, Co
from loaders.synthetic.draws import lei, uscc
from loaders.synthetic.facilities import FX, facilities
from loaders.synthetic.names import (
    DOMESTIC_BANKS,
    GSIB_BANKS,
    GSIB_COUNTRIES,
    US_REGIONS,
    City,
    city,
    person_name,
    root,
    surname,
)

__all__ = ["bank_counterparties", "company", "family", "fi_count", "fi_id",
           "financial_institutions", "person"]

# ratings of the larger companies, on the domestic agencies' scale (which is also the
# regime's rating_scale)
_COMPANY_RATINGS = ("AAA", "AA+", "AA+", "AA", "AA", "AA", "AA-", "A+")
# non-bank financial institutions (非银行金融机构): the name's ending
_FI_KINDS = ("证券股份有限公司", "信托有限责任公司", "金融租赁股份有限公司", "基金管理有限公司",
             "财务有限公司", "消费金融有限公司")


def person(book: Book, where: City, family_name: str | None = None,
           status: str = "active") -> str:
    """A person from ``where`` (with the surname ``family_name`` when given)."""
    book.n_persons += 1
    pid = book.person_fmt.format(book.n_persons)
    name, country, region = person_name(book.r, where, family_name)
    book.ent.row(id=pid, name=name, kind="person", country=country, region=region,
                 is_bank="false", is_gsib="false", counterparty_class="individual",
                 status=status)
    return pid


def family(book: Book, size: int, where: City) -> list[str]:
    """A family of ``size`` relatives (``RELATIVE_OF``), the head first."""
    r = book.r
    name = surname(r)
    head = person(book, where, name)
    members = [head]
    # (relation of the new member to the head, same surname)
    plan = [("spouse", False), ("child", True), ("sibling", True), ("child", True)]
    if r.chance(0.3):
        plan[0], plan[1] = plan[1], plan[0]
    for relation, same in plan[: size - 1]:
        member = person(book, where, name if same else None)
        # `relation` says what the source is to the target
        if relation == "child":
            book.link("RELATIVE_OF", head, member, relation="parent", source_ref="analyst")
        else:
            book.link("RELATIVE_OF", member, head, relation=relation, source_ref="analyst")
        members.append(member)
    if size >= 3 and r.chance(0.5):
        # the spouse and the child know each other too; an in-law now and then
        book.link("RELATIVE_OF", members[1], members[2],
                  relation="other" if r.chance(0.2) else
                  ("child" if plan[0][0] == "child" else "parent"),
                  source_ref="analyst")
    return members


def company(book: Book, *, name: str, industry: str, country: str, where: City, size: float,
            depth: int, controlled: bool, n_facilities: int | None = None, borrow: float = 0.78,
            status: str | None = None, lei_p: float = 0.1) -> Co:
    """A company registered in ``country`` (in ``where`` when Chinese) of ``size`` (total
    assets, CNY), with ``n_facilities`` facilities (drawn when None: none with probability
    1 - ``borrow``)."""
    r = book.r
    book.n_companies += 1
    cid = book.company_fmt.format(book.n_companies)
    registration = code = ""
    region = where[2]
    if country == "CN":
        registration = uscc(r, where[1])
        lou = "300300"
    else:
        lei_p = max(lei_p, 0.45)
        lou = r.pick(("549300", "529900", "213800"))
        if country == "HK":
            registration, region = str(r.between(1_000_000, 3_299_999)), "HK"
        elif country == "SG":
            registration = f"{r.between(2005, 2023)}{r.between(10000, 99999)}" + r.pick("KMNRWZ")
            region = "SG"
        else:
            registration, region = "", r.pick(US_REGIONS)
    if r.chance(lei_p):
        code = lei(r, lou)
    total_assets = min(max(size, 200_000.0), 3.0e12)
    net_assets = total_assets * r.uniform(0.12, 0.55)
    revenue = total_assets * r.lognormal(0.6, 0.5)
    if status is None:
        status = "watch" if r.chance(0.03) else "active"
    rating = ""
    if total_assets >= 1e10 and book.r2.chance(0.5):
        rating = book.r2.pick(_COMPANY_RATINGS)
    book.ent.row(id=cid, name=name, kind="company", registration_id=registration, lei=code,
                 country=country, region=region, industry=industry, is_bank="false",
                 is_gsib="false", net_assets=f"{net_assets:.0f}",
                 total_assets=f"{total_assets:.0f}", revenue=f"{revenue:.0f}",
                 counterparty_class="corporate", rating=rating, status=status)
    if n_facilities is None:
        x = r.u() / borrow      # no facility with probability 1 - borrow
        n_facilities = 0 if x >= 1 else 1 if x < 0.55 else 2 if x < 0.85 else 3 if x < 0.96 else 4
    co = Co(cid, name, depth, controlled, float(f"{net_assets:.0f}"))
    co.facilities, co.exposure = facilities(book, cid, total_assets, country, n_facilities)
    return co


def _gsib(i: int) -> bool:
    """Whether bank counterparty ``i`` (from 0) is a G-SIB: every fifth one."""
    return i % 5 == 1


def bank_counterparties(book: Book, tier1: float) -> None:
    """The interbank counterparties (every fifth a G-SIB), each with an interbank loan of
    3-20% of ``tier1``, then a derivative (EAD 0.3-2% of ``tier1``) with every G-SIB and
    half the others: written last, once tier 1 is known."""
    r = book.r
    for i, bid in enumerate(book.banks):
        gsib = _gsib(i)
        if gsib:
            name = GSIB_BANKS[(i // 5) % len(GSIB_BANKS)]
            country = GSIB_COUNTRIES[(i // 5) % len(GSIB_COUNTRIES)]
            region = "HK" if country == "HK" else "US-NY"
            registration = ""
            lou = "549300"
            total_assets = r.lognormal(1.5e13, 0.3)
        else:
            where = city(r)
            name = DOMESTIC_BANKS[i % len(DOMESTIC_BANKS)]
            if i >= len(DOMESTIC_BANKS):
                name = f"{where[0].removesuffix('市')}{name}"
            country, region = "CN", where[2]
            registration = uscc(r, where[1])
            lou = "300300"
            total_assets = r.lognormal(8.0e11, 0.8)
        code = lei(r, lou)
        net_assets = total_assets * r.uniform(0.06, 0.09)
        book.ent.row(id=bid, name=name, kind="company", registration_id=registration, lei=code,
                     country=country, region=region, industry="J", is_bank="true",
                     is_gsib="true" if gsib else "false", net_assets=f"{net_assets:.0f}",
                     total_assets=f"{total_assets:.0f}",
                     revenue=f"{total_assets * r.uniform(0.02, 0.04):.0f}",
                     counterparty_class="bank",
                     rating=book.r2.pick(("A+", "AA-", "A") if gsib else ("AAA", "AA+")),
                     status="active")
        share_of_tier1 = r.uniform(0.03, 0.12) if gsib else r.uniform(0.04, 0.2)
        currency = "USD" if gsib else "CNY"
        book.facility(bid, tier1 * share_of_tier1 / FX.get(currency, 1.0), 0.0,
                      product="interbank_lending", currency=currency, category="interbank")
    for i, bid in enumerate(book.banks):
        if _gsib(i) or book.r2.chance(0.5):
            currency = "USD" if _gsib(i) else "CNY"
            book.facility(bid, tier1 * book.r2.uniform(0.003, 0.02) / FX.get(currency, 1.0),
                          0.0, product="interest_rate_swap", currency=currency,
                          category="counterparty")


def fi_count(parties: int) -> int:
    """How many non-bank financial institutions a portfolio of ``parties`` has: one, and
    one more per 20,000 parties."""
    return 1 + parties // 20_000


def fi_id(number: int) -> str:
    """The id of non-bank financial institution ``number`` (from 0)."""
    return f"N{number + 1:04d}"


def financial_institutions(book: Book, tier1: float) -> None:
    """The non-bank financial institutions (securities firms, trust companies, leasing
    companies, ...: class ``non_bank_fi``, ``is_bank`` false), each with an interbank
    placement: the first of 18% of ``tier1`` (the showcase's: an interbank client under
    CN-2018, so within its 25% limit and below the 80% warning of it, where the 15% limit
    of a non-interbank party would be breached; under BASEL every party's limit is 25%, so
    there the class changes nothing), the others of 1-8%."""
    r = book.r2
    for number in range(fi_count(book.parties)):
        where = city(r)
        name = f"{where[0].removesuffix('市')}{root(r)}{r.pick(_FI_KINDS)}"
        total_assets = r.lognormal(6.0e10, 0.8)
        book.ent.row(id=fi_id(number), name=name, kind="company",
                     registration_id=uscc(r, where[1]), lei=lei(r, "300300"), country="CN",
                     region=where[2], industry="J", is_bank="false", is_gsib="false",
                     net_assets=f"{total_assets * r.uniform(0.1, 0.3):.0f}",
                     total_assets=f"{total_assets:.0f}",
                     revenue=f"{total_assets * r.uniform(0.03, 0.08):.0f}",
                     counterparty_class="non_bank_fi",
                     rating=r.pick(("AAA", "AA+", "")), status="active")
        book.facility(fi_id(number), tier1 * (0.18 if number == 0 else r.uniform(0.01, 0.08)),
                      0.0, product="interbank_placement", currency="CNY",
                      category="interbank")
    book.n_special += fi_count(book.parties)
