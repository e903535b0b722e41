"""The adjacency index on columns gives what the dict index of the queries gives."""

from datetime import date, datetime
from itertools import product

import pytest

from graph.stores.embedded import EmbeddedStore
from graph.stores.endpoints import ColumnAdjacency, Endpoints
from graph.stores.queries import adjacency
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.records import Relationship as R
from tests.datasets import dataset

SPELL = R("OWNS", "A", "B", share=0.5, valid_from=date(2020, 1, 1), valid_to=date(2021, 12, 31))
SELF = R("OWNS", "B", "B", share=0.1)                   # a company holding its own shares
LATER = R("OWNS", "A", "B", share=0.6, valid_from=date(2022, 1, 1))
MANAGES = R("MANAGES", "P1", "A", role="ceo")
DATA = dataset([SPELL, SELF, LATER, MANAGES])


def as_dict(index) -> dict:
    return {entity: index[entity] for entity in index}


def test_each_entity_gets_its_current_relationships_in_order():
    ends = Endpoints(DATA.relationships)
    owns = ends.adjacency(frozenset({"OWNS"}), date(2021, 12, 31))   # the last day of SPELL
    assert as_dict(owns) == {"A": [SPELL], "B": [SPELL, SELF, SELF]}
    assert len(owns) == 2 and "P1" not in owns
    assert owns.get("P1", ()) == () and owns.get("nobody") is None
    every = ends.adjacency(None, date(2022, 1, 1))
    assert as_dict(every) == {"A": [LATER, MANAGES], "B": [SELF, SELF, LATER], "P1": [MANAGES]}
    assert as_dict(ends.adjacency(frozenset({"GUARANTEES"}), date(2022, 1, 1))) == {}
    assert as_dict(ends.adjacency(frozenset(), date(2022, 1, 1))) == {}
    assert as_dict(ends.adjacency(None, date(2019, 12, 31))) == {
        "B": [SELF, SELF], "P1": [MANAGES], "A": [MANAGES]}


def test_the_column_index_equals_the_dict_index_on_a_generated_book(tmp_path):
    generate_portfolio(tmp_path, parties=3_000, seed=5)
    data = read_dataset(tmp_path)
    ends = Endpoints(data.relationships)
    kinds = sorted({r.type for r in data.relationships})
    days = sorted({d for r in data.relationships for d in (r.valid_from, r.valid_to) if d})
    assert kinds and days
    for types, day in product([None, ("OWNS",), tuple(kinds[:2]), ("NOT_A_TYPE",)],
                              [days[0], days[len(days) // 2], days[-1], date(2100, 1, 1)]):
        wanted = None if types is None else frozenset(types)
        assert as_dict(ends.adjacency(wanted, day)) == adjacency(data, types, day), (types, day)


def test_values_the_columns_cannot_hold_leave_the_dict_index():
    assert Endpoints.usable(DATA.relationships)
    assert not Endpoints.usable([R("OWNS", "A", "B", valid_from=datetime(2020, 1, 1, 12))])
    assert not Endpoints.usable([R("OWNS", "A", 7)])


@pytest.mark.parametrize("as_of", [None, date(2021, 6, 1)])
def test_the_store_answers_from_the_column_index(tmp_path, as_of):
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.replace(DATA)
    assert [e.id for e in store.neighbourhood("P1", 2, as_of=as_of).entities] == ["A", "B", "P1"]
    up = store.ownership_chains("B", "up", 2, as_of=as_of)
    assert up[0] == ((LATER,) if as_of is None else (SPELL,))
    assert isinstance(store._index(store._dataset(), None, as_of), ColumnAdjacency)
