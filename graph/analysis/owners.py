"""Beneficial owners, 受益所有人 (rule R18).

For each company, the natural persons who

(a) ``ownership``: hold at least the regime's ``ubo_threshold`` (25%) of it by integrated
    ownership (R2);
(b) ``control``: belong to a unit that controls it (R4), whatever their share;
(c) ``senior_manager``: only when no one qualifies by (a) or (b), manage it as legal
    representative, chairman or CEO (``MANAGES`` with one of :data:`SENIOR_ROLES`).

One entry per person: its basis is the first of ``ownership``, ``control``,
``senior_manager`` that applies, and its share the person's integrated ownership of the
company (0.0 when none; ``None`` when it is not defined, the walks passing through a closed
ring, see :mod:`graph.analysis.ownership`). Entries are listed by basis, then by share
(largest first), then by person id.

Decisions where DESIGN is silent:

* "At least 25%" is decided with a tolerance of :data:`UBO_TOLERANCE` (1e-9): exactly 25%
  qualifies even when floating point gives 0.24999999999999997 for it through a chain.
* Control (b) is R4's, so it counts every unit that controls the company, not only the
  ultimate ones (R5), and a state body's control counts as in R4: R17 changes grouping
  only, and a state body is not a natural person anyway.

How it is computed: one company's owners (:meth:`BeneficialOwnership.of`) need its column
of integrated ownership, which costs the parties that reach it
(:meth:`OwnershipMatrix.column`), never the whole inverse. The whole book
(:meth:`BeneficialOwnership.all`) takes the integrated ownership of every person at once,
by levels of the ownership graph's condensation (Kahn's order: a company's column is
computed once every holder's is; a cross-holding ring is one small dense inverse), so its
cost is the number of (person, company) pairs with a share times the depth of the chains,
not the square of the book. Companies below a closed ring, whose shares a ring makes
undefined for some owners, are done one by one as for a single company.

>>> from schema.records import Relationship as R
>>> from graph.analysis.control import compute_control
>>> from graph.analysis.ownership import OwnershipMatrix
>>> rels = [R("OWNS", "P1", "H", share=0.5), R("OWNS", "H", "C", share=0.5),
...         R("OWNS", "P2", "C", share=0.1), R("RELATIVE_OF", "P2", "P3", relation="spouse"),
...         R("OWNS", "P3", "C", share=0.45), R("MANAGES", "P4", "D", role="ceo")]
>>> parties = ["P1", "P2", "P3", "P4", "H", "C", "D"]
>>> owners = BeneficialOwnership(parties, ["P1", "P2", "P3", "P4"], rels,
...     compute_control(parties, rels),
...     OwnershipMatrix((r.source, r.target, r.share) for r in rels if r.type == "OWNS"))
>>> [(o.person, o.basis, round(o.share, 4)) for o in owners.of("C")]   # P1: 0.5 x 0.5
[('P3', 'ownership', 0.45), ('P1', 'ownership', 0.25), ('P2', 'control', 0.1)]
>>> owners.of("D")
(BeneficialOwner(person='P4', basis='senior_manager', share=0.0),)
>>> book = owners.all()
>>> sorted(book), book["C"] == owners.of("C")
(['C', 'D', 'H'], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph.analysis.columns import EdgeArrays, csr_pointer, ranges
from graph.analysis.control import ControlResult
from graph.analysis.ownership import OwnershipMatrix
from schema.records import Relationship

__all__ = ["BASES", "SENIOR_ROLES", "UBO_THRESHOLD", "UBO_TOLERANCE", "BeneficialOwner",
           "BeneficialOwnership"]

BASES = ("ownership", "control", "senior_manager")
SENIOR_ROLES = ("legal_representative", "chairman", "ceo")
UBO_THRESHOLD = 0.25
UBO_TOLERANCE = 1e-9
_TINY = 1e-15          # shares below this are rounding noise, left out as OwnershipMatrix does


@dataclass(frozen=True)
class BeneficialOwner:
    """One beneficial owner of a company: ``basis`` is one of :data:`BASES`."""

    person: str
    basis: str
    share: float | None


class BeneficialOwnership:
    """R18 on one dataset: the beneficial owners of one company or of every company.

    Parameters
    ----------
    parties : every party id (companies are the parties that are not ``persons``)
    persons : the natural persons
    relationships : current relationships (``MANAGES`` is read here)
    control : :func:`graph.analysis.control.compute_control` on the same data
    ownership : the direct-share matrix of the same holdings
    threshold : the regime's ``ubo_threshold``
    """

    def __init__(self, parties: Iterable[str], persons: Iterable[str],
                 relationships: Sequence[Relationship], control: ControlResult,
                 ownership: OwnershipMatrix, *, threshold: float = UBO_THRESHOLD) -> None:
        if control.arrays is None:
            raise TypeError("control must be the result of compute_control")
        self.control = control
        self.arrays = control.arrays
        self.ownership = ownership
        self.threshold = threshold
        index = self.arrays.index
        self.is_person = np.zeros(len(index), dtype=bool)
        numbers = index.numbers(list(persons))
        self.is_person[numbers[numbers >= 0]] = True
        self.is_company = np.zeros(len(index), dtype=bool)
        numbers = index.numbers(list(parties))
        self.is_company[numbers[numbers >= 0]] = True
        self.is_company &= ~self.is_person
        self.relationships = relationships

    @cached_property
    def _managers(self) -> tuple[np.ndarray, np.ndarray]:
        """Senior managers (c) by company: ``person[ptr[c]:ptr[c + 1]]``, sorted."""
        edges = EdgeArrays.of(self.relationships, self.arrays.index, ("MANAGES",))
        rels = self.relationships
        senior = np.fromiter((rels[r].role in SENIOR_ROLES for r in edges.row.tolist()),
                             dtype=bool, count=len(edges))
        senior &= self.is_person[edges.source]
        order = np.lexsort((edges.source[senior], edges.target[senior]))
        target, person = edges.target[senior][order], edges.source[senior][order]
        return person, csr_pointer(target, len(self.arrays.index))

    def _senior(self, company: int) -> list[int]:
        person, ptr = self._managers
        return sorted(set(person[ptr[company]:ptr[company + 1]].tolist()))

    def _controlling_persons(self, company: str) -> list[int]:
        arrays = self.arrays
        found: set[int] = set()
        for key in self.control.controllers.get(company, ()):
            members = arrays.members(arrays.unit_number[key])
            found.update(members[self.is_person[members]].tolist())
        return sorted(found)

    def of(self, company: str) -> tuple[BeneficialOwner, ...]:
        """The beneficial owners of ``company`` (empty for a person or an unknown id)."""
        index = self.arrays.index
        number = index.number.get(company)
        if number is None or not self.is_company[number]:
            return ()
        column = self.ownership.column(company)
        shares: dict[int, float | None] = {
            index.number[p]: v for p, v in column.shares.items() if p in index.number}
        shares.update({index.number[p]: None for p in column.rings if p in index.number})
        owning = [p for p, v in shares.items()
                  if self.is_person[p] and v is not None and v >= self.threshold - UBO_TOLERANCE]
        controlling = self._controlling_persons(company)
        senior = [] if owning or controlling else self._senior(number)
        return _entries(index.ids, [(p, 0, shares.get(p, 0.0)) for p in owning]
                        + [(p, 1, shares.get(p, 0.0)) for p in controlling]
                        + [(p, 2, shares.get(p, 0.0)) for p in senior])

    def all(self) -> Mapping[str, tuple[BeneficialOwner, ...]]:
        """The beneficial owners of every company that has any, companies by id."""
        return _BookOwners(self)


def _entries(ids: Sequence[str], found: list[tuple[int, int, float | None]]
             ) -> tuple[BeneficialOwner, ...]:
    """One entry per person, the first basis that applies; by basis, share, person id."""
    first: dict[int, tuple[int, float | None]] = {}
    for person, basis, share in found:
        if person not in first or basis < first[person][0]:
            first[person] = (basis, share)
    ordered = sorted(first.items(), key=lambda item: (
        item[1][0], -(item[1][1] or 0.0), ids[item[0]]))
    return tuple(BeneficialOwner(ids[p], BASES[basis], share) for p, (basis, share) in ordered)


class _BookOwners(Mapping[str, tuple[BeneficialOwner, ...]]):
    """Every company's beneficial owners, from arrays of (company, person, basis, share);
    each company's entries built when read."""

    def __init__(self, owners: BeneficialOwnership) -> None:
        self._owners = owners
        company, person, basis, share, undefined = _book(owners)
        order = np.lexsort((person, basis, company))
        self._company, self._person = company[order], person[order]
        self._basis, self._share, self._undefined = basis[order], share[order], undefined[order]
        self._ptr = csr_pointer(self._company, len(owners.arrays.index))
        self._built: dict[int, tuple[BeneficialOwner, ...]] = {}

    def _slice(self, company: object) -> tuple[int, int, int]:
        number = self._owners.arrays.index.number.get(company) if isinstance(company, str) else None
        if number is None:
            return -1, 0, 0
        return number, int(self._ptr[number]), int(self._ptr[number + 1])

    def __getitem__(self, company: str) -> tuple[BeneficialOwner, ...]:
        number, lo, hi = self._slice(company)
        if lo == hi:
            raise KeyError(company)
        found = self._built.get(number)
        if found is None:
            shares = [None if u else s for s, u in zip(self._share[lo:hi].tolist(),
                                                      self._undefined[lo:hi].tolist(), strict=True)]
            found = self._built[number] = _entries(self._owners.arrays.index.ids, list(zip(
                self._person[lo:hi].tolist(), self._basis[lo:hi].tolist(), shares, strict=True)))
        return found

    def __contains__(self, company: object) -> bool:
        _, lo, hi = self._slice(company)
        return hi > lo

    def __iter__(self) -> Iterator[str]:
        ids = self._owners.arrays.index.ids
        return (ids[c] for c in np.flatnonzero(np.diff(self._ptr)).tolist())

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self._ptr)))


def _book(owners: BeneficialOwnership) -> tuple[np.ndarray, ...]:
    """(company, person, basis, share, undefined) of every candidate entry of the book, in
    party numbers; a person may appear under several bases (``_entries`` keeps the first)."""
    arrays, matrix = owners.arrays, owners.ownership
    n = len(arrays.index)
    position_number = arrays.index.numbers(matrix.parties)
    holders = np.flatnonzero(owners.is_person[position_number])
    target, holder, value, below_rings = integrated_of_holders(matrix, holders)
    company, person = position_number[target], position_number[holders[holder]]
    keep = owners.is_company[company]
    company, person, value = company[keep], person[keep], value[keep]
    # companies below a closed ring: one column each, as for a single company
    special = [(c, p, v) for t in np.flatnonzero(below_rings).tolist()
               if owners.is_company[c := int(position_number[t])]
               for p, v in _column_of(owners, matrix.parties[t]).items()]
    s_company = np.array([c for c, _, _ in special], dtype=np.int64)
    s_person = np.array([p for _, p, _ in special], dtype=np.int64)
    s_undefined = np.array([v is None for _, _, v in special], dtype=bool)
    s_value = np.array([0.0 if v is None else v for _, _, v in special])
    company, person = np.r_[company, s_company], np.r_[person, s_person]
    value, undefined = np.r_[value, s_value], np.r_[np.zeros(len(value), dtype=bool), s_undefined]

    # (a) ownership at or above the threshold
    owning = ~undefined & (value >= owners.threshold - UBO_TOLERANCE)
    # (b) members who are persons of every unit controlling a company
    counts = np.diff(arrays.unit_ptr)[arrays.link_unit]
    c_company = np.repeat(arrays.link_target, counts)
    c_person = arrays.unit_members[ranges(arrays.unit_ptr[arrays.link_unit], counts)]
    wanted = owners.is_person[c_person] & owners.is_company[c_company]
    c_company, c_person = c_company[wanted], c_person[wanted]
    # (c) senior managers of companies no one qualifies for by (a) or (b)
    qualified = np.zeros(n, dtype=bool)
    qualified[company[owning]] = qualified[c_company] = True
    m_person, m_ptr = owners._managers
    m_company = np.repeat(np.arange(n), np.diff(m_ptr))
    m_keep = ~qualified[m_company] & owners.is_company[m_company]
    m_company, m_person = m_company[m_keep], m_person[m_keep]

    # the share of each (b) and (c) person: its integrated ownership, 0.0 when none
    key = company * n + person
    order = np.argsort(key, kind="stable")
    # a sentinel entry (no share) past every key, so that every look-up lands somewhere
    sorted_key = np.r_[key[order], n * n]
    value_sorted, undefined_sorted = np.r_[value[order], 0.0], np.r_[undefined[order], False]

    def share_of(companies: np.ndarray, persons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted = companies * n + persons
        at = np.searchsorted(sorted_key, wanted)
        found = sorted_key[at] == wanted
        return np.where(found, value_sorted[at], 0.0), found & undefined_sorted[at]

    c_share, c_undefined = share_of(c_company, c_person)
    m_share, m_undefined = share_of(m_company, m_person)
    return (np.r_[company[owning], c_company, m_company],
            np.r_[person[owning], c_person, m_person],
            np.repeat(np.array([0, 1, 2], dtype=np.int64),
                      [int(owning.sum()), len(c_company), len(m_company)]),
            np.r_[value[owning], c_share, m_share],
            np.r_[undefined[owning], c_undefined, m_undefined])


def _column_of(owners: BeneficialOwnership, company: str) -> dict[int, float | None]:
    column = owners.ownership.column(company)
    number = owners.arrays.index.number
    found: dict[int, float | None] = {number[p]: v for p, v in column.shares.items()
                                      if owners.is_person[number[p]]}
    found.update({number[p]: None for p in column.rings if owners.is_person[number[p]]})
    return found


def integrated_of_holders(matrix: OwnershipMatrix, holders: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The integrated ownership of each of ``holders`` (positions in ``matrix``) in every
    party it reaches, except the parties below a closed ring (returned as a mask, for the
    caller to take one column at a time): ``(target, holder, share)`` with ``holder`` the
    position in ``holders``, then the mask.

    ``X = S (I - A)^-1`` for ``S`` the holders' rows of ``A``, i.e. ``X = S + X A``,
    column by column in levels of the condensation of ``A``: a company's column needs its
    holders' columns only, and a strongly connected set of cross-holdings ``C`` solves
    ``X_C (I - A_CC) = S_C + X_notC A_notC,C`` with a dense inverse of its own size.
    """
    a = matrix.matrix.tocsr()
    n = a.shape[0]
    below = _below_closed_rings(matrix)
    keep = sp.diags((~below).astype(float))
    a = (keep @ a @ keep).tocsr()
    a.eliminate_zeros()
    count, label = connected_components(a, directed=True, connection="strong")
    coo = a.tocoo()
    across = label[coo.row] != label[coo.col]
    # condensation levels, Kahn's order: a set's level is after all its holders'
    c_src, c_dst = label[coo.row[across]], label[coo.col[across]]
    edges = sp.csr_array((np.ones(len(c_src), dtype=np.int64), (c_src, c_dst)), shape=(count, count))
    edges.sum_duplicates()
    indegree = np.diff(edges.tocsc().indptr).astype(np.int64)
    level = np.full(count, -1, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    depth = 0
    while len(frontier):
        level[frontier] = depth
        nxt = edges[frontier].tocoo().col if len(frontier) else np.zeros(0, dtype=np.int64)
        np.subtract.at(indegree, nxt, 1)
        frontier = np.unique(nxt[indegree[nxt] == 0])
        depth += 1
    node_level = level[label]
    # the holders' direct rows, as columns: st[target, holder]; at[target, party] = A[party, target]
    st = a[holders].T.tocsr()
    at = a.T.tocsr()
    sizes = np.bincount(label, minlength=count)
    looped = np.zeros(count, dtype=bool)
    looped[label[coo.row[coo.row == coo.col]]] = True
    sets = _Sets(label, count, coo, ~across)
    by_level = np.argsort(node_level, kind="stable")
    level_ptr = csr_pointer(node_level[by_level], depth)
    done = sp.csr_array((n, len(holders)))
    for d in range(depth):
        nodes = by_level[level_ptr[d]:level_ptr[d + 1]]       # sorted: a stable sort of 0..n-1
        rhs = (st[nodes] + at[nodes] @ done).tocsr()
        rings = np.unique(label[nodes][(sizes[label[nodes]] > 1) | looped[label[nodes]]])
        if len(rings):
            rhs = _solve_rings(sets, rings, nodes, rhs)
        found = rhs.tocoo()
        done = (done + sp.csr_array((found.data, (nodes[found.row], found.col)),
                                    shape=done.shape)).tocsr()
    found = done.tocoo()
    big = found.data > _TINY
    return found.row[big], found.col[big], found.data[big], below


class _Sets:
    """The strongly connected sets of the ownership graph: each set's members (sorted) and
    the holdings inside it, found by one sort rather than a scan of the book per set."""

    def __init__(self, label: np.ndarray, count: int, coo: sp.coo_array, inside: np.ndarray) -> None:
        self.order = np.argsort(label, kind="stable")
        self.ptr = csr_pointer(label[self.order], count)
        row, col, data = coo.row[inside], coo.col[inside], coo.data[inside]
        by_set = np.argsort(label[row], kind="stable")
        self.row, self.col, self.data = row[by_set], col[by_set], data[by_set]
        self.edge_ptr = csr_pointer(label[self.row], count)

    def members(self, s: int) -> np.ndarray:
        return self.order[self.ptr[s]:self.ptr[s + 1]]

    def block(self, s: int, members: np.ndarray) -> np.ndarray:
        """``A`` restricted to the set, dense, rows and columns in the order of ``members``."""
        lo, hi = self.edge_ptr[s], self.edge_ptr[s + 1]
        block = np.zeros((len(members), len(members)))
        np.add.at(block, (np.searchsorted(members, self.row[lo:hi]),
                          np.searchsorted(members, self.col[lo:hi])), self.data[lo:hi])
        return block


def _solve_rings(sets: _Sets, rings: np.ndarray, nodes: np.ndarray, rhs: sp.csr_array
                 ) -> sp.csr_array:
    """The rows (``rhs``, one per party of ``nodes``) of each cross-holding set ``C`` of
    ``rings`` solved: ``X_C = (I - A_CC^T)^-1 rhs_C``; the other rows stay."""
    k = len(nodes)
    solve = np.ones(k)
    rows, cols, data = [], [], []
    for ring in rings.tolist():
        members = sets.members(ring)
        local = np.searchsorted(nodes, members)
        solve[local] = 0.0
        inverse = np.linalg.inv(np.eye(len(members)) - sets.block(ring, members).T)
        rows.append(np.repeat(local, len(local)))
        cols.append(np.tile(local, len(local)))
        data.append(inverse.ravel())
    mixing = sp.csr_array((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(k, k)) + sp.diags(solve)
    return (mixing @ rhs).tocsr()


def _below_closed_rings(matrix: OwnershipMatrix) -> np.ndarray:
    """Which parties a closed ring reaches (the rings included)."""
    n = len(matrix.parties)
    below = np.zeros(n, dtype=bool)
    for ring in matrix._closed_rings(np.arange(n)):
        below[ring] = True
    if not below.any():
        return below
    frontier = below.astype(float)
    t = matrix.matrix.T.tocsr()
    while True:
        reached = (t @ frontier > 0) & ~below
        if not reached.any():
            return below
        below |= reached
        frontier = reached.astype(float)
