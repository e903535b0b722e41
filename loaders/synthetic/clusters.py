"""One cluster of a sample portfolio: a true group of connected clients and those around it.

A cluster (DESIGN R6) has a top (a person, a family or a holding company) and below it a tree
of subsidiaries, each held in one of a few patterns: a majority stake, control only with two
holders added together, control by agreement, board or VIE (``CONTROLS``), an exactly-50%
joint venture or a minority associate (both not controlled: not members). Outside investors
hold minority stakes, now and then a subsidiary holds shares back in its parent or a sibling,
a stake has ended, a supplier depends on the group for more than half its revenue (a member
too). Managers, guarantees from parents, and the bank's declared group (now and then with a
member missing or one added) complete it. One holding company in four is state-owned: a
state asset agency (国资委, :mod:`.state`) controls its apex, which still heads a group of
its own (R17). A cluster of one is a standalone company or an individual borrower
(:func:`singleton`).

Shares are kept in basis points: the OWNS rows into any company (current and historical
together) sum to at most 99%, and outsiders hold at most 49% of any company in all, so no
outsider ever gains control by accident and ``groups.csv`` can state the true groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from loaders.synthetic import names, parties
from loaders.synthetic.book import Book, Co, share_text
from loaders.synthetic.facilities import facilities
from loaders.synthetic.state import agency, state_owned

__all__ = ["Cluster", "Spec", "cluster", "cluster_spec", "singleton"]

_MAJORITY_BP = (5100, 5500, 6000, 6500, 6700, 7000, 7500, 8000, 8500, 9000, 9500, 9900)
_MAX_HELD_BP = 9900       # all OWNS rows into one company together: at most 99%
_MAX_OUTSIDE_BP = 4900    # outsiders together: at most 49%, so they never control
_ROLES = ("chairman", "director", "director", "ceo", "cfo", "supervisor", "key_person")
_PATTERNS = (("majority", 0.72), ("pair", 0.82), ("vie", 0.86), ("jv", 0.92),
             ("associate", 1.0))


@dataclass(slots=True)
class Spec:
    """What a cluster should contain; ``None`` fields are drawn at random."""

    budget: int
    top: str                          # "person", "family" or "company"
    family: int = 0
    others: int | None = None
    supplier: bool | None = None
    additive: bool | None = None
    patterns: tuple[str, ...] = ()
    cross: bool | None = None
    historical: bool | None = None
    guarantee_chain: bool | None = None
    declare: bool | None = None
    drop_member: bool | None = None
    extra_member: bool | None = None
    defaulted_apex: bool = False
    watch_last: bool = False
    state: bool | None = None         # a holding company's apex is state-owned


@dataclass(slots=True)
class Cluster:
    """A cluster written: its number, its top persons, its companies (the apex first) and
    its other persons (managers, minority investors)."""

    number: int
    top: list[str]
    companies: list[Co]
    others: list[str]


def _outsider(book: Book, cluster: Cluster, co: Co) -> str | None:
    """An outside investor for ``co``: a company of an earlier cluster or a non-member
    person of this one, not yet a holder of ``co``."""
    r = book.r
    for _ in range(3):
        if book.anchors and (not cluster.others or r.chance(0.6)):
            candidate = book.anchors[r.below(len(book.anchors))][1]
        elif cluster.others:
            candidate = cluster.others[r.below(len(cluster.others))]
        else:
            return None
        if candidate not in co.holders and candidate != co.id:
            return candidate
    return None


def _add_outsider(book: Book, cluster: Cluster, co: Co, lo: int, hi: int, *,
                  historical: bool = False) -> None:
    """An outside investor's stake of ``lo`` to ``hi`` basis points in ``co``, if the caps
    (99% held, 49% outside) leave room for ``lo``."""
    room = min(_MAX_HELD_BP - co.held, _MAX_OUTSIDE_BP - co.outside, hi)
    if room < lo:
        return
    source = _outsider(book, cluster, co)
    if source is not None:
        book.owns(source, co, book.r.between(lo, room), outside=True, historical=historical)


def singleton(book: Book, *, company: bool, status: str | None = None,
              anchor: bool | None = None) -> str:
    """A party with no group: a standalone company or an individual borrower. A
    standalone company serves later either as an anchor for links from other clusters
    or as a candidate extra member of a declared group, never both (an extra member
    must not be supported by any link)."""
    r = book.r
    book.n_clusters += 1
    home = names.city(r)
    if company:
        country = names.country(r, 0.06)
        name, industry = names.company_name(r, names.root(r), home, country)
        co = parties.company(book, name=name, industry=industry, country=country, where=home,
                             size=r.lognormal(6.0e7, 1.2), depth=0, controlled=False,
                             status=status)
        if anchor if anchor is not None else r.chance(0.5):
            book.anchors.append((book.n_clusters - 1, co.id,
                                 co.facilities[0] if co.facilities else None,
                                 co.net_assets))
        else:
            book.standalone.append(co.id)
        book.largest.note((co.exposure,), (co.exposure,))
        return co.id
    pid = parties.person(book, home, status=status or ("watch" if r.chance(0.03) else "active"))
    _, exposure = facilities(book, pid, 0.0, "CN", 1 if r.chance(0.9) else 2, person=True)
    book.largest.note((exposure,), (exposure,))
    return pid


def cluster(book: Book, spec: Spec) -> Cluster:
    """Write one cluster: its parties, ownership tree, managers, guarantees and the
    bank's declared group."""
    r = book.r
    number = book.n_clusters
    book.n_clusters += 1
    home = names.city(r)
    root = names.root(r)
    top: list[str] = []
    if spec.top == "person":
        top = [parties.person(book, home)]
    elif spec.top == "family":
        top = parties.family(book, spec.family, home)
    rest = spec.budget - len(top)
    supplier = spec.supplier if spec.supplier is not None else rest >= 4 and r.chance(0.12)
    supplier = int(bool(supplier) and rest >= 3)
    n_others = spec.others if spec.others is not None else int(rest * r.uniform(0.1, 0.35))
    n_companies = rest - n_others - supplier
    if n_companies < 1:
        n_others -= 1 - n_companies
        n_companies = 1
    others = [parties.person(book, home) for _ in range(n_others)]
    cluster = Cluster(number, top, [], others)

    # the apex (a holding company in a group of several)
    scale = math.sqrt(n_companies)
    holding = n_companies > 1 or spec.top == "company"
    name, industry = names.company_name(r, root, home, "CN", holding=holding)
    apex = parties.company(book, name=name, industry=industry, country="CN", where=home,
                           size=r.lognormal(2.5e8, 1.3) * scale, depth=0, controlled=True,
                           n_facilities=max(1, r.between(0, 3)), lei_p=0.5,
                           status="defaulted" if spec.defaulted_apex else None)
    cluster.companies.append(apex)
    _apex_owners(book, cluster, apex, spec)
    if spec.top == "company" and (spec.state if spec.state is not None
                                  else book.r2.chance(0.25)):
        state_owned(book, apex, agency(book))

    taken = {apex.name}
    # the bank lends to a few members of a conglomerate, not to every one of them
    borrow = min(0.78, 3.0 / scale)
    parents = [apex]          # controlled, depth <= 2: may hold subsidiaries
    controlled = [apex]
    for i in range(1, n_companies):
        pattern = spec.patterns[i - 1] if i - 1 < len(spec.patterns) else r.weighted(_PATTERNS)
        if pattern == "deep":
            parent = max(parents, key=lambda c: c.depth)
            pattern = "majority"
        elif r.chance(0.3):
            parent = apex
        else:
            parent = parents[r.below(len(parents))]
        country = names.country(r, 0.04 + 0.08 * min(1.0, n_companies / 40))
        where = names.city(r) if r.chance(0.5) else home
        name, industry = names.company_name(r, root, where, country)
        for _ in range(3):
            if name not in taken:
                break
            name, industry = names.company_name(r, root, where, country)
        taken.add(name)
        co = parties.company(book, name=name, industry=industry, country=country, where=where,
                             size=r.lognormal(1.2e8, 1.3), depth=parent.depth + 1,
                             borrow=borrow,
                             controlled=pattern in ("majority", "pair", "vie"),
                             status="watch" if spec.watch_last and i == n_companies - 1
                             else None)
        co.parent = parent
        parent.children += 1
        _subsidiary_owners(book, cluster, co, parent, controlled, pattern)
        cluster.companies.append(co)
        if co.controlled:
            controlled.append(co)
            if co.depth <= 2:
                parents.append(co)

    if spec.cross if spec.cross is not None else len(controlled) >= 3 and r.chance(0.2):
        for i in range(1 + len(controlled) // 60):
            for _attempt in range(20):
                if _cross_holding(book, controlled, into_parent=i == 0 and bool(spec.cross)):
                    break
    if spec.historical if spec.historical is not None else r.chance(0.06):
        target = controlled[r.below(len(controlled))]
        _add_outsider(book, cluster, target, 300, 3000, historical=True)
        if others:
            book.manages(others[r.below(len(others))], target, "director", historical=True)

    members: list[str] = [*top, *(c.id for c in controlled)]
    member_exposure = sum(c.exposure for c in controlled)
    if supplier:
        country = names.country(r, 0.05)
        where = names.city(r)
        name, industry = names.company_name(r, names.root(r), where, country)
        sup = parties.company(book, name=name, industry=industry, country=country, where=where,
                              size=r.lognormal(4.0e7, 1.2), depth=0, controlled=False)
        cluster.companies.append(sup)
        customer = controlled[r.below(len(controlled))]
        book.link("DEPENDS_ON", sup.id, customer.id,
                  share=share_text(r.between(55, 90) * 100, 0.0),
                  source_ref=r.pick(("analyst", "annual_report")))
        members.append(sup.id)
        member_exposure += sup.exposure

    _management(book, cluster)
    chain = spec.guarantee_chain
    for co in cluster.companies[1:]:
        if co.parent is not None and co.controlled and (
                chain if chain is not None else r.chance(0.25)):
            facility = co.facilities[0] if co.facilities else None
            base = facility[1] if facility else co.net_assets * 0.3
            book.guarantees(co.parent.id, co.id, facility, base * r.uniform(0.3, 1.0),
                            eligible=r.chance(0.2))
    if top and r.chance(0.15) and apex.facilities:
        facility = apex.facilities[0]
        book.guarantees(top[0], apex.id, facility, facility[1] * r.uniform(0.2, 0.8),
                        eligible=False)

    # exposure: the group, the companies outside it, and every party on its own
    each = [c.exposure for c in cluster.companies]
    if top and r.chance(0.08):
        _, exposure = facilities(book, top[0], 0.0, "CN", 1, person=True)
        each.append(exposure)
        member_exposure += exposure
    alone = [c.exposure for c in cluster.companies if not c.controlled and c.id not in members]
    book.largest.note([member_exposure, *alone], each)
    _declare(book, cluster, members, controlled, spec)
    return cluster


def _apex_owners(book: Book, cluster: Cluster, apex: Co, spec: Spec) -> None:
    """The apex's holders: the top person, or the family (now and then in control only
    with its shares added together); a holding company's are dispersed outsiders."""
    r = book.r
    top = cluster.top
    if spec.top == "person":
        book.owns(top[0], apex, r.pick(_MAJORITY_BP) if r.chance(0.7)
                  else r.between(5100, 9900), outside=False)
    elif spec.top == "family":
        additive = spec.additive if spec.additive is not None else r.chance(0.5)
        if additive:
            # no one alone holds half; together they do
            total = r.between(5100, 7500)
            first = r.between(max(total - 4900, 2600), min(4900, total - 1000))
            book.owns(top[0], apex, first, outside=False)
            book.owns(top[1], apex, total - first, outside=False)
        else:
            book.owns(top[0], apex, r.between(5100, 8000), outside=False)
        for member in top[1 if not additive else 2:]:
            room = _MAX_HELD_BP - apex.held
            if room >= 200 and r.chance(0.5):
                book.owns(member, apex, r.between(100, min(1000, room - 100)),
                          outside=False)
    else:
        # a holding with dispersed outside shareholders: no one controls it
        for _ in range(r.between(0, 3)):
            _add_outsider(book, cluster, apex, 300, 1500)
        return
    if r.chance(0.4):
        _add_outsider(book, cluster, apex, 100, 4900)


def _subsidiary_owners(book: Book, cluster: Cluster, co: Co, parent: Co,
                       controlled: list[Co], pattern: str) -> None:
    """The holders of ``co``, a subsidiary of ``parent``, in one of the patterns (a majority
    stake, a pair of holders, a VIE, a joint venture, an associate)."""
    r = book.r
    top = cluster.top
    if pattern == "pair":
        second = None
        if len(controlled) >= 2:
            pick = r.below(len(controlled) - 1)
            second = controlled[pick + (controlled[pick] is parent)].id
        elif top:
            second = top[0]
        if second is None:
            pattern = "majority"
        else:
            # neither holder has half; together they have control (e.g. 30% + 25%)
            total = r.between(5100, 7500)
            first = r.between(max(total - 4900, 2000), min(4900, total - 1500))
            book.owns(parent.id, co, first, outside=False)
            book.owns(second, co, total - first, outside=False)
            _add_outsider(book, cluster, co, 100, 2500)
            return
    if pattern == "majority":
        book.owns(parent.id, co, r.pick(_MAJORITY_BP) if r.chance(0.7)
                  else r.between(5100, 9900), outside=False)
        room = _MAX_HELD_BP - co.held
        if top and room >= 200 and r.chance(0.1):
            book.owns(top[r.below(len(top))], co, r.between(100, min(room - 100, 1500)),
                      outside=False)
        if r.chance(0.35):
            _add_outsider(book, cluster, co, 100, 4900)
    elif pattern == "vie":
        controller = top[0] if top else cluster.companies[0].id
        basis = r.pick(("VIE", "agreement", "board"))
        book.link("CONTROLS", controller, co.id, basis=basis,
                  source_ref=r.pick(("annual_report", "analyst")))
        if r.chance(0.7):
            book.owns(parent.id, co, r.between(500, 3000), outside=False)
        _add_outsider(book, cluster, co, 500, 4900)
    elif pattern == "jv":
        # exactly half is not control; the partner holds less, so no one controls
        book.owns(parent.id, co, 5000, outside=False)
        _add_outsider(book, cluster, co, 2000, 4900)
    else:  # associate: a minority stake
        book.owns(parent.id, co, r.between(1000, 4900), outside=False)
        _add_outsider(book, cluster, co, 500, 4900)


def _cross_holding(book: Book, controlled: list[Co], into_parent: bool = False) -> bool:
    """A subsidiary takes a small stake back in its parent (an ownership cycle) or in a
    sibling; False when the draw does not fit (the target is full or already held by
    the subsidiary)."""
    r = book.r
    if len(controlled) < 2:
        return False
    holder = controlled[1 + r.below(len(controlled) - 1)]
    parent = holder.parent
    if parent is not None and parent.id not in holder.holders:
        parent = None           # control by agreement: no stake to close a cycle with
    if into_parent and parent is None:
        return False
    target = parent if parent is not None and (into_parent or r.chance(0.6)) \
        else controlled[r.below(len(controlled))]
    if target is None or target is holder or holder.id in target.holders:
        return False
    bp = min(r.between(300, 1000), _MAX_HELD_BP - target.held)
    if bp < 100:
        return False
    book.owns(holder.id, target, bp, outside=False)
    return True


def _management(book: Book, cluster: Cluster) -> None:
    """The legal representative and other managers of each company of the cluster."""
    r = book.r
    top, others = cluster.top, cluster.others
    companies = cluster.companies
    for i, co in enumerate(companies):
        if top and ((i == 0 and r.chance(0.8)) or (co.controlled and r.chance(0.2))):
            book.manages(top[r.below(len(top))] if i else top[0], co,
                         "legal_representative")
        elif others:
            book.manages(others[r.below(len(others))], co, "legal_representative")
        if others and r.chance(0.5):
            book.manages(others[r.below(len(others))], co, r.pick(_ROLES))
        if len(top) > 1 and co.controlled and r.chance(0.15):
            book.manages(top[1 + r.below(len(top) - 1)], co, r.pick(_ROLES[:4]))
    # everyone of the cluster's other persons has some role somewhere
    for j, person in enumerate(others):
        co = companies[j % len(companies)]
        book.manages(person, co, r.pick(_ROLES))


def _declare(book: Book, cluster: Cluster, members: list[str], controlled: list[Co],
             spec: Spec) -> None:
    """Write the bank's declared group: the true members, now and then one missing (a
    subsidiary without subsidiaries of its own) or one unrelated company added."""
    r = book.r
    apex = controlled[0]
    if len(members) < 2 or not (spec.declare if spec.declare is not None else r.chance(0.9)):
        return
    declared = list(members)
    if (spec.drop_member if spec.drop_member is not None else r.chance(0.03)) \
            and len(declared) >= 3:
        leaves = [c.id for c in controlled[1:] if not c.children]
        if leaves:
            declared.remove(leaves[r.below(len(leaves))])
    if (spec.extra_member if spec.extra_member is not None else r.chance(0.03)) \
            and book.standalone:
        declared.append(book.standalone.popleft())
    book.n_groups += 1
    group_id = book.group_fmt.format(book.n_groups)
    name = apex.name.removesuffix("有限公司").removesuffix("股份").removesuffix("集团")
    group_name = name + "集团" if apex.name.endswith("公司") else apex.name + " Group"
    for member in declared:
        book.grp.row(group_id=group_id, member=member, group_name=group_name)
    book.n_members += len(declared)


def cluster_spec(book: Book, remaining: int, cap: int) -> Spec | None:
    """A random cluster, or None for a single party."""
    r = book.r
    if remaining < 2 or r.chance(0.35):
        return None
    budget = min(remaining, cap, 2 + int(3.0 * r.lomax(1.3)))
    x = r.u()
    if budget >= 3 and x < 0.3:
        return Spec(budget, "family", family=min(budget - 1, r.between(2, 4)))
    if x < 0.75 or budget < 3:
        return Spec(budget, "person")
    return Spec(budget, "company")
