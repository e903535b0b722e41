"""Connected components of large graphs given as edge lists, with SciPy's compressed
sparse graph routines: a million nodes cost a few arrays, not a million dicts.

>>> nodes, labels = components([("A", "B"), ("B", "A"), ("B", "C")], strong=True)
>>> sorted(sorted(members) for members in groups_of(nodes, labels) if len(members) > 1)
[['A', 'B']]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["components", "groups_of"]


def components(edges: Iterable[tuple[Hashable, Hashable]], nodes: Iterable[Hashable] = (),
               *, strong: bool = False) -> tuple[list[Hashable], np.ndarray]:
    """The nodes (those of ``nodes`` first, then any new ones of ``edges``) and the
    component label of each: weakly connected, or strongly connected with ``strong``."""
    index: dict[Hashable, int] = {}
    for node in nodes:
        index.setdefault(node, len(index))
    rows, cols = [], []
    for a, b in edges:
        rows.append(index.setdefault(a, len(index)))
        cols.append(index.setdefault(b, len(index)))
    n = len(index)
    graph = sp.csr_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=True,
                                     connection="strong" if strong else "weak")
    return list(index), labels


def groups_of(nodes: Sequence[Hashable], labels: np.ndarray) -> list[list[Hashable]]:
    """The members of each component, in node order."""
    members: dict[int, list[Hashable]] = defaultdict(list)
    for node, label in zip(nodes, labels.tolist(), strict=True):
        members[label].append(node)
    return list(members.values())
