"""Links between the clusters of a sample portfolio, none of which merges groups.

A finished cluster leaves a few of its companies (anchors) and its top person in small
reservoirs of the :class:`~loaders.synthetic.book.Book` (:func:`remember`); later clusters
link to them (:func:`cross_links`): guarantee chains and circles (担保圈) across groups,
economic dependence below the threshold of R6, a suspected link (the person controlling one
group manages a company of another) and now and then a bank's standby guarantee.
"""

from __future__ import annotations

from loaders.synthetic.book import Book, Co, share_text
from loaders.synthetic.clusters import Cluster

__all__ = ["cross_links", "remember"]


def remember(book: Book, cluster: Cluster) -> None:
    """Keep a few ids of a finished cluster for links from later clusters."""
    r = book.r
    companies = cluster.companies
    for _ in range(min(2, len(companies))):
        co = companies[r.below(len(companies))]
        book.anchors.append((cluster.number, co.id,
                             co.facilities[0] if co.facilities else None, co.net_assets))
    if cluster.top:
        book.controllers.append((cluster.number, cluster.top[0]))


def cross_links(book: Book, cluster: Cluster) -> None:
    """Links between this cluster and earlier ones that do not merge groups."""
    r = book.r
    companies = cluster.companies
    if not book.anchors:
        return
    if r.chance(0.12):      # a guarantee chain across groups
        co = companies[r.below(len(companies))]
        number, other, facility, net_assets = book.anchors[r.below(len(book.anchors))]
        if number != cluster.number:
            if r.chance(0.5):
                book.cross_guarantee(co.id, other, facility, co.net_assets * r.uniform(0.1, 1.2))
            else:
                fac = co.facilities[0] if co.facilities else None
                book.cross_guarantee(other, co.id, fac, net_assets * r.uniform(0.1, 1.2))
    if r.chance(0.015):     # a guarantee circle across three groups
        _circle(book, companies[r.below(len(companies))])
    if r.chance(0.05):      # economic dependence below the threshold
        co = companies[r.below(len(companies))]
        other = book.anchors[r.below(len(book.anchors))][1]
        if other != co.id:
            book.link("DEPENDS_ON", co.id, other,
                      share=share_text(r.between(10, 45) * 100, r.u()),
                      source_ref=r.pick(("analyst", "annual_report")))
    if book.controllers and r.chance(0.02):     # a suspected link
        number, person = book.controllers[r.below(len(book.controllers))]
        if number != cluster.number:
            book.manages(person, companies[r.below(len(companies))],
                         r.pick(("director", "supervisor", "key_person")))
    if r.chance(0.005) and companies[0].facilities:    # a bank's standby guarantee
        facility = companies[0].facilities[0]
        book.cross_guarantee(book.banks[r.below(len(book.banks))], companies[0].id,
                             facility, facility[1] * r.uniform(0.5, 1.0), eligible=True)


def _circle(book: Book, co: Co) -> None:
    """``co`` -> B -> C -> ``co`` with B and C from two other earlier clusters."""
    r = book.r
    anchors = book.anchors
    b = anchors[r.below(len(anchors))]
    c = anchors[r.below(len(anchors))]
    if b[0] == c[0]:
        return
    book.cross_guarantee(co.id, b[1], b[2], co.net_assets * r.uniform(0.3, 1.5))
    book.cross_guarantee(b[1], c[1], c[2], b[3] * r.uniform(0.3, 1.5))
    fac = co.facilities[0] if co.facilities else None
    book.cross_guarantee(c[1], co.id, fac, c[3] * r.uniform(0.3, 1.5))
