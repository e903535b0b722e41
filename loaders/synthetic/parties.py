"""The parties of a sample portfolio: persons, families, companies and bank counterparties.

Each function writes the entity rows (and a company's facilities, a family's ties) into the
:class:`~loaders.synthetic.book.Book` and returns the ids.
"""

from __future__ import annotations

from loaders.synthetic.book import Book, Co
from loaders.synthetic.draws import lei, uscc
from loaders.synthetic.facilities import FX, facilities, facility_row
from loaders.synthetic.names import (
    DOMESTIC_BANKS,
    GSIB_BANKS,
    GSIB_COUNTRIES,
    US_REGIONS,
    City,
    city,
    person_name,
    surname,
)

__all__ = ["bank_counterparties", "company", "family", "person"]


def person(book: Book, where: City, family_name: str | None = None,
           status: str = "active") -> str:
    """A person from ``where`` (with the surname ``family_name`` when given)."""
    book.n_persons += 1
    pid = book.person_fmt.format(book.n_persons)
    name, country, region = person_name(book.r, where, family_name)
    book.ent.row(id=pid, name=name, kind="person", country=country, region=region,
                 is_bank="false", is_gsib="false", status=status)
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
    book.ent.row(id=cid, name=name, kind="company", registration_id=registration, lei=code,
                 country=country, region=region, industry=industry, is_bank="false",
                 is_gsib="false", net_assets=f"{net_assets:.0f}",
                 total_assets=f"{total_assets:.0f}", revenue=f"{revenue:.0f}", status=status)
    if n_facilities is None:
        x = r.u() / borrow      # no facility with probability 1 - borrow
        n_facilities = 0 if x >= 1 else 1 if x < 0.55 else 2 if x < 0.85 else 3 if x < 0.96 else 4
    co = Co(cid, name, depth, controlled, float(f"{net_assets:.0f}"))
    co.facilities, co.exposure = facilities(book, cid, total_assets, country, n_facilities)
    return co


def bank_counterparties(book: Book, tier1: float) -> None:
    """The interbank counterparties (every fifth a G-SIB), each with one loan of 3-20% of
    ``tier1``: written last, once tier 1 is known."""
    r = book.r
    for i, bid in enumerate(book.banks):
        gsib = i % 5 == 1
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
                     revenue=f"{total_assets * r.uniform(0.02, 0.04):.0f}", status="active")
        share_of_tier1 = r.uniform(0.03, 0.12) if gsib else r.uniform(0.04, 0.2)
        currency = "USD" if gsib else "CNY"
        facility_row(book, bid, tier1 * share_of_tier1 / FX.get(currency, 1.0), 0.0,
                     product="loan", currency=currency)
