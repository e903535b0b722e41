"""The fixed first clusters of every sample portfolio: each feature of the data contract and
of the analysis is present even for :data:`MIN_PARTIES` parties.

A family that controls only with its shares added together, a 4-level chain, a 50% joint
venture, a VIE, a cross-holding and an ended stake; a person's group whose defaulted apex
sits in a guarantee circle across three groups (so it sets off a cascade), with a supplier
that depends on it and a member the bank's declared group misses; a holding company with a
standalone company wrongly declared in its group; an eligible bank guarantee, suspected
links and economic dependence below the threshold.

Of DESIGN 3b: the family's head and the defaulted apex's owner are cousins (``other``, not a
family tie, R17). The holding company and the joint-venture partner, of two different groups,
are both controlled by the central 国资委 (by a majority stake, and by a mandate beside a
minority stake): R17 keeps them apart. Cash collateral on a facility of the family's apex,
a government bond on the holding's (it substitutes to the sovereign, before the bank's
guarantee), real estate on the defaulted apex's (not recognised). The family's apex and a
company of the defaulted apex's group are the known obligors of the showcase's
asset-management product, the holding company the originator of its securitisation
(:func:`.products.products`, written once tier 1 is known, with the other holdings whose
amounts are fractions of tier 1: the state's bonds, the non-bank financial institution).
"""

from __future__ import annotations

from loaders.synthetic.book import Book, Co
from loaders.synthetic.clusters import Spec, cluster, singleton
from loaders.synthetic.collateral import pledge
from loaders.synthetic.links import remember
from loaders.synthetic.parties import fi_count
from loaders.synthetic.products import product_count
from loaders.synthetic.state import agency, state_count, state_owned

__all__ = ["MIN_PARTIES", "showcase"]

_BUDGETS = (1, 1, 13, 6, 4)
MIN_PARTIES = sum(_BUDGETS) + 2 + state_count(0) + fi_count(0) + product_count(0)
"""The smallest ``parties`` accepted: the showcase clusters, two bank counterparties, the
state's parties, a non-bank financial institution and two product vehicles."""


def showcase(book: Book) -> None:
    """Write the fixed first clusters and the links among them."""
    partner = singleton(book, company=True, anchor=True)     # a joint-venture partner
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
        watch_last=True, state=False))
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
    # a cousin (relation `other`): not a family tie of R17, so it joins neither the units
    # nor the groups of the two persons
    book.link("RELATIVE_OF", family.top[0], person.top[0], relation="other",
              source_ref="analyst")
    # two companies of two groups under one 国资委 (no one holds shares in a standalone
    # company: its holdings start empty)
    state_owned(book, holding.companies[0], agency(book, 0), control=False)
    state_owned(book, Co(partner, "", 0, True, 0.0), agency(book, 0), control=True)
    # collateral that reduces, substitutes, and is not recognised (an apex always borrows)
    pledge(book, family.companies[0].facilities[0][0], "cash",
           family.companies[0].facilities[0][1] * 0.4, "CNY")
    pledge(book, c.facilities[0][0], "gov_bond", c.facilities[0][1] * 0.3, "CNY")
    pledge(book, b.facilities[0][0], "real_estate", b.facilities[0][1] * 1.5, "CNY")
    book.featured.update(above=family.companies[0].id, below=person.companies[1].id,
                         originator=c.id)
    remember(book, person)
    remember(book, holding)
