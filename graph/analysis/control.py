"""Control units, control and ultimate controllers (rules R3, R4, R5).

R3  Persons joined by ``RELATIVE_OF`` edges form one family unit (connected components);
    every other party is a unit of its own. Only the relations of the regime's
    ``family_relations`` count (R17; default spouse, parent, child, sibling): a tie of
    another relation (``other``) joins no unit, and so no group; it is still a relationship.
R4  Unit U controls entity Y when (a) a member of U, or an entity U controls, has a
    ``CONTROLS`` edge to Y; or (b) the shares of Y held by U's members and by entities U
    controls sum to more than 0.5. Control is transitive through (b): a fixpoint.
R5  The ultimate controllers of Y are the units that control Y and are controlled by no
    one, listed as parties (every member of a family). An entity no one controls is
    independent: its list is empty.

Decisions where DESIGN is silent:

* "More than 0.5" is decided with a tolerance of 1e-9 so that 0.1 + 0.2 + 0.2 (which
  floating point sums to 0.5000000000000001) is not control, as a person would expect.
* A unit never controls its own members (a subsidiary's stake back in its parent does not
  make the parent control itself).
* Circular control (C1 controls C2 and C2 controls C1, with no one above them) would leave
  every member of the ring "controlled by someone" and so no one ultimate. Units are
  therefore ranked by the strongly connected components of the control graph: a unit is
  on top when no unit outside its component controls it, and the members of such a ring
  are ultimate controllers together.

How it is computed: parties are interned to integers (:mod:`graph.analysis.columns`), families
are the connected components of a sparse matrix, and the fixpoint of R4 runs for every unit
at once, one breadth-first level per step, on arrays of (unit, holder) pairs; the top units
come from the strong components of the unit graph. The records a caller reads (units, links
with their edges, controllers) are views over those arrays, built when asked for.

Example (DESIGN R4): family {P1, P2} holds 40% + 15% of C1; C1 holds 60% of C2; C1 holds
30% and C2 25% of C3. The family controls C1, C2 and C3 (30% + 25% = 55% > 50%):

>>> from schema.records import Relationship as R
>>> edges = [R("RELATIVE_OF", "P1", "P2", relation="spouse"),
...          R("OWNS", "P1", "C1", share=0.40), R("OWNS", "P2", "C1", share=0.15),
...          R("OWNS", "C1", "C2", share=0.60),
...          R("OWNS", "C1", "C3", share=0.30), R("OWNS", "C2", "C3", share=0.25)]
>>> result = compute_control(["P1", "P2", "C1", "C2", "C3"], edges)
>>> result.ultimate_controllers("C3")
['P1', 'P2']
>>> sorted(result.controlled_by_unit(result.unit_of["P1"]))
['C1', 'C2', 'C3']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.analysis.columns import (
    EdgeArrays,
    PartyIndex,
    RelationshipTypes,
    csr_pointer,
    first_occurrences,
    ranges,
    run_starts,
)
from schema.records import Relationship

__all__ = ["CONTROL_THRESHOLD", "FAMILY_RELATIONS", "ControlArrays", "ControlLink", "ControlResult",
           "Unit", "compute_control", "family_units"]

CONTROL_THRESHOLD = 0.5
FAMILY_RELATIONS = ("spouse", "parent", "child", "sibling")   # R17, the regimes' default
_EPSILON = 1e-9
# A running sum of shares this close to the threshold is decided again with math.fsum, so
# that the decision is the one an exactly rounded sum gives (the arrays add in sequence,
# whose error on a few hundred shares is far below this band).
_NEAR = 1e-10
_OWNS, _CONTROLS = 0, 1


@dataclass(frozen=True)
class Unit:
    """A control unit: one party, or a family of persons (R3). ``key`` names it."""

    key: str
    members: tuple[str, ...]
    ties: tuple[Relationship, ...] = ()

    @property
    def is_family(self) -> bool:
        return len(self.members) > 1


@dataclass(frozen=True)
class ControlLink:
    """Why ``unit`` controls ``target``: a ``CONTROLS`` edge (rule "R4a") or holdings that
    add up to more than half (rule "R4b", ``share`` is their sum)."""

    unit: str
    target: str
    rule: str
    edges: tuple[Relationship, ...]
    share: float | None = None


class ControlArrays:
    """R3-R5 over interned parties: what :func:`compute_control` computes, as arrays.

    Units are numbered in the order of :attr:`ControlResult.units`: families first (in the
    order their first person appears in the ties), then every other party in input order.
    ``unit_of[p]`` is the unit of party number ``p``; ``unit_members[unit_ptr[u]:unit_ptr[u +
    1]]`` the members of unit ``u`` (sorted), ``tie_rows`` likewise the rows of its family
    ties; ``parties`` the party list it was computed for and ``party_numbers`` their numbers
    (so that the groups of the same parties need not look them up again), ``types`` the
    types of ``relationships``. The links of unit
    ``u`` are ``link_ptr[u]:link_ptr[u + 1]`` of the ``link_*``
    arrays, in the order the fixpoint found them; an R4b link's holdings are the rows of
    ``held_row`` whose ``held_key`` is ``u * len(index) + target``. ``top[u]`` says whether
    unit ``u`` is on top (R5).
    """

    def __init__(self, index: PartyIndex, relationships: Sequence[Relationship],
                 types: RelationshipTypes, parties: list[str], party_numbers: np.ndarray,
                 unit_keys: list[str], unit_of: np.ndarray, unit_ptr: np.ndarray,
                 unit_members: np.ndarray, tie_ptr: np.ndarray, tie_rows: np.ndarray) -> None:
        self.index = index
        self.relationships = relationships
        self.types = types
        self.parties = parties
        self.party_numbers = party_numbers
        self.unit_keys = unit_keys
        self.unit_of = unit_of
        self.unit_ptr = unit_ptr
        self.unit_members = unit_members
        self.tie_ptr = tie_ptr
        self.tie_rows = tie_rows
        empty = np.zeros(0, dtype=np.int64)
        self.link_ptr = np.zeros(len(unit_keys) + 1, dtype=np.int64)
        self.link_count = np.zeros(len(unit_keys), dtype=np.int64)   # entities each controls
        self.link_unit = empty
        self.link_target = empty
        self.link_r4a = np.zeros(0, dtype=bool)
        self.link_edge = empty
        self.held_key = empty
        self.held_row = empty
        self.top = np.zeros(len(unit_keys), dtype=bool)
        self.holdings: EdgeArrays | None = None      # OWNS (kind 0) and CONTROLS (kind 1)
        self._units: dict[int, Unit] = {}

    @property
    def unit_count(self) -> int:
        return len(self.unit_keys)

    @cached_property
    def unit_number(self) -> dict[str, int]:
        return {key: u for u, key in enumerate(self.unit_keys)}

    def members(self, u: int) -> np.ndarray:
        return self.unit_members[self.unit_ptr[u]:self.unit_ptr[u + 1]]

    @cached_property
    def _unit_lists(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """The unit arrays as Python lists, for building many unit records one at a time."""
        return (self.unit_ptr.tolist(), self.unit_members.tolist(), self.tie_ptr.tolist(),
                self.tie_rows.tolist())

    def unit(self, u: int) -> Unit:
        """The record of unit ``u``, built once."""
        found = self._units.get(u)
        if found is None:
            ids, rels = self.index.ids, self.relationships
            unit_ptr, members, tie_ptr, ties = self._unit_lists
            found = Unit(self.unit_keys[u], tuple(ids[m] for m in members[unit_ptr[u]:unit_ptr[u + 1]]),
                         tuple(rels[r] for r in ties[tie_ptr[u]:tie_ptr[u + 1]]))
            self._units[u] = found
        return found

    def top_among(self, keep: np.ndarray) -> np.ndarray:
        """Which units are on top (as :attr:`top`) when only the links ``keep`` marks
        count: grouping sets the links of state bodies aside this way (R17)."""
        return _top(self, keep)

    def link(self, i: int) -> ControlLink:
        """The record of link ``i`` with the relationships behind it."""
        u, target = int(self.link_unit[i]), int(self.link_target[i])
        unit, name = self.unit_keys[u], self.index.ids[target]
        rels = self.relationships
        if self.link_r4a[i]:
            return ControlLink(unit, name, "R4a", (rels[self.link_edge[i]],))
        key = u * len(self.index) + target
        lo, hi = np.searchsorted(self.held_key, [key, key + 1])
        edges = tuple(rels[r] for r in self.held_row[lo:hi].tolist())
        return ControlLink(unit, name, "R4b", edges, math.fsum(e.share or 0.0 for e in edges))


class _Units(Mapping[str, Unit]):
    """Units by key, in unit order; each record built when first asked for."""

    def __init__(self, arrays: ControlArrays) -> None:
        self._arrays = arrays

    def __getitem__(self, key: str) -> Unit:
        return self._arrays.unit(self._arrays.unit_number[key])

    def __contains__(self, key: object) -> bool:
        return key in self._arrays.unit_number

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays.unit_number)

    def __len__(self) -> int:
        return len(self._arrays.unit_number)


class _UnitOf(Mapping[str, str]):
    """The unit key of every party, parties in unit order."""

    def __init__(self, arrays: ControlArrays) -> None:
        self._arrays = arrays

    def __getitem__(self, party: str) -> str:
        a = self._arrays
        return a.unit_keys[a.unit_of[a.index.number[party]]]

    def __contains__(self, party: object) -> bool:
        return party in self._arrays.index.number

    def __iter__(self) -> Iterator[str]:
        ids = self._arrays.index.ids
        return (ids[m] for m in self._arrays.unit_members.tolist())

    def __len__(self) -> int:
        return len(self._arrays.unit_members)


class _UnitLinks(Mapping[str, ControlLink]):
    """The entities one unit controls, in the order found, each with its link."""

    def __init__(self, arrays: ControlArrays, u: int) -> None:
        self._arrays = arrays
        self._start = int(arrays.link_ptr[u])
        self._stop = int(arrays.link_ptr[u + 1])
        self._built: dict[str, ControlLink] = {}

    @cached_property
    def _position(self) -> dict[str, int]:
        ids = self._arrays.index.ids
        targets = self._arrays.link_target[self._start:self._stop].tolist()
        return {ids[t]: self._start + k for k, t in enumerate(targets)}

    def __getitem__(self, target: str) -> ControlLink:
        found = self._built.get(target)
        if found is None:
            found = self._built[target] = self._arrays.link(self._position[target])
        return found

    def __contains__(self, target: object) -> bool:
        return target in self._position

    def __iter__(self) -> Iterator[str]:
        ids = self._arrays.index.ids
        return (ids[t] for t in self._arrays.link_target[self._start:self._stop].tolist())

    def __len__(self) -> int:
        return self._stop - self._start


class _Links(Mapping[str, Mapping[str, ControlLink]]):
    """The links of every unit that controls something, units in unit order."""

    def __init__(self, arrays: ControlArrays) -> None:
        self._arrays = arrays
        self._built: dict[int, _UnitLinks] = {}

    def _number(self, key: object) -> int | None:
        u = self._arrays.unit_number.get(key) if isinstance(key, str) else None
        return u if u is not None and self._arrays.link_count[u] else None

    def __getitem__(self, key: str) -> Mapping[str, ControlLink]:
        u = self._number(key)
        if u is None:
            raise KeyError(key)
        found = self._built.get(u)
        if found is None:
            found = self._built[u] = _UnitLinks(self._arrays, u)
        return found

    def __contains__(self, key: object) -> bool:
        return self._number(key) is not None

    def __iter__(self) -> Iterator[str]:
        keys = self._arrays.unit_keys
        return (keys[u] for u in np.flatnonzero(self._arrays.link_count).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(self._arrays.link_count))


class _Controllers(Mapping[str, list[str]]):
    """The units controlling each controlled entity, in unit order; entities in the order
    their first link was found."""

    def __init__(self, arrays: ControlArrays) -> None:
        self._arrays = arrays
        order = np.argsort(arrays.link_target, kind="stable")
        self._unit = arrays.link_unit[order]
        self._ptr = csr_pointer(arrays.link_target[order], len(arrays.index))

    def _slice(self, entity: object) -> np.ndarray:
        t = self._arrays.index.number.get(entity) if isinstance(entity, str) else None
        if t is None:
            return self._unit[:0]
        return self._unit[self._ptr[t]:self._ptr[t + 1]]

    def __getitem__(self, entity: str) -> list[str]:
        units = self._slice(entity)
        if not len(units):
            raise KeyError(entity)
        keys = self._arrays.unit_keys
        return [keys[u] for u in units.tolist()]

    def __contains__(self, entity: object) -> bool:
        return len(self._slice(entity)) > 0

    def __iter__(self) -> Iterator[str]:
        targets, first = first_occurrences(self._arrays.link_target)
        ids = self._arrays.index.ids
        return (ids[t] for t in targets[np.argsort(first)].tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self._ptr)))


@dataclass
class ControlResult:
    """Units, every control link, and who is on top.

    ``units``, ``unit_of``, ``links`` and ``controllers`` are read-only mappings over
    ``arrays``: a record is built when a caller reads it, not for every party up front.
    """

    units: Mapping[str, Unit]
    unit_of: Mapping[str, str]
    links: Mapping[str, Mapping[str, ControlLink]] = field(default_factory=dict)
    controllers: Mapping[str, list[str]] = field(default_factory=dict)
    top_units: set[str] = field(default_factory=set)
    arrays: ControlArrays | None = field(default=None, repr=False, compare=False)

    def controlled_by_unit(self, unit_key: str) -> Mapping[str, ControlLink]:
        """Every entity the unit controls, with the link that explains it."""
        return self.links.get(unit_key, {})

    def ultimate_units(self, entity: str) -> list[str]:
        """Keys of the units that ultimately control ``entity`` (R5), sorted."""
        own = self.unit_of.get(entity)
        return sorted(u for u in self.controllers.get(entity, ()) if u in self.top_units and u != own)

    def ultimate_controllers(self, entity: str) -> list[str]:
        """The ultimate controllers of ``entity`` as parties (R5); empty when independent."""
        return [m for u in self.ultimate_units(entity) for m in self.units[u].members]


def family_units(parties: Iterable[str], relationships: Iterable[Relationship], *,
                 family_relations: Sequence[str] = FAMILY_RELATIONS) -> dict[str, Unit]:
    """R3: family units from ``RELATIVE_OF`` edges whose relation is one of
    ``family_relations`` (R17), every other party a unit of its own.

    A unit's key is its first member id in sorted order, prefixed ``family:`` for families.
    A family's ties are its ``RELATIVE_OF`` relationships, one per pair of persons (the
    last given), sorted by source and target.

    >>> from schema.records import Relationship as R
    >>> units = family_units(["P1", "P2", "C1"], [R("RELATIVE_OF", "P1", "P2", relation="spouse")])
    >>> sorted((u.key, u.members) for u in units.values())
    [('C1', ('C1',)), ('family:P1', ('P1', 'P2'))]
    >>> units = family_units(["P1", "P2"], [R("RELATIVE_OF", "P1", "P2", relation="other")])
    >>> sorted(u.key for u in units.values())
    ['P1', 'P2']
    """
    arrays = _units(list(parties), list(relationships), family_relations)
    return {key: arrays.unit(u) for u, key in enumerate(arrays.unit_keys)}


def compute_control(parties: Iterable[str], relationships: Iterable[Relationship], *,
                    family_relations: Sequence[str] = FAMILY_RELATIONS) -> ControlResult:
    """R3-R5 on current relationships: units, control as a fixpoint, the top units.

    R17 leaves control as it is: a state body (a sovereign, a 国资委) that holds more than
    half of a company controls it and is its ultimate controller (R5); only grouping
    (:func:`graph.analysis.groups.connected_client_groups`) sets its control aside.

    Parameters
    ----------
    parties : every party id
    relationships : the relationships that hold (``OWNS``, ``CONTROLS``, ``RELATIVE_OF``
        are used; others are ignored)
    family_relations : the ``RELATIVE_OF`` relations that make a family (R17, the
        regime's ``family_relations``)
    """
    arrays = _units(_listed(parties), _listed(relationships), family_relations)
    edges = EdgeArrays.of(arrays.relationships, arrays.index, ("OWNS", "CONTROLS"), arrays.types)
    arrays.holdings = edges
    _fixpoint(arrays, edges)
    arrays.top = _top(arrays)
    keys = arrays.unit_keys
    return ControlResult(_Units(arrays), _UnitOf(arrays), _Links(arrays), _Controllers(arrays),
                         {keys[u] for u in np.flatnonzero(arrays.top).tolist()}, arrays)


def _units(parties: list[str], relationships: list[Relationship],
           family_relations: Sequence[str]) -> ControlArrays:
    """R3 on arrays: families are the connected components of the graph of the
    ``RELATIVE_OF`` ties whose relation is one of ``family_relations``.

    Unit order and family ties follow what one undirected graph built tie by tie gives
    (NetworkX's order, which this replaced): components in the order their first person
    appears, one tie per pair, the last one given.
    """
    types = RelationshipTypes.of(relationships)
    tie_rows = types.rows(["RELATIVE_OF"])
    wanted = frozenset(family_relations)
    tie_rows = tie_rows[np.fromiter((relationships[i].relation in wanted for i in tie_rows.tolist()),
                                    dtype=bool, count=len(tie_rows))]
    ties = [relationships[i] for i in tie_rows.tolist()]
    index = PartyIndex.of([*parties, *(r.source for r in ties), *(r.target for r in ties)])
    n = len(index)
    source, target = index.numbers(r.source for r in ties), index.numbers(r.target for r in ties)

    # families: persons in the order they first appear in the ties, components numbered
    # by their first person
    appearance = np.column_stack([source, target]).ravel()
    persons, first = first_occurrences(appearance)
    local = np.searchsorted(persons, appearance).reshape(-1, 2)
    graph = sp.csr_array((np.ones(len(local), dtype=np.int8), (local[:, 0], local[:, 1])),
                         shape=(len(persons), len(persons)))
    count, label = connected_components(graph, directed=False)
    component_first = np.full(count, len(appearance), dtype=np.int64)
    np.minimum.at(component_first, label, first)
    family_of_component = np.empty(count, dtype=np.int64)
    family_of_component[np.argsort(component_first)] = np.arange(count)
    family = family_of_component[label]
    by_family = np.argsort(family, kind="stable")      # persons stay sorted within a family
    family_members = persons[by_family]
    family_ptr = csr_pointer(family[by_family], count)

    # every other party is a unit of its own, in the order of ``parties``
    numbers = index.numbers(parties)
    _, first_seen = first_occurrences(numbers)
    singles = numbers[np.sort(first_seen)]
    in_family = np.zeros(n, dtype=bool)
    in_family[persons] = True
    singles = singles[~in_family[singles]]

    unit_of = np.empty(n, dtype=np.int64)
    unit_of[family_members] = np.repeat(np.arange(count), np.diff(family_ptr))
    unit_of[singles] = count + np.arange(len(singles))
    unit_members = np.concatenate([family_members, singles]).astype(np.int64)
    unit_ptr = np.concatenate([family_ptr, family_ptr[-1] + 1 + np.arange(len(singles))])
    ids = index.ids
    unit_keys = [f"family:{ids[m]}" for m in family_members[family_ptr[:-1]].tolist()]
    unit_keys += [ids[p] for p in singles.tolist()]

    # one tie per pair of persons, the last given; a family's ties sorted by source, target
    pair = np.minimum(source, target) * n + np.maximum(source, target)
    _, last_reversed = first_occurrences(pair[::-1])
    kept = len(pair) - 1 - last_reversed
    kept = kept[np.lexsort((target[kept], source[kept], unit_of[source[kept]]))]
    tie_ptr = csr_pointer(unit_of[source[kept]], len(unit_keys))
    return ControlArrays(index, relationships, types, parties, numbers, unit_keys, unit_of, unit_ptr,
                         unit_members, tie_ptr, tie_rows[kept])


def _listed(items: Iterable) -> list:
    """``items`` as a list, the same object when it is one (see ``ControlArrays.parties``)."""
    return items if isinstance(items, list) else list(items)


def _fixpoint(arrays: ControlArrays, edges: EdgeArrays) -> None:
    """R4 for every unit at once, as the breadth-first worklist of one unit would find it.

    The worklist of a unit starts with its members (sorted) and visits each holder's
    holdings by target, a ``CONTROLS`` edge before an ``OWNS`` one; an edge to a member or
    to an entity already controlled is passed over; an entity is controlled at the first
    ``CONTROLS`` edge to it or at the holding that takes the sum of the unit's holdings in it
    past the threshold, and joins the end of the worklist. Everything a holder of one level
    of that search adds comes after every holder of the level, so the search can run level
    by level: all (unit, holder) pairs of a level expand into rows at once, rows are grouped
    by (unit, target) in visiting order, and a running sum per group, carried over from
    earlier levels, finds the row where control starts. The links, their order and the
    holdings behind each are therefore those of the worklist, which is the order evidence
    is read in.
    """
    n = len(arrays.index)
    relationships = arrays.relationships
    # each holder's edges by target, CONTROLS first, then input order
    order = np.lexsort((edges.row, edges.kind != _CONTROLS, edges.target, edges.source))
    e_target, e_row = edges.target[order], edges.row[order]
    e_controls, e_share = edges.kind[order] == _CONTROLS, edges.share[order]
    holder_ptr = csr_pointer(edges.source[order], n)
    threshold = CONTROL_THRESHOLD + _EPSILON

    unit = np.repeat(np.arange(arrays.unit_count), np.diff(arrays.unit_ptr))
    holder = arrays.unit_members
    linked = np.zeros(0, dtype=np.int64)                 # sorted keys unit * n + target
    pending_key, pending_sum = np.zeros(0, dtype=np.int64), np.zeros(0)
    held_keys: list[np.ndarray] = []
    held_rows: list[np.ndarray] = []
    link_keys: list[np.ndarray] = []
    link_r4a: list[np.ndarray] = []
    link_edge: list[np.ndarray] = []
    while len(holder):
        counts = holder_ptr[holder + 1] - holder_ptr[holder]
        edge = ranges(holder_ptr[holder], counts)
        row_unit = np.repeat(unit, counts)
        target = e_target[edge]
        key = row_unit * n + target
        keep = arrays.unit_of[target] != row_unit
        if len(linked):
            keep &= ~_isin_sorted(key, linked)
        edge, key = edge[keep], key[keep]
        if not len(edge):
            break
        visit = np.argsort(key, kind="stable")           # position in visiting order
        edge, key = edge[visit], key[visit]
        starts = run_starts(key)
        sizes = np.diff(np.r_[starts, len(key)])
        group = np.repeat(np.arange(len(starts)), sizes)
        controls = e_controls[edge]
        value = np.where(controls, 0.0, e_share[edge])
        carried = _lookup(pending_key, pending_sum, key[starts])
        total = _running_sums(value, starts, sizes, carried)
        crossed = controls | (total > threshold)
        near = np.flatnonzero(~controls & (np.abs(total - threshold) < _NEAR)).tolist()
        if near:
            earlier = _Held(held_keys, held_rows)
            for i in near:
                shares = [relationships[r].share or 0.0 for r in earlier.rows(int(key[i]))]
                run = slice(int(starts[group[i]]), i + 1)
                shares += value[run][~controls[run]].tolist()
                crossed[i] = math.fsum(shares) > threshold
        hits = np.flatnonzero(crossed)
        first_hit = run_starts(group[hits])              # group[hits] is sorted
        hit_groups = group[hits][first_hit]
        hit = np.full(len(starts), len(key), dtype=np.int64)
        hit[hit_groups] = hits[first_hit]
        held = ~controls & (np.arange(len(key)) <= hit[group])
        held_keys.append(key[held])
        held_rows.append(e_row[edge[held]])
        open_groups = hit == len(key)
        pending_key, pending_sum = _merge(pending_key, pending_sum, key[starts[open_groups]],
                                          total[(starts + sizes - 1)[open_groups]])
        new = hits[first_hit][np.argsort(visit[hits[first_hit]])]
        link_keys.append(key[new])
        link_r4a.append(controls[new])
        link_edge.append(e_row[edge[new]])
        linked = np.sort(np.concatenate([linked, key[new]]))   # new keys were not linked
        unit, holder = key[new] // n, key[new] % n

    keys = np.concatenate([*link_keys, linked[:0]])
    by_unit = np.argsort(keys // n, kind="stable")
    arrays.link_unit = keys[by_unit] // n
    arrays.link_ptr = csr_pointer(arrays.link_unit, arrays.unit_count)
    arrays.link_count = np.diff(arrays.link_ptr)
    arrays.link_target = keys[by_unit] % n
    arrays.link_r4a = np.concatenate([*link_r4a, np.zeros(0, dtype=bool)])[by_unit]
    arrays.link_edge = np.concatenate([*link_edge, linked[:0]])[by_unit]
    all_keys = np.concatenate([*held_keys, linked[:0]])
    by_key = np.argsort(all_keys, kind="stable")
    arrays.held_key = all_keys[by_key]
    arrays.held_row = np.concatenate([*held_rows, linked[:0]])[by_key]


def _running_sums(value: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                  carried: np.ndarray) -> np.ndarray:
    """Per group of consecutive rows, the sum of the carried value and the values so far,
    added one at a time in row order (one step per row of the largest group)."""
    total = np.empty(len(value))
    total[starts] = carried + value[starts]
    active = np.flatnonzero(sizes > 1)
    k = 1
    while len(active):
        rows = starts[active] + k
        total[rows] = total[rows - 1] + value[rows]
        k += 1
        active = active[sizes[active] > k]
    return total


def _isin_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


def _lookup(keys: np.ndarray, sums: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The sum carried for each wanted key, 0.0 for a key not carried."""
    if not len(keys):
        return np.zeros(len(wanted))
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, sums[at], 0.0)


def _merge(keys: np.ndarray, sums: np.ndarray, new_keys: np.ndarray, new_sums: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """The carried sums updated with new ones (a new sum replaces an old one)."""
    unique, last = first_occurrences(np.concatenate([keys, new_keys])[::-1])
    return unique, np.concatenate([sums, new_sums])[::-1][last]


class _Held:
    """The holdings found in earlier levels, by (unit, target) key, in visiting order."""

    def __init__(self, keys: list[np.ndarray], rows: list[np.ndarray]) -> None:
        all_keys = np.concatenate([*keys, np.zeros(0, dtype=np.int64)])
        order = np.argsort(all_keys, kind="stable")
        self._keys = all_keys[order]
        self._rows = np.concatenate([*rows, np.zeros(0, dtype=np.int64)])[order]

    def rows(self, key: int) -> list[int]:
        lo, hi = np.searchsorted(self._keys, [key, key + 1])
        return self._rows[lo:hi].tolist()


def _top(arrays: ControlArrays, keep: np.ndarray | None = None) -> np.ndarray:
    """R5: units that no unit outside their own control ring controls. The rings are the
    strongly connected components of the unit graph (unit -> unit of an entity it controls);
    a unit is on top when it controls something and no edge enters its component. With
    ``keep``, only the links it marks count (see :meth:`ControlArrays.top_among`)."""
    a = arrays.link_unit
    b = arrays.unit_of[arrays.link_target]
    if keep is not None:
        a, b = a[keep], b[keep]
    count = arrays.unit_count
    graph = sp.csr_array((np.ones(len(a), dtype=np.int8), (a, b)), shape=(count, count))
    _, label = connected_components(graph, directed=True, connection="strong")
    entered = np.zeros(count, dtype=bool)
    entered[label[b[label[a] != label[b]]]] = True
    return (np.bincount(a, minlength=count) > 0) & ~entered[label]
