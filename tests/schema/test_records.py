"""The dataset version: a content hash that every fact moves and nothing else does."""

from __future__ import annotations

import dataclasses
from datetime import date

from schema.records import Bank, Dataset, Entity, Facility, Relationship

BANK = Bank("B", "CNY", 100.0, 100.0)


def book(*, entities=None, relationships=None, facilities=None) -> Dataset:
    entities = entities or [Entity("A", "Alpha", "company", net_assets=1.0, extra={"k": "v"}),
                            Entity("P", "Pat", "person", statement_date=date(2024, 1, 2))]
    return Dataset(BANK, {e.id: e for e in entities},
                   tuple(relationships or [Relationship("OWNS", "P", "A", share=0.6)]),
                   tuple(facilities or [Facility("F", "A", 10.0)]))


def test_the_same_facts_give_the_same_version_wherever_they_were_read():
    moved = book(entities=[dataclasses.replace(e, origin="x.csv:9") for e in book().entities.values()])
    assert moved.version == book().version
    assert len(book().version) == 16


def test_every_field_of_every_section_and_the_order_move_the_version():
    base = book()
    a, p = base.entities.values()
    owns = base.relationships[0]
    changed = [
        book(entities=[dataclasses.replace(a, name="Alpha2"), p]),
        book(entities=[dataclasses.replace(a, net_assets=1.5), p]),
        book(entities=[dataclasses.replace(a, extra={"k": "w"}), p]),
        book(entities=[a, dataclasses.replace(p, statement_date=date(2024, 1, 3))]),
        book(entities=[p, a]),                                     # order
        book(relationships=[dataclasses.replace(owns, share=0.61)]),
        book(relationships=[dataclasses.replace(owns, valid_from=date(2020, 1, 1))]),
        book(facilities=[Facility("F", "A", 10.0, undrawn=1.0)]),
        Dataset(dataclasses.replace(BANK, tier1_capital=101.0), base.entities, base.relationships,
                base.facilities),
    ]
    versions = {d.version for d in changed}
    assert len(versions) == len(changed) and base.version not in versions
