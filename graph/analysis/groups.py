"""Groups of connected clients, with the evidence for every membership (rule R6).

Take the graph whose edges are every control link (unit -> entity it controls, R4), every
family tie (R3) and every ``DEPENDS_ON`` edge with share at or above the regime's
dependence threshold. Each connected component is one group; persons are members too; a
party with no such link is a group of one.

R17: control held by a state body (a party of a class in the regime's
``no_grouping_through``: a sovereign, a central bank, a 国资委) joins no parties. Its
control links are left out of the graph, and so is every other link with a state body at
one end (dependence on it, or an odd control of it), so that the state holder is a group of
its own and each company it controls roots its own group, joined to another only by some
other link. Control itself is unchanged (R4, R5): the state body still controls those
companies and is their ultimate controller; a group's ``controllers`` and root are read
with its links set aside, so the company it controls is the root of its group.

The evidence of a membership is the chain of links from the group's root to the member,
found by breadth-first search in a fixed order, so the same data gives the same chains.
The root is the unit at the top of the group: a unit no one controls that controls the most
members (ties broken by key), else the unit with the smallest key. A group's id is derived
from its sorted member ids, so the same data gives the same ids.

How it is computed: the link graph is a sparse matrix over the units of
:class:`graph.analysis.control.ControlArrays`; groups are its connected components
(``scipy.sparse.csgraph``), members, roots and controllers are sorted and picked on arrays.
A group's evidence is read by few callers (a group's page, a report), so each group's is
found when first read, from that group's links only, and kept.

>>> from schema.records import Relationship as R
>>> from graph.analysis.control import compute_control
>>> edges = [R("OWNS", "A", "B", share=0.6), R("DEPENDS_ON", "D", "B", share=0.5),
...          R("OWNS", "X", "B", share=0.3)]
>>> parties = ["A", "B", "D", "X"]
>>> groups = connected_client_groups(parties, edges, compute_control(parties, edges))
>>> [g.members for g in groups]
[('A', 'B', 'D'), ('X',)]
>>> [step.rule for step in groups[0].evidence["D"]]
['R4b', 'R6-dependence']
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.analysis.columns import EdgeArrays, csr_pointer, run_starts
from graph.analysis.control import ControlArrays, ControlResult, Unit
from schema.records import Entity, Relationship
from schema.regime import Regime

__all__ = ["DEPENDENCE_THRESHOLD", "EvidenceStep", "Group", "connected_client_groups", "group_id",
           "state_parties"]

DEPENDENCE_THRESHOLD = 0.5
_CONTROL, _DEPENDENCE = 0, 1


@dataclass(frozen=True)
class EvidenceStep:
    """One link of an evidence chain: ``source`` is linked to ``target`` by ``rule``.

    ``rule`` is ``R4a`` (a CONTROLS edge), ``R4b`` (holdings of more than half),
    ``R3-family`` (a family tie) or ``R6-dependence`` (economic dependence). ``edges`` are
    the input relationships behind the link; ``share`` the summed holding for R4b.
    """

    rule: str
    source: str
    target: str
    edges: tuple[Relationship, ...]
    share: float | None = None


@dataclass(frozen=True)
class Group:
    """A group of connected clients. ``evidence`` maps each member to its chain."""

    id: str
    members: tuple[str, ...]
    root: str
    controllers: tuple[str, ...]
    evidence: Mapping[str, tuple[EvidenceStep, ...]]

    @property
    def size(self) -> int:
        return len(self.members)


def group_id(members: Iterable[str]) -> str:
    """A stable id from the member ids: ``G`` and 12 hex digits of their SHA-256.

    >>> group_id(["B", "A"]) == group_id(["A", "B"])
    True
    """
    return _id_of_sorted(sorted(members))


def _id_of_sorted(members: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(members).encode()).hexdigest()
    return f"G{digest[:12]}"


def connected_client_groups(parties: Iterable[str], relationships: Iterable[Relationship],
                            control: ControlResult, *,
                            dependence_threshold: float = DEPENDENCE_THRESHOLD,
                            state_parties: Iterable[str] = ()) -> list[Group]:
    """R6 and R17: every group of connected clients, largest first, then by id.

    Parameters
    ----------
    parties : every party id
    relationships : current relationships (``DEPENDS_ON`` are read here; control and
        family ties come from ``control``)
    control : the result of :func:`graph.analysis.control.compute_control` on the same data
    dependence_threshold : a ``DEPENDS_ON`` share at or above this joins the two parties
    state_parties : the parties whose class is in the regime's ``no_grouping_through``
        (R17): their links join no one

    Examples
    --------
    One 国资委 (S) holds 60% of C1 and of C2: three groups, although S controls both.

    >>> from schema.records import Relationship as R
    >>> from graph.analysis.control import compute_control
    >>> edges = [R("OWNS", "S", "C1", share=0.6), R("OWNS", "S", "C2", share=0.6)]
    >>> control = compute_control(["S", "C1", "C2"], edges)
    >>> groups = connected_client_groups(["S", "C1", "C2"], edges, control, state_parties=["S"])
    >>> sorted(g.members for g in groups), control.ultimate_controllers("C1")
    ([('C1',), ('C2',), ('S',)], ['S'])
    """
    arrays = control.arrays
    if arrays is None:
        raise TypeError("control must be the result of compute_control")
    relationships = relationships if isinstance(relationships, list) else list(relationships)
    state_unit = np.zeros(arrays.unit_count, dtype=bool)
    state = arrays.index.numbers(list(state_parties))
    state_unit[arrays.unit_of[state[state >= 0]]] = True
    links = _LinkGraph(arrays, relationships, dependence_threshold, state_unit)
    if state_unit.any():
        kept = links.kept_control
        top = arrays.top_among(kept)
        link_count = np.bincount(arrays.link_unit[kept], minlength=arrays.unit_count)
    else:
        top, link_count = arrays.top, arrays.link_count
    count = arrays.unit_count
    graph = sp.csr_array((np.ones(len(links.a), dtype=np.int8), (links.a, links.b)),
                         shape=(count, count))
    _, label = connected_components(graph, directed=False)
    present = np.zeros(count, dtype=bool)
    parties = parties if isinstance(parties, list) else list(parties)
    numbers = arrays.party_numbers if parties is arrays.parties else arrays.index.numbers(parties)
    present[arrays.unit_of[numbers[numbers >= 0]]] = True
    present[links.a] = present[links.b] = True
    links.sort_by(label)

    # members: parties of present units, by group and then by id
    party_unit = arrays.unit_of
    member = np.flatnonzero(present[party_unit])
    member = member[np.argsort(label[party_unit[member]], kind="stable")]
    member_label = label[party_unit[member]]
    starts = run_starts(member_label)
    bounds = np.r_[starts, len(member)].tolist()
    is_controller = top[party_unit[member]]
    with_controllers = np.add.reduceat(is_controller, starts).tolist() if len(starts) else []

    # the root: a top unit controlling the most members (then by key), else the least key
    unit = np.flatnonzero(present)
    unit_top = top[unit]
    # keys are compared only within groups of several units
    shared = unit[np.bincount(label[unit], minlength=count)[label[unit]] > 1]
    rank = np.zeros(count, dtype=np.int64)
    rank[shared] = _key_rank([arrays.unit_keys[u] for u in shared.tolist()])
    order = np.lexsort((rank[unit], np.where(unit_top, -link_count[unit], 0), ~unit_top,
                        label[unit]))
    roots = unit[order][run_starts(label[unit][order])]
    root_of = dict(zip(label[roots].tolist(), roots.tolist(), strict=True))

    ids, keys = arrays.index.ids, arrays.unit_keys
    names = [ids[p] for p in member.tolist()]
    groups = []
    for k, group_label in enumerate(member_label[starts].tolist()):
        lo, hi = bounds[k], bounds[k + 1]
        members = tuple(names[lo:hi])
        controllers = (tuple(itertools.compress(members, is_controller[lo:hi].tolist()))
                       if with_controllers[k] else ())
        root = root_of[group_label]
        groups.append(Group(_id_of_sorted(members), members, keys[root], controllers,
                            _Evidence(links, group_label, root, len(members))))
    # largest first, then by id (NumPy compares str by code point, as Python does)
    sizes = np.diff(bounds)
    order = np.lexsort((np.array([g.id for g in groups], dtype=str), -sizes))
    return [groups[k] for k in order.tolist()]


def state_parties(entities: Mapping[str, Entity], regime: Regime) -> list[str]:
    """The parties whose counterparty class (R13, :meth:`Regime.class_of`) is in the
    regime's ``no_grouping_through`` (R17), in input order.

    >>> from schema.regime import load_regime
    >>> entities = {"S": Entity("S", "SASAC", "company", counterparty_class="state_asset_agency"),
    ...             "C": Entity("C", "C Ltd", "company")}
    >>> state_parties(entities, load_regime("CN-2018"))
    ['S']
    """
    keys = list(map(attrgetter("kind", "is_bank", "counterparty_class"), entities.values()))
    # a book has few distinct keys: class each once
    state = {key: regime.class_of(*key) in regime.no_grouping_through for key in set(keys)}
    return list(itertools.compress(entities, map(state.__getitem__, keys)))


class _LinkGraph:
    """The edges of the R6 graph between units, in the order their evidence is chosen:
    control links (units in unit order, each unit's links as found), then dependence in
    input order; the first edge between two units is their evidence. Links with a state
    unit at one end (R17) are left out; ``kept_control`` marks the control links kept."""

    def __init__(self, arrays: ControlArrays, relationships: Sequence[Relationship],
                 threshold: float, state_unit: np.ndarray) -> None:
        self.arrays = arrays
        self.relationships = relationships
        dependence = EdgeArrays.of(relationships, arrays.index, ("DEPENDS_ON",), arrays.types)
        strong = dependence.share >= threshold
        target_unit = arrays.unit_of[arrays.link_target]
        self.kept_control = ~(state_unit[arrays.link_unit] | state_unit[target_unit])
        strong &= ~(state_unit[arrays.unit_of[dependence.source]]
                    | state_unit[arrays.unit_of[dependence.target]])
        a = np.concatenate([arrays.link_unit, arrays.unit_of[dependence.source[strong]]])
        b = np.concatenate([target_unit, arrays.unit_of[dependence.target[strong]]])
        kind = np.repeat(np.array([_CONTROL, _DEPENDENCE], dtype=np.int8),
                         [len(arrays.link_unit), int(strong.sum())])
        ref = np.concatenate([np.arange(len(arrays.link_unit)), dependence.row[strong]])
        apart = (a != b) & np.r_[self.kept_control, np.ones(int(strong.sum()), dtype=bool)]
        self.a, self.b, self.kind, self.ref = a[apart], b[apart], kind[apart], ref[apart]
        self.ptr = np.zeros(1, dtype=np.int64)

    def sort_by(self, label: np.ndarray) -> None:
        """Group the edges by the component of their units, keeping their order."""
        order = np.argsort(label[self.a], kind="stable")
        self.a, self.b, self.kind, self.ref = (x[order] for x in (self.a, self.b, self.kind, self.ref))
        self.ptr = csr_pointer(label[self.a], len(label))

    def step(self, kind: int, ref: int) -> EvidenceStep:
        if kind == _CONTROL:
            c = self.arrays.link(ref)
            return EvidenceStep(c.rule, c.unit, c.target, c.edges, c.share)
        r = self.relationships[ref]
        return EvidenceStep("R6-dependence", r.source, r.target, (r,), r.share)

    def evidence(self, group_label: int, root: int) -> dict[str, tuple[EvidenceStep, ...]]:
        """Every member's chain: breadth-first from the root over the group's units,
        neighbours by key, then the family ties within a family."""
        lo, hi = int(self.ptr[group_label]), int(self.ptr[group_label + 1])
        steps: dict[int, dict[int, EvidenceStep]] = defaultdict(dict)
        for a, b, kind, ref in zip(self.a[lo:hi].tolist(), self.b[lo:hi].tolist(),
                                   self.kind[lo:hi].tolist(), self.ref[lo:hi].tolist(), strict=True):
            if b not in steps[a]:
                steps[a][b] = steps[b][a] = self.step(kind, ref)
        keys = self.arrays.unit_keys
        chains: dict[int, tuple[EvidenceStep, ...]] = {root: ()}
        queue = deque([root])
        while queue:
            u = queue.popleft()
            neighbours = steps.get(u, {})
            for v in sorted(neighbours, key=keys.__getitem__):
                if v not in chains:
                    chains[v] = (*chains[u], neighbours[v])
                    queue.append(v)
        evidence: dict[str, tuple[EvidenceStep, ...]] = {}
        for u, chain in chains.items():
            unit = self.arrays.unit(u)
            for member in unit.members:
                evidence[member] = chain + _family_chain(unit, member)
        return evidence


class _Evidence(Mapping[str, tuple[EvidenceStep, ...]]):
    """One group's evidence, found when first read (most groups' never are)."""

    def __init__(self, links: _LinkGraph, group_label: int, root: int, size: int) -> None:
        self._links = links
        self._label = group_label
        self._root = root
        self._size = size
        self._found: dict[str, tuple[EvidenceStep, ...]] | None = None

    def _chains(self) -> dict[str, tuple[EvidenceStep, ...]]:
        if self._found is None:
            self._found = self._links.evidence(self._label, self._root)
        return self._found

    def __getitem__(self, member: str) -> tuple[EvidenceStep, ...]:
        return self._chains()[member]

    def __contains__(self, member: object) -> bool:
        return member in self._chains()

    def __iter__(self) -> Iterator[str]:
        return iter(self._chains())

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return repr(self._chains())


def _key_rank(keys: list[str]) -> np.ndarray:
    """The position of each key in sorted order."""
    rank = np.empty(len(keys), dtype=np.int64)
    rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return rank


def _family_chain(unit: Unit, member: str) -> tuple[EvidenceStep, ...]:
    """The family ties from a family's first member to ``member`` (empty for the first)."""
    if not unit.is_family or member == unit.members[0]:
        return ()
    family = nx.Graph()
    for tie in unit.ties:
        family.add_edge(tie.source, tie.target, tie=tie)
    path = nx.shortest_path(family, unit.members[0], member)
    return tuple(
        EvidenceStep("R3-family", a, b, (family.edges[a, b]["tie"],))
        for a, b in itertools.pairwise(path)
    )
