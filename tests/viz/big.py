"""A seeded book of some 2,500 parties in one group, for views at the 2,000-party cap.

A family of two holds 60% of a holding company H; H holds 60% of 50 subsidiaries, each of
which holds 60% of 50 companies of its own (2,553 parties in all, one group). Every tenth
company guarantees a sibling's debt, every company borrows, and a few are flagged.
"""

from __future__ import annotations

import random

from schema.records import Dataset, Entity, Facility, Relationship
from tests.datasets import BANK

BRANCHES = 50


def big_dataset(seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    entities = {"P1": Entity("P1", "王建国", "person"), "P2": Entity("P2", "李芳", "person"),
                "H": Entity("H", "华信控股集团有限公司", "company", net_assets=5e9)}
    relationships = [Relationship("RELATIVE_OF", "P1", "P2", relation="spouse"),
                     Relationship("OWNS", "P1", "H", share=0.35),
                     Relationship("OWNS", "P2", "H", share=0.25)]
    facilities = []
    for i in range(BRANCHES):
        sub = f"S{i:02d}"
        entities[sub] = Entity(sub, f"华信第{i}子公司有限公司", "company", net_assets=1e8)
        relationships.append(Relationship("OWNS", "H", sub, share=0.6))
        for j in range(BRANCHES):
            leaf = f"S{i:02d}L{j:02d}"
            entities[leaf] = Entity(leaf, f"Leaf {i}-{j} Trading Co", "company", net_assets=1e7)
            relationships.append(Relationship("OWNS", sub, leaf, share=0.6))
            if j % 10 == 0:
                other = f"S{i:02d}L{rng.randrange(BRANCHES):02d}"
                if other != leaf:
                    relationships.append(Relationship("GUARANTEES", leaf, other,
                                                      amount=float(rng.randrange(1, 100)) * 1e5))
    for k, party in enumerate(p for p in entities if p not in ("P1", "P2")):
        facilities.append(Facility(f"F{k}", party, float(rng.randrange(1, 1000)) * 1e4))
    return Dataset(BANK, entities, tuple(relationships), tuple(facilities))
