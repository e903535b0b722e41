"""The array implementation of R3-R7 against the implementation it replaced
(:mod:`tests.graph.analysis.reference`), on random graphs and on hand-checked cases where the
order of a breadth-first search decides the evidence."""

import random
from dataclasses import replace

import pytest

from graph.analysis.control import compute_control
from graph.analysis.exposure import CATEGORIES, compute_exposures
from graph.analysis.groups import connected_client_groups
from schema.records import Collateral, Entity, Underlying
from schema.records import Facility as F
from schema.records import Relationship as R
from schema.regime import load_regime
from tests.datasets import BANK
from tests.graph.analysis import reference


def random_graph(rng: random.Random, companies: int = 25, persons: int = 8, edges: int = 45
                 ) -> tuple[list[str], list[R]]:
    """Parties and relationships with families, agreements, cross-holdings, repeated
    pairs, missing shares and sums that float arithmetic puts at a hair above half."""
    parties = [f"C{i}" for i in range(companies)] + [f"P{i}" for i in range(persons)]
    rng.shuffle(parties)
    rels: list[R] = []
    shares = [0.1, 0.2, 0.25, 0.3, 0.5, 0.51, 0.6, 1.0, None]
    for _ in range(edges):
        a, b = rng.sample(parties, 2)
        if b.startswith("C"):
            rels.append(R("OWNS", a, b, share=rng.choice(shares)))
    for _ in range(rng.randint(0, 4)):
        a, b = rng.sample(parties, 2)
        rels.append(R("CONTROLS", a, b, basis="agreement"))
    people = [p for p in parties if p.startswith("P")]
    for _ in range(rng.randint(0, 5)):
        a, b = rng.sample(people, 2)
        rels.append(R("RELATIVE_OF", a, b, relation=rng.choice(["spouse", "child", "other"])))
    for _ in range(rng.randint(0, 5)):
        a, b = rng.sample(parties, 2)
        rels.append(R("DEPENDS_ON", a, b, share=rng.choice([0.3, 0.5, 0.8, None])))
    if rels and rng.random() < 0.3:                      # the same fact given twice
        rels.append(rng.choice(rels))
    rng.shuffle(rels)
    return parties, rels


def assert_same_control(parties, rels):
    new, old = compute_control(parties, rels), reference.compute_control(parties, rels)
    assert list(new.units.items()) == list(old.units.items())
    assert list(new.unit_of.items()) == list(old.unit_of.items())
    assert [(u, list(links.items())) for u, links in new.links.items()] == [
        (u, list(links.items())) for u, links in old.links.items()]
    assert {t: list(u) for t, u in new.controllers.items()} == old.controllers
    assert list(new.controllers) == list(old.controllers)
    assert new.top_units == old.top_units
    for p in parties:
        assert new.ultimate_controllers(p) == old.ultimate_controllers(p)
    return new


@pytest.mark.parametrize("seed", range(60))
def test_control_equals_reference_on_random_graphs(seed):
    parties, rels = random_graph(random.Random(seed))
    assert_same_control(parties, rels)


@pytest.mark.parametrize("seed", range(20))
def test_control_equals_reference_on_dense_graphs(seed):
    parties, rels = random_graph(random.Random(1000 + seed), companies=12, persons=6, edges=80)
    assert_same_control(parties, rels)


def test_evidence_holds_the_holdings_seen_before_control_in_search_order():
    # A holds 30% of T directly; B (controlled, level 1) adds 25%: control at B's holding,
    # so the evidence is both rows; C (level 2) adds 20% afterwards and is not evidence
    rels = [R("OWNS", "A", "B", share=0.9), R("OWNS", "B", "C", share=0.9),
            R("OWNS", "A", "T", share=0.3), R("OWNS", "B", "T", share=0.25),
            R("OWNS", "C", "T", share=0.2)]
    result = assert_same_control(["A", "B", "C", "T"], rels)
    link = result.links["A"]["T"]
    assert (link.rule, link.edges, link.share) == ("R4b", (rels[2], rels[3]), 0.55)
    assert list(result.links["A"]) == ["B", "C", "T"]   # B's holdings by target: C, then T


def test_an_agreement_found_first_is_the_evidence():
    # CONTROLS sorts before OWNS for the same target: the agreement explains control
    rels = [R("OWNS", "A", "T", share=0.9), R("CONTROLS", "A", "T", basis="VIE")]
    result = assert_same_control(["A", "T"], rels)
    assert result.links["A"]["T"].edges == (rels[1],)


def test_shares_summing_a_hair_above_half_across_levels_are_not_control():
    # 0.1 + 0.2 + 0.2 = 0.5000000000000001 in sequence; exactly 0.5 rounded exactly
    rels = [R("OWNS", "A", "X", share=1.0), R("OWNS", "X", "Y", share=1.0),
            R("OWNS", "A", "T", share=0.1), R("OWNS", "X", "T", share=0.2),
            R("OWNS", "Y", "T", share=0.2)]
    result = assert_same_control(["A", "X", "Y", "T"], rels)
    assert "T" not in result.links["A"]


def test_family_ties_keep_one_tie_per_pair_the_last():
    rels = [R("RELATIVE_OF", "P2", "P1", relation="spouse"),
            R("RELATIVE_OF", "P1", "P2", relation="sibling"),
            R("RELATIVE_OF", "P3", "P2", relation="child")]
    result = assert_same_control(["P3", "P1", "P2"], rels)
    assert result.units["family:P1"].ties == (rels[1], rels[2])


@pytest.mark.parametrize("shares", [(0.3, 0.200000001), (0.25, 0.250000001), (0.1, 0.400000001)])
def test_sums_at_the_threshold_itself_are_decided_as_an_exact_sum_would(shares):
    rels = [R("OWNS", "A", "X", share=1.0), R("OWNS", "A", "T", share=shares[0]),
            R("OWNS", "X", "T", share=shares[1])]
    assert_same_control(["A", "X", "T"], rels)


def assert_same_groups(parties, rels, threshold=0.5, state=()):
    new = connected_client_groups(parties, rels, compute_control(parties, rels),
                                  dependence_threshold=threshold, state_parties=state)
    old = reference.connected_client_groups(parties, rels, reference.compute_control(parties, rels),
                                            dependence_threshold=threshold, state_parties=state)
    assert [(g.id, g.members, g.root, g.controllers) for g in new] == [
        (g.id, g.members, g.root, g.controllers) for g in old]
    for n, o in zip(new, old, strict=True):
        assert list(n.evidence.items()) == list(o.evidence.items())
        assert len(n.evidence) == len(o.evidence)
    return new


@pytest.mark.parametrize("seed", range(60))
def test_groups_equal_reference_on_random_graphs(seed):
    rng = random.Random(seed)
    parties, rels = random_graph(rng)
    assert_same_groups(parties, rels, threshold=rng.choice([0.5, 0.3, 0.0]))


@pytest.mark.parametrize("seed", range(40))
def test_groups_through_state_bodies_equal_reference_on_random_graphs(seed):
    # R17: a few companies (and a person, as data may say) are state bodies
    rng = random.Random(500 + seed)
    parties, rels = random_graph(rng)
    assert_same_groups(parties, rels, state=rng.sample(parties, rng.randint(1, 4)))


@pytest.mark.parametrize("seed", range(20))
def test_groups_equal_reference_on_dense_graphs(seed):
    parties, rels = random_graph(random.Random(1000 + seed), companies=12, persons=6, edges=80)
    assert_same_groups(parties, rels)


def test_the_first_link_between_two_units_is_their_evidence():
    # A controls B and B depends on A: the control link, found first, is the evidence
    rels = [R("DEPENDS_ON", "B", "A", share=0.9), R("OWNS", "A", "B", share=0.7)]
    (group,) = assert_same_groups(["A", "B"], rels)
    assert [(s.rule, s.source, s.target) for s in group.evidence["B"]] == [("R4b", "A", "B")]


def test_root_is_the_top_unit_controlling_most_then_by_key():
    # B controls two companies, A one: B is the root although A sorts first
    rels = [R("OWNS", "A", "X", share=0.6), R("OWNS", "B", "Y", share=0.6),
            R("OWNS", "B", "Z", share=0.6), R("DEPENDS_ON", "X", "Y", share=0.5)]
    (group, *_) = assert_same_groups(["A", "B", "X", "Y", "Z"], rels)
    assert (group.root, group.controllers) == ("B", ("A", "B"))
    assert [s.rule for s in group.evidence["A"]] == ["R4b", "R6-dependence", "R4b"]


def test_a_party_with_no_link_is_a_group_of_one_with_its_own_evidence():
    groups = assert_same_groups(["A", "B"], [R("OWNS", "A", "B", share=0.2)])
    assert [(g.members, g.root, dict(g.evidence)) for g in groups] == [
        (("A",), "A", {"A": ()}), (("B",), "B", {"B": ()})]


def random_book(rng: random.Random) -> tuple[list[F], list[R]]:
    """Facilities (several per borrower, some in USD, some with the regime's CCF) and
    guarantees, eligible or not, on facilities or on borrowers, some larger than what
    they cover."""
    borrowers = [f"C{i}" for i in range(8)]
    products = [None, "trade_finance", "something_else", "loan"]
    facilities = [
        F(f"F{i}", rng.choice(borrowers), rng.choice([0.0, 10.0, 33.3, 100.1, 0.7]),
          undrawn=rng.choice([0.0, 5.5, 40.0]), ccf=rng.choice([None, 0.5, 0.2, 1.0]),
          product=rng.choice(products), currency=rng.choice([None, "USD", "CNY"]))
        for i in range(rng.randint(0, 14))]
    guarantors = [*borrowers, "G1", "G2"]
    guarantees = []
    for _ in range(rng.randint(0, 8)):
        facility = rng.choice([None, *(f.id for f in facilities)])
        target = next(f.borrower for f in facilities if f.id == facility) if facility else rng.choice(
            borrowers)
        guarantees.append(R("GUARANTEES", rng.choice(guarantors), target, facility=facility,
                            amount=rng.choice([None, 5.0, 50.0, 500.0]), eligible=rng.random() < 0.7,
                            currency=rng.choice([None, "USD"])))
    return facilities, guarantees


def random_exposure_model(rng: random.Random, facilities: list[F]
                          ) -> tuple[list[F], dict[str, Entity], list[Underlying], list[Collateral]]:
    """The facilities of :func:`random_book` given categories, and parties of every class,
    some exempt, some rated, with underlyings (known, unknown, below and above the
    look-through threshold, some above what the product holds) and collateral of each
    kind."""
    categories = ["loan", "loan", "bond", "other", "am_product", "abs", "trading", "counterparty",
                  "off_balance"]
    facilities = [replace(f, category=rng.choice(categories), ccf=rng.choice([f.ccf, f.ccf, 0.05, 0.0]))
                  for f in facilities]
    classes = [None, None, "sovereign", "central_bank", "policy_bank", "bank", "multilateral",
               "public_sector"]
    ids = [*(f"C{i}" for i in range(8)), "G1", "G2", "O1", "O2", "MOF"]
    entities = {i: Entity(i, i, "company", country=rng.choice(["CN", "US", None]),
                          counterparty_class=rng.choice(classes),
                          rating=rng.choice([None, "AAA", "AA-", "A+"])) for i in ids}
    underlyings = [Underlying(f.id, rng.choice([0.5, 1.5, 1.49, 20.0, 200.0]),
                              obligor=rng.choice([None, "O1", "O2", "C1", f.borrower]),
                              currency=rng.choice([None, "USD"]))
                   for f in facilities if f.category in ("am_product", "abs")
                   for _ in range(rng.randint(0, 3))]
    kinds = ["cash", "deposit", "gold", "gov_bond", "bank_bond", "real_estate", "equity"]
    collateral = [Collateral(f.id, kind, rng.choice([5.0, 30.0, 1000.0]),
                             currency=rng.choice([None, "USD"]),
                             issuer=rng.choice(["MOF", "G1"]) if kind.endswith("bond") else None)
                  for f in facilities if rng.random() < 0.4
                  for kind in rng.sample(kinds, rng.randint(1, 3))]
    return facilities, entities, underlyings, collateral


def assert_same_exposures(new, old) -> None:
    assert dict(new.facilities) == old.facilities
    assert list(new.facilities) == list(old.facilities)
    assert new.parties == old.parties
    assert new.substitutions == old.substitutions
    assert new.moves == old.moves
    columns = new.columns
    for party in old.parties:
        k = columns.index[party]
        assert dict(zip(CATEGORIES, columns.before[k].tolist(), strict=True)) == old.before[party]
        assert dict(zip(CATEGORIES, columns.after[k].tolist(), strict=True)) == old.after[party]
        assert (columns.moved_out[k], columns.moved_in[k]) == (old.moved_out[party], old.moved_in[party])
        assert columns.exempt[k] == old.exempt[party]
        # R16: before = after + out - in
        assert columns.gross[k] == pytest.approx(columns.net[k] + columns.moved_out[k] - columns.moved_in[k],
                                                 abs=1e-9)
    assert set(columns.parties) == set(old.parties)


@pytest.mark.parametrize("seed", range(60))
def test_exposures_equal_reference_on_random_books(seed):
    facilities, guarantees = random_book(random.Random(seed))
    regime = load_regime("CN-2018")
    new = compute_exposures(BANK, regime, facilities, guarantees)
    old = reference.compute_exposures(BANK, regime, facilities, guarantees)
    assert_same_exposures(new, old)


@pytest.mark.parametrize("seed", range(80))
@pytest.mark.parametrize("regime", ["CN-2018", "BASEL"])
def test_the_exposure_model_equals_reference_on_random_books(seed, regime):
    rng = random.Random(seed)
    facilities, guarantees = random_book(rng)
    facilities, entities, underlyings, collateral = random_exposure_model(rng, facilities)
    # an empty `eligible` leaves it to the guarantor's class
    guarantees = [replace(g, eligible=rng.choice([None, g.eligible])) for g in guarantees]
    model = {"entities": entities, "underlyings": underlyings, "collateral": collateral}
    regime = load_regime(regime)
    new = compute_exposures(BANK, regime, facilities, guarantees, **model)
    old = reference.compute_exposures(BANK, regime, facilities, guarantees, **model)
    assert_same_exposures(new, old)


def test_gross_of_many_facilities_is_the_exact_sum():
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 added in sequence; the exact sum is 0.6
    facilities = [F("F1", "A", 0.1), F("F2", "A", 0.2), F("F3", "A", 0.3), F("F4", "B", 0.1),
                  F("F5", "B", 0.2)]
    result = compute_exposures(BANK, load_regime("CN-2018"), facilities, [])
    assert result.of("A").gross == 0.6
    assert result.of("B").gross == 0.1 + 0.2


def test_a_guarantee_of_a_party_without_exposure_adds_no_party():
    g = R("GUARANTEES", "G", "A", amount=10.0, eligible=True)
    result = compute_exposures(BANK, load_regime("CN-2018"), [F("F1", "B", 5.0)], [g])
    assert set(result.parties) == {"B"}


def test_groups_of_a_copy_of_the_parties_are_the_same_groups():
    # control keeps the numbers of the very list it was given; another list is looked up
    parties, rels = random_graph(random.Random(5))
    control = compute_control(parties, rels)
    same = connected_client_groups(parties, rels, control)
    copied = connected_client_groups(tuple(parties), iter(rels), control)
    assert [(g.id, g.root, g.controllers, list(g.evidence.items())) for g in same] == [
        (g.id, g.root, g.controllers, list(g.evidence.items())) for g in copied]


def test_groups_need_the_arrays_of_compute_control():
    from graph.analysis.control import ControlResult

    with pytest.raises(TypeError, match="control must be the result of compute_control"):
        connected_client_groups(["A"], [], ControlResult(units={}, unit_of={}))


@pytest.mark.parametrize("seed", range(10))
def test_ownership_matrix_from_the_analysis_columns_equals_the_one_from_records(seed):
    from graph.analysis import analyse
    from graph.analysis.ownership import OwnershipMatrix
    from tests.datasets import dataset

    _, rels = random_graph(random.Random(seed))
    analysis = analyse(dataset(rels, persons=[f"P{i}" for i in range(8)]))
    built = analysis.ownership
    expected = OwnershipMatrix((r.source, r.target, r.share or 0.0)
                               for r in analysis.relationships if r.type == "OWNS")
    assert built.parties == expected.parties and built.index == expected.index
    assert (built.matrix != expected.matrix).nnz == 0
    for owner in expected.parties:
        assert built.row(owner) == expected.row(owner)
