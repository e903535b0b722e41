"""Errors of groupgraph, one tree.

::

    GroupGraphError
     ├── InvalidModel        the model or a regime file itself is wrong
     ├── InvalidDataset      input data breaks the contract; carries every Problem found
     ├── StoreError          a graph store cannot serve the request
     │    ├── StoreUnavailable   the store cannot be reached or opened
     │    └── StoreEmpty         nothing has been loaded yet
     └── AnalysisError       the data is valid but an answer would be meaningless
          └── ClosedOwnershipRing   integrated ownership through a ring owning all of itself
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnalysisError",
    "ClosedOwnershipRing",
    "GroupGraphError",
    "InvalidDataset",
    "InvalidModel",
    "Problem",
    "StoreEmpty",
    "StoreError",
    "StoreUnavailable",
]


class GroupGraphError(Exception):
    """Root of every error groupgraph raises on purpose."""


class InvalidModel(GroupGraphError):
    """The model file or a regime file is malformed."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where it is and what was expected."""

    file: str
    line: int | None
    column: str | None
    message: str
    unit: str = "line"  # spreadsheets and Parquet files have rows, not lines

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", {self.unit} {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InvalidDataset(GroupGraphError):
    """The input breaks the data contract. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:200])
        more = len(self.problems) - 200
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{shown}")


class StoreError(GroupGraphError):
    """A graph store cannot serve the request."""


class StoreUnavailable(StoreError):
    """The store cannot be reached, opened or authenticated against."""


class StoreEmpty(StoreError):
    """Nothing has been loaded into the store yet."""


class AnalysisError(GroupGraphError):
    """The data is valid but the requested answer would be meaningless."""


class ClosedOwnershipRing(AnalysisError):
    """The integrated ownership (R2) of ``owner`` in ``owned`` is not defined: the walks of
    holdings between them pass through ``ring``, companies that hold every share of one
    another (R1 allows it), and the sum over walks around a ring that keeps 100% of itself
    never converges (``I - A`` is singular)."""

    def __init__(self, owner: str, owned: str, ring: tuple[str, ...]) -> None:
        self.owner, self.owned, self.ring = owner, owned, ring
        shown = ", ".join(ring[:10]) + (f" and {len(ring) - 10} more" if len(ring) > 10 else "")
        super().__init__(
            f"integrated ownership of {owner!r} in {owned!r} is not defined: the ring {shown} "
            f"holds 100% of itself (every share of each of its companies is held within it), "
            f"so the chains of holdings around it never fade out")
