"""The one pipeline every interface calls: load paths into a store; read, analyse and
assess what a store holds.

The command line (:mod:`api.cli`), the server's ``reload`` and its snapshot
(:mod:`api.server.state`, :mod:`api.graphql.snapshot`) go through these functions, so a
dataset is read, validated, analysed and assessed one way whatever asks. (The benchmarks in
``scripts/bench`` time the phases one by one and call the loaders and rules themselves.)
This is the only module of ``api`` that imports ``loaders``.

A worked example, from files to a limit breach. Tier 1 capital is 1,000, so CN-2018's
single-party limit is 15% of it, 150; the group limit 20%, 200. P1 holds 60% of C1, which
borrows 100 drawn plus 100 undrawn at a 50% credit conversion factor: 150. C2 borrows 90
and is independent:

>>> import tempfile
>>> from graph.stores.uri import open_store
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "bank.toml").write_text(
...     'name = "Example Bank"\\nbase_currency = "CNY"\\ntier1_capital = 1000\\n'
...     'net_capital = 1200\\nregime = "CN-2018"\\n', encoding="utf-8")
>>> _ = (folder / "entities.csv").write_text(
...     "id,name,kind\\nP1,Li Wei,person\\nC1,Alpha Ltd,company\\nC2,Beta Ltd,company\\n",
...     encoding="utf-8")
>>> _ = (folder / "relationships.csv").write_text(
...     "type,source,target,share\\nOWNS,P1,C1,60%\\n", encoding="utf-8")
>>> _ = (folder / "facilities.csv").write_text(
...     "id,borrower,outstanding,undrawn,ccf\\nF1,C1,100,100,0.5\\nF2,C2,90,0,\\n",
...     encoding="utf-8")
>>> with open_store(f"embedded:{folder / 'store.sqlite'}") as store:
...     loaded = load(store, [folder])
...     again = load(store, [folder])                # the same data twice: nothing changes
...     assessment = assess_store(store)
>>> loaded.summary.unchanged, again.summary.unchanged
(False, True)
>>> analysis = assessment.analysis
>>> group = analysis.group_by_member["C1"]
>>> sorted(group.members), analysis.exposures.of("C1").gross
(['C1', 'P1'], 150.0)
>>> [(c.subject, c.status("gross")) for c in assessment.breaches]
[]
>>> assessment.checks_of("C1")[0].usage       # 150 of the 150 single-party limit
1.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from graph.analysis import Analysis, analyse
from graph.reports.reconcile import Reconciliation, reconcile
from graph.reports.returns import Returns, build_returns
from graph.risk import RiskAssessment, assess
from graph.stores.base import GraphStore, LoadSummary, StoreInfo
from graph.stores.neo4j import Neo4jStore
from graph.stores.neo4j_import import write_import_files
from loaders.bods import RangeShare
from loaders.merge import LoadResult, load_paths
from loaders.synthetic import PortfolioSummary, generate_portfolio
from loaders.tables import read_table
from schema.errors import InvalidDataset, StoreError
from schema.records import Dataset
from schema.regime import load_regime

__all__ = ["LoadOutcome", "Progress", "RangeShare", "assess_dataset", "assess_store", "generate_sample",
           "load", "read_proposals", "read_store", "reconcile_store", "returns_store"]

Progress = Callable[[str], None]
"""Receives a line saying what the pipeline is doing now (shown on standard error)."""


def _quiet(_message: str) -> None:
    pass


@dataclass(frozen=True)
class LoadOutcome:
    """What a load read (with the notes of matching public data) and what the store did."""

    result: LoadResult
    summary: LoadSummary

    @property
    def source(self) -> str:
        return self.summary.info.source


def load(store: GraphStore, paths: Sequence[Path], *, as_of: date | None = None,
         range_share: RangeShare = "minimum", bulk_import: bool = False,
         progress: Progress = _quiet) -> LoadOutcome:
    """Read and validate ``paths`` and, only if all of it is valid, make it the store's
    dataset.

    ``bulk_import`` loads into an empty local Neo4j database through ``neo4j-admin
    database import`` (:meth:`graph.stores.neo4j.Neo4jStore.bulk_import`); StoreError for
    any other store.

    ``paths`` holds at most one bank dataset folder and any GLEIF LEI-CDF / RR-CDF or BODS
    files, recognised by their content (:func:`loaders.merge.load_paths`). Loading what the
    store already holds changes nothing (``summary.unchanged``).

    Raises
    ------
    InvalidDataset
        With every problem found; the store keeps what it held.
    """
    if bulk_import and not isinstance(store, Neo4jStore):
        raise StoreError(f"{store.uri}: --bulk-import is for a Neo4j store (bolt://...)")
    result = load_paths(paths, as_of=as_of, range_share=range_share, progress=progress)
    progress(f"writing {len(result.dataset.entities):,} parties to {store.uri}")
    source = " + ".join(result.sources)
    if bulk_import:
        summary = LoadSummary(cast(Neo4jStore, store).bulk_import(
            result.dataset, source=source, progress=progress), unchanged=False)
    else:
        summary = store.replace(result.dataset, source=source)
    return LoadOutcome(result, summary)


def write_neo4j_import(paths: Sequence[Path], out: Path, *, as_of: date | None = None,
                       range_share: RangeShare = "minimum", progress: Progress = _quiet) -> StoreInfo:
    """Read and validate ``paths`` as :func:`load` does and write them into ``out`` as the
    files of ``neo4j-admin database import`` (:mod:`graph.stores.neo4j_import`), for a
    server this machine does not run."""
    result = load_paths(paths, as_of=as_of, range_share=range_share, progress=progress)
    progress(f"writing {len(result.dataset.entities):,} parties into {out}")
    return write_import_files(result.dataset, out, uri="", source=" + ".join(result.sources))


def read_store(store: GraphStore) -> tuple[StoreInfo | None, Dataset]:
    """The store's dataset with the store's record of it, read so that the two agree.

    A load between reading the record and the dataset would mislabel the data, so the
    record is read before and after, up to three times; if it never holds still the record
    is ``None`` and the dataset's own content hash names it. Raises StoreEmpty when nothing
    was loaded.
    """
    for _attempt in range(3):
        info = store.info()
        dataset = store.read()
        if store.info() == info:
            return info, dataset
    return None, dataset


def assess_dataset(dataset: Dataset, *, as_of: date | None = None, regime: str | None = None,
                   progress: Progress = _quiet) -> RiskAssessment:
    """Analyse ``dataset`` (R2-R7) and assess its risk (R8-R12, suspected links).

    ``as_of`` picks the relationships current that day (default today); ``regime`` names
    ``CN-2018``, ``BASEL`` or a regime file (default: the one ``bank.toml`` names).
    """
    progress(f"analysing {len(dataset.entities):,} parties")
    analysis = _analyse(dataset, as_of, regime)
    progress("assessing risk")
    return assess(analysis)


def _analyse(dataset: Dataset, as_of: date | None, regime: str | None) -> Analysis:
    """R2-R7 with the regime named (default: the one ``bank.toml`` names)."""
    return analyse(dataset, as_of=as_of, regime=load_regime(regime) if regime else None)


def assess_store(store: GraphStore, *, as_of: date | None = None, regime: str | None = None,
                 progress: Progress = _quiet) -> RiskAssessment:
    """Read the store's dataset, then :func:`assess_dataset` it."""
    progress(f"reading {store.uri}")
    _info, dataset = read_store(store)
    return assess_dataset(dataset, as_of=as_of, regime=regime, progress=progress)


def reconcile_store(store: GraphStore, *, as_of: date | None = None, regime: str | None = None,
                    progress: Progress = _quiet) -> Reconciliation:
    """Compare what the stored public data declares (GLEIF ultimate parents, BODS indirect
    interests) with the computed controllers and integrated ownership."""
    progress(f"reading {store.uri}")
    _info, dataset = read_store(store)
    return reconcile(_analyse(dataset, as_of, regime))


def returns_store(store: GraphStore, *, as_of: date | None = None, regime: str | None = None,
                  progress: Progress = _quiet) -> Returns:
    """Read the store's dataset, analyse it and fill the return of its regime (R20)."""
    progress(f"reading {store.uri}")
    _info, dataset = read_store(store)
    progress(f"analysing {len(dataset.entities):,} parties")
    return build_returns(_analyse(dataset, as_of, regime))


def generate_sample(folder: Path, *, parties: int, seed: int) -> PortfolioSummary:
    """Write the seeded sample portfolio of ``parties`` parties into ``folder``
    (:func:`loaders.synthetic.generate_portfolio`)."""
    return generate_portfolio(folder, parties=parties, seed=seed)


def read_proposals(path: Path) -> list[dict[str, str]]:
    """The rows of a table of proposed facilities (CSV, Excel or Parquet, read as the
    loader reads a dataset's tables) as column name to cell text, for
    :func:`graph.risk.whatif.parse_proposals`. Raises InvalidDataset when the file cannot be
    read."""
    table = read_table(path)
    rows = [row.cells for row in table]
    if table.problems:
        raise InvalidDataset(table.problems)
    return rows
