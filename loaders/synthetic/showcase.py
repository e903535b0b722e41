"""The fixed first clusters of every sample portfolio: each feature of the data contract and
of the analysis is present even for :data:`MIN_PARTIES` parties.

A family that controls only with its shares added together, a 4-level chain, a 50% joint
venture, a VIE, a cross-holding and an ended stake; a person's group whose defaulted apex
sits in a guarantee circle across three groups (so it sets off a cascade), with a supplier
that depends on it and a member the bank's declared group misses; a holding company with a
standalone company wrongly declared in its group; an eligible bank guarantee, suspected
links and economic dependence below the threshold.
"""

from __future__ import annotations

from loaders.synthetic.book import Book
from loaders.synthetic.clusters import Spec, cluster, singleton
from loaders.synthetic.links import remember

__all__ = ["MIN_PARTIES", "showcase"]

_BUDGETS = (1, 1, 13, 6, 4)
MIN_PARTIES = sum(_BUDGETS) + 2
"""The smallest ``parties`` accepted: the showcase clusters and two bank counterparties."""


def showcase(book: Book) -> None:
    """Write the fixed first clusters and the links among them."""
    singleton(book, company=True, anchor=True)     # a joint-venture partner
    singleton(book, company=True, anchor=False)    # wrongly declared in a group later
    family = cluster(book, Spec(
        budget=_BUDGETS[2], top="family", family=3, others=3, supplier=False,
        additive=True, patterns=("majority", "deep", "pair", "jv", "vie", "deep"),
        cross=True, historical=True, guarantee_chain=True, declare=True,
        drop_member=False, extra_member=False))
    remember(book, family)
    person = cluster(book, Spec(
        budget=_BUDGETS[3], top="person", others=1, supplier=True,
        patterns=("majority", "majority"), cross=False, historical=False,
        guarantee_chain=False, declare=True, drop_member=True, extra_member=False,
        defaulted_apex=True))
    holding = cluster(book, Spec(
        budget=_BUDGETS[4], top="company", others=1, supplier=False,
        patterns=("majority", "associate"), cross=False, historical=False,
        guarantee_chain=True, declare=True, drop_member=False, extra_member=True,
        watch_last=True))
    # a guarantee circle across the three groups; the defaulted apex sets off a cascade
    a, b, c = family.companies[1], person.companies[0], holding.companies[0]
    book.cross_guarantee(a.id, b.id, b.facilities[0], a.net_assets * 1.5)
    book.cross_guarantee(b.id, c.id, c.facilities[0], b.net_assets * 0.5)
    book.cross_guarantee(c.id, a.id, a.facilities[0] if a.facilities else None,
                         c.net_assets * 1.2)
    # the bank's standby guarantee: eligible protection (an apex always borrows)
    book.cross_guarantee(book.banks[0], c.id, c.facilities[0], c.facilities[0][1] * 0.6,
                         eligible=True)
    # suspected links: a group's controller manages a company of another group
    book.manages(person.top[0], family.companies[2], "director")
    book.manages(family.top[0], holding.companies[0], "supervisor")
    # economic dependence below the threshold: no merge
    book.link("DEPENDS_ON", c.id, family.companies[0].id, share="0.3",
              source_ref="annual_report")
    remember(book, person)
    remember(book, holding)
